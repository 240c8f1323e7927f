"""Builders for applicant lines in the enrollment tests (no fixtures: plain functions)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from cityid.enrollment.applicant import Applicant, parse_applicant
from cityid.enrollment.mrz import make_td1, make_td3
from cityid.policy import Policy, load_policy

POLICY = load_policy()
TODAY = dt.date(2016, 11, 1)
FAR = TODAY + dt.timedelta(days=1000)


def born_aged(age: int, today: dt.date = TODAY) -> dt.date:
    """A date of birth giving exactly `age` on `today` (birthday a month ago)."""
    month_ago = today - dt.timedelta(days=30)
    return month_ago.replace(year=month_ago.year - age)


def years_before(day: dt.date, years: int, days: int = 0) -> dt.date:
    return day.replace(year=day.year - years) - dt.timedelta(days=days)


def document(kind: str, **overrides: Any) -> dict[str, Any]:
    """A valid document of `kind`; MRZ types get a valid zone unless one is given."""
    doc_type = POLICY.document_type(kind)
    assert doc_type is not None, kind
    doc: dict[str, Any] = {
        "type": kind,
        "number": overrides.pop("number", "X12345678"),
        "issuing_country": overrides.pop("issuing_country", "MEX"),
        "expires": FAR.isoformat() if doc_type.has_expiry else None,
        "has_original": True,
    }
    doc.update(overrides)
    if doc_type.mrz != "none" and "mrz" not in overrides and doc["expires"]:
        maker = make_td3 if doc_type.mrz == "td3" else make_td1
        doc["mrz"] = maker(
            document_number=doc["number"],
            issuing_state=doc["issuing_country"],
            nationality=doc["issuing_country"],
            surname="Garcia Lopez",
            given_names="Maria",
            date_of_birth=dt.date(1985, 3, 4),
            sex="F",
            date_of_expiry=dt.date.fromisoformat(doc["expires"]),
        )
    return doc


def line(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "given_name": "María",
        "family_name": "García López",
        "date_of_birth": born_aged(31).isoformat(),
        "address": {
            "line1": "37-12 80th St",
            "line2": "Apt 4B",
            "city": "Jackson Heights",
            "state": "NY",
            "postal_code": "11372",
        },
        "gender": "F",
        "language": "spa",
        "veteran": False,
        "organ_donor": True,
        "caretaker_present": False,
        "documents": [document("foreign_passport"), document("utility_bill")],
    }
    data.update(overrides)
    return data


def applicant(policy: Policy = POLICY, **overrides: Any) -> Applicant:
    return parse_applicant(line(**overrides), policy, TODAY)


def with_eligibility(policy: Policy = POLICY, **changes: Any) -> Policy:
    """The policy with some eligibility rules changed (a city tuning its file)."""
    return policy.model_copy(update={"eligibility": policy.eligibility.model_copy(update=changes)})
