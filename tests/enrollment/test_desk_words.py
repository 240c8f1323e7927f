"""What a clerk or counsel reads: problems in words tied to their field, languages by their
own names, countries the policy already knows, refusals that say what, forms that build
the scope objects the services read (no JSON typed by a person)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from starlette.datastructures import FormData

from cityid.enrollment.applicant import InvalidApplicant, parse_applicant
from cityid.enrollment.screening import FLAG_REASONS, FlagKind, flag_reason
from cityid.errors import BadInput
from cityid.retention.scope import parse_scope as parse_hold_scope
from cityid.staff.actor import Actor
from cityid.staff.permissions import refusal
from cityid.web.routes import disclosure_console, retention_console
from cityid.web.routes.desk_form import language_choices, to_line
from cityid.web.routes.desk_messages import in_words
from tests.enrollment.enrollment_helpers import POLICY, TODAY, line

TOMORROW = (TODAY + dt.timedelta(days=1)).isoformat()


def _errors(values: dict[str, str]) -> list[tuple[str, str]]:
    with pytest.raises(InvalidApplicant) as caught:
        parse_applicant(to_line(values), POLICY, TODAY)
    return caught.value.field_errors


def _desk(**values: str) -> dict[str, str]:
    base = {
        "given_name": "Amara", "family_name": "Okonkwo", "date_of_birth": "1990-05-01",
        "line1": "1520 Grand Concourse", "city": "Bronx", "state": "NY", "postal_code": "10457",
    }  # fmt: skip
    return {**base, **values}


def test_problems_are_sentences_beside_their_field() -> None:
    values = _desk(date_of_birth=TOMORROW, postal_code="1045")
    problems = {p.field: p.text for p in in_words(_errors(values), values, POLICY)}
    assert problems["date_of_birth"] == "Date of birth cannot be in the future"
    assert problems["postal_code"] == "Postal code must be five digits"


def test_a_document_is_named_by_its_row_and_type_never_by_a_path() -> None:
    # Row 1 is left empty: the second filled row is the clerk's "Document 3".
    values = _desk(
        doc0_type="utility_bill", doc0_number="ACCT 1",
        doc2_type="foreign_passport", doc2_number="G1", doc2_country="XYZ",
        doc2_expires=(TODAY + dt.timedelta(days=400)).isoformat(),
    )  # fmt: skip
    problems = in_words(_errors(values), values, POLICY)
    assert [p.field for p in problems] == ["doc2_country"]
    assert problems[0].text.startswith("Document 3 (Foreign passport): the issuing country is not")
    assert problems[0].anchor == "f-doc2_country"
    assert all("documents." not in p.text for p in problems)


def test_a_utility_bill_needs_no_issuing_country_the_policy_knows_it() -> None:
    data = line()
    data["documents"] = [{"type": "utility_bill", "number": "ACCT 1"}]
    applicant = parse_applicant(data, POLICY, TODAY)
    assert applicant.documents[0].issuing_country == "USA"
    # A foreign document still needs one, in words.
    data["documents"] = [{"type": "consular_id", "number": "C1", "expires": "2031-01-01"}]
    with pytest.raises(InvalidApplicant) as caught:
        parse_applicant(data, POLICY, TODAY)
    assert caught.value.field_errors == [("documents.0.issuing_country", "required")]


def test_languages_are_named_in_their_own_language() -> None:
    names = dict(language_choices(POLICY.card.languages))
    assert names["spa"] == "Español (Spanish)"
    assert names["eng"] == "English"
    assert names["ben"].startswith("বাংলা")
    assert not [label for label in names.values() if re.search(r"\b[a-z]{3}\b", label)]


def test_every_signal_has_words_and_refusals_say_what() -> None:
    assert set(FLAG_REASONS) == set(FlagKind)
    assert flag_reason("clerk_velocity") == "Many applications taken by one clerk in a short time"
    clerk = Actor(user_id="u1", username="c1", role="clerk")
    assert refusal(clerk, "review.read") == "Your role (clerk) cannot open the review queue."
    system = Actor(user_id="system", username="system", role=None)
    assert refusal(system, "hold.place") == "The system account cannot place legal holds."


def test_the_hold_form_builds_the_scope_object() -> None:
    form = FormData(
        [("covers", "some"), ("record_classes", "document_copy"),
         ("enrolled_from", "2015-01-12"), ("enrolled_to", ""),
         ("centres", "bronx-1, queens-3\n"), ("application_ids", "app-1\napp-2")]
    )  # fmt: skip
    scope = retention_console.scope_from_form(form)
    assert scope == {
        "record_classes": ["document_copy"], "enrolled_from": "2015-01-12",
        "centres": ["bronx-1", "queens-3"], "application_ids": ["app-1", "app-2"],
    }  # fmt: skip
    assert parse_hold_scope(scope).centres == frozenset({"bronx-1", "queens-3"})
    assert retention_console.scope_from_form(FormData([("covers", "all")])) == {"all": True}
    with pytest.raises(BadInput, match="Choose what the hold covers"):
        retention_console.scope_from_form(FormData([("covers", "some")]))
    assert retention_console.scope_words(scope).startswith("Document copies; enrolled 2015-01-12")


def test_the_request_form_builds_the_disclosure_scope() -> None:
    form = FormData(
        [("asks", "personal"), ("application_ids", "app-1"), ("fields", "family_name"),
         ("date_from", ""), ("date_to", "2016-12-31")]
    )  # fmt: skip
    assert disclosure_console.scope_from_form(form) == {
        "application_ids": ["app-1"], "fields": ["family_name"], "to": "2016-12-31",
    }  # fmt: skip
    stats = FormData([("asks", "aggregate"), ("date_from", "2015-01-01")])
    assert disclosure_console.scope_from_form(stats) == {"aggregate": True, "from": "2015-01-01"}
