"""Requests end to end through the CLI, on SQLite and PostgreSQL: file, decide, release.

Every request, decision and release must be in the audit log, by id; packages carry the
granted fields only; notices go out in the applicant's language unless a court forbids.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from cityid.audit.tables import audit_entries, audit_targets
from cityid.disclosure.tables import disclosure_notices
from cityid.errors import BadInput, Refused
from cityid.store.uow import UnitOfWork
from tests.disclosure.conftest import City, decide, file_request, package


def file(city: City, kind: str, instrument: str, scope: dict[str, Any], *more: str) -> Any:
    result = city.as_counsel(
        "request", "file", "--requester-kind", kind, "--instrument", instrument,
        "--scope", json.dumps(scope), *more,
    )  # fmt: skip
    assert result.code == 0, result.out + result.err
    return result.json


def audited(city: City, target: str) -> list[str]:
    """The actions the audit log records against one id, in order."""
    with UnitOfWork(city.runtime.engine, read_only=True) as uow:
        rows = uow.conn.execute(
            sa.select(audit_entries.c.action, audit_entries.c.entry)
            .join(audit_targets, audit_targets.c.idx == audit_entries.c.idx)
            .where(audit_targets.c.target == target)
            .order_by(audit_entries.c.idx)
        ).all()
    return [r.action for r in rows]


def all_audit_bytes(city: City) -> bytes:
    with UnitOfWork(city.runtime.engine, read_only=True) as uow:
        return b"\n".join(bytes(r.entry) for r in uow.conn.execute(sa.select(audit_entries)))


def test_chicago_subpoena_and_foil_are_refused_statistics_are_public(city: City) -> None:
    # 2025: ICE's administrative subpoena for three years of applicant data. Refused.
    ice = file(
        city, "federal_law_enforcement", "administrative_subpoena",
        {"from": "2014-01-01", "to": "2016-12-31"},
        "--requester", "ICE Enforcement and Removal Operations", "--docket", "ICE-2025-0042",
    )  # fmt: skip
    assert (ice["decision"], ice["rule"]) == ("denied", "administrative-subpoena-refused")
    decided = city.as_counsel("request", "decide", ice["request_id"])
    assert decided.code == 0, decided.out
    assert decided.json == {
        **decided.json,
        "request_id": ice["request_id"],
        "decision": "denied",
        "rule": "administrative-subpoena-refused",
        "overridden": False,
    }
    assert package(city, ice["request_id"])["records"] == []
    assert audited(city, ice["request_id"]) == [
        "disclosure.file", "disclosure.decide", "disclosure.release",
    ]  # fmt: skip

    foil_personal = file_request(city, "public", "none", {"from": "2014-01-01", "to": "2016-12-31"})
    assert (foil_personal.decision, foil_personal.rule) == ("denied", "foil-personal-refused")

    foil_stats = file_request(city, "public", "none", {"aggregate": True})
    assert (foil_stats.decision, foil_stats.rule) == ("granted", "foil-aggregate-public")
    assert decide(city, foil_stats.request_id).decision == "granted"
    stats = package(city, foil_stats.request_id)
    assert stats["statistics"]["applications_held"] == 4
    assert stats["statistics"]["by_enrollment_year"] == {"2014": 1, "2015": 2, "2016": 1}
    assert "García" not in json.dumps(stats, ensure_ascii=False)

    police = file_request(
        city, "local_police", "none", {"application_ids": [city.applications["wei"]]}
    )
    assert (police.decision, police.rule) == (
        "denied",
        "third-party-without-judicial-process",
    )
    for request in (foil_personal, foil_stats, police):
        assert "disclosure.file" in audited(city, request.request_id)

    # No requester's name, no cardholder's name ever enters the log.
    log = all_audit_bytes(city)
    assert b"ICE Enforcement" not in log and b"Garc" not in log


def test_judicial_warrant_granted_by_counsel_for_named_fields_only(
    city: City, tmp_path: Path
) -> None:
    maria = city.applications["maria"]
    warrant = file(
        city, "local_police", "judicial_warrant",
        {"application_ids": [maria], "fields": ["family_name", "date_of_birth", "address"]},
        "--requester", "Det. R. Alvarez, NYPD 115th Precinct", "--docket", "80258/16",
    )  # fmt: skip
    assert (warrant["decision"], warrant["rule"]) == ("granted", "judicial-process-counsel-review")
    assert warrant["counsel_review"] is True
    request_id = warrant["request_id"]

    # A clerk may not decide; an override needs a written reason; a grant stays in the warrant.
    assert city.as_clerk("request", "decide", request_id).json["error"]["code"] == "forbidden"
    with pytest.raises(BadInput, match="reason"):
        decide(city, request_id, override="granted", fields=["family_name"])
    with pytest.raises(BadInput, match="did not name"):
        decide(city, request_id, override="granted", fields=["family_name", "photo"], reason="x")

    decided = city.as_counsel(
        "request", "decide", request_id, "--override", "granted",
        "--fields", "family_name,date_of_birth",
        "--reason", "The warrant's particularity extends to name and birth date only.",
    )  # fmt: skip
    assert decided.code == 0, decided.out
    assert decided.json["decision"] == "granted" and decided.json["overridden"] is True
    assert decided.json["fields"] == ["family_name", "date_of_birth"]
    assert decided.json["notices"] == 1
    with pytest.raises(Refused, match="already decided"):
        decide(city, request_id)

    out = tmp_path / "package.json"
    assert city.as_counsel("request", "package", request_id, "--out", str(out)).code == 0
    package = json.loads(out.read_text())
    assert package["request_id"] == request_id and package["fields"] == [
        "family_name",
        "date_of_birth",
    ]
    assert package["records"] == [
        {"application_id": maria, "family_name": "García López", "date_of_birth": "1985-03-04"}
    ]
    assert "Jackson Heights" not in out.read_text() and "María" not in out.read_text()

    pdf = tmp_path / "package.pdf"
    assert city.as_counsel("request", "package", request_id, "--out", str(pdf)).code == 0
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF") and request_id.encode("utf-16-be") in data  # its title

    actions = audited(city, request_id)
    assert actions[:2] == ["disclosure.file", "disclosure.decide"]
    assert actions.count("disclosure.release") == 2  # each package made is a release
    assert "disclosure.notice.create" in actions
    # The release entry names the application and the field names, never a value.
    releases = [
        json.loads(bytes(r.entry))
        for r in _entries(city, "disclosure.release")
        if request_id in json.loads(bytes(r.entry))["targets"]
    ]
    assert releases[0]["targets"] == [request_id, maria]
    assert releases[0]["extra"]["fields"] == ["family_name", "date_of_birth"]
    assert releases[0]["reason"] == "disclosure"
    decide_entry = json.loads(bytes(_entries(city, "disclosure.decide")[-1].entry))
    assert decide_entry["reason"] == "counsel_override"
    assert decide_entry["reason_ref"] == "judicial-process-counsel-review"

    # María asked in Spanish: her notice is in Spanish, pending until marked sent.
    notices = city.as_counsel("request", "notices", request_id, "--text").json["notices"]
    assert len(notices) == 1 and notices[0]["status"] == "pending"
    assert "aviso de divulgación" in notices[0]["text"] and request_id in notices[0]["text"]
    sent = city.as_counsel("request", "notice-sent", notices[0]["notice_id"])
    assert sent.json["status"] == "sent"


def _entries(city: City, action: str) -> list[Any]:
    with UnitOfWork(city.runtime.engine, read_only=True) as uow:
        return list(
            uow.conn.execute(
                sa.select(audit_entries.c.entry)
                .where(audit_entries.c.action == action)
                .order_by(audit_entries.c.idx)
            )
        )


def test_self_access_no_records_and_court_gagged_notices(city: City) -> None:
    wei = city.applications["wei"]
    unchecked = file_request(city, "applicant", "none", {"application_ids": [wei]})
    assert (unchecked.decision, unchecked.rule) == ("denied", "default-deny")
    own = file_request(city, "applicant", "none", {"application_ids": [wei]}, identity_checked=True)
    assert (own.decision, own.rule) == ("granted", "self-access")
    decided = decide(city, own.request_id)
    assert decided.decision == "granted" and decided.notices == 0
    record = package(city, own.request_id)["records"][0]
    assert record["given_name"] == "Wei" and record["language"] == "zho"

    # Never held: an id the city never had.
    never = file_request(
        city, "court", "court_order",
        {"application_ids": ["app-00000000000000000000"], "fields": ["address"]},
    )  # fmt: skip
    assert (never.decision, never.rule) == ("no_records", "judicial-process-counsel-review")
    # Destroyed: the cohort key of Olek's enrollment month is gone, so is his record.
    gone = city.applications["gone"]
    with UnitOfWork(city.runtime.engine, read_only=True) as uow:
        from cityid.enrollment.tables import applications

        key_id = uow.conn.execute(
            sa.select(applications.c.cohort_key_id).where(applications.c.application_id == gone)
        ).scalar_one()
    city.runtime.keystore.destroy(key_id)
    destroyed = file_request(
        city, "federal_law_enforcement", "judicial_warrant",
        {"application_ids": [gone], "fields": ["address"]},
    )  # fmt: skip
    assert destroyed.decision == "no_records"
    with pytest.raises(Refused, match="no_records"):
        decide(city, destroyed.request_id, override="granted", fields=["address"], reason="x")
    assert decide(city, destroyed.request_id).decision == "no_records"

    # A court order that forbids notice: released, and nobody is told.
    fatou = city.applications["fatou"]
    gagged = file_request(
        city, "court", "judicial_subpoena",
        {"application_ids": [fatou, "app-00000000000000000001"], "fields": ["address"]},
        court_forbids_notice=True,
    )  # fmt: skip
    assert gagged.decision == "partially_granted"
    result = decide(city, gagged.request_id)
    assert result.decision == "partially_granted" and result.notices == 0
    with UnitOfWork(city.runtime.engine, read_only=True) as uow:
        count = uow.conn.execute(
            sa.select(sa.func.count())
            .select_from(disclosure_notices)
            .where(disclosure_notices.c.request_id == gagged.request_id)
        ).scalar_one()
    assert count == 0
    records = package(city, gagged.request_id)["records"]
    assert records[1] == {"application_id": "app-00000000000000000001", "no_records": True}
    assert set(records[0]) == {"application_id", "address"}
