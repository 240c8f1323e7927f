"""Intake, reading, searching and deciding through the services, on both databases."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import sqlalchemy as sa

from cityid.audit.tables import audit_entries, audit_targets
from cityid.crypto import KeyDestroyed
from cityid.enrollment import lookup, service, transitions
from cityid.enrollment.repository import EnrollmentKeys
from cityid.enrollment.tables import applications, document_attestations, document_copies
from cityid.errors import Forbidden, NotFound
from cityid.runtime import Runtime
from cityid.staff.actor import Actor
from cityid.store.uow import UnitOfWork

from .helpers import DOCUMENT_SCAN, PASSPORT_NUMBER, applicant_line


def _enroll(runtime: Runtime, actor: Actor, line: dict, today: dt.date | None = None):
    today = today or runtime.today()
    with UnitOfWork(runtime.engine) as uow:
        request = service.parse_request(line, runtime, today)
        outcome = service.intake(uow, runtime, actor, request, today=today)
        uow.commit()
    return outcome


def _audit(runtime: Runtime) -> list[tuple[str, bytes, list[str]]]:
    with runtime.engine.connect() as conn:
        entries = conn.execute(
            sa.select(audit_entries.c.idx, audit_entries.c.action, audit_entries.c.entry)
        ).all()
        targets = conn.execute(sa.select(audit_targets)).all()
    by_idx: dict[int, list[str]] = {}
    for row in targets:
        by_idx.setdefault(row.idx, []).append(row.target)
    return [(r.action, bytes(r.entry), by_idx.get(r.idx, [])) for r in entries]


def test_intake_round_trip_show_and_audit(runtime: Runtime, staff: dict[str, Actor]) -> None:
    line = applicant_line(photo=True, given="Zoë", family="Quintanilla-Ybarra")
    outcome = _enroll(runtime, staff["clerk"], line)
    assert outcome.status == "submitted", outcome
    assert outcome.application_id and outcome.application_id.startswith("app-")

    with UnitOfWork(runtime.engine) as uow:
        shown = lookup.show(uow, runtime, staff["clerk"], outcome.application_id, purpose="intake")
        uow.commit()
    assert shown.status == "submitted"
    assert shown.applicant.given_name == "Zoë"
    assert shown.applicant.family_name == "Quintanilla-Ybarra"
    assert shown.applicant.date_of_birth == "1988-04-17"
    assert shown.applicant.address["postal_code"] == "11368"
    assert shown.applicant.photo is True
    assert [(d.type, d.points, d.copy) for d in shown.documents] == [
        ("foreign_passport", 3, "not_retained"),
        ("utility_bill", 1, "not_retained"),
    ]

    entries = _audit(runtime)
    actions = [(action, targets) for action, _, targets in entries]
    assert ("application.create", [outcome.application_id]) in actions
    assert ("application.read", [outcome.application_id]) in actions
    everything = b"".join(entry for _, entry, _ in entries)
    for personal in (
        b"Quintanilla",
        "Zoë".encode(),
        b"1988",
        b"Junction",
        PASSPORT_NUMBER.encode(),
    ):
        assert personal not in everything

    # No personal data in the clear in the application's row.
    with runtime.engine.connect() as conn:
        row = conn.execute(sa.select(applications)).one()
    assert b"Quintanilla" not in json.dumps([str(v) for v in row]).encode()


def test_ineligible_applicant_is_answered_not_stored(
    runtime: Runtime, staff: dict[str, Actor]
) -> None:
    line = applicant_line()
    line["documents"] = line["documents"][:1]  # no residency document
    outcome = _enroll(runtime, staff["clerk"], line)
    assert outcome.status == "rejected"
    assert outcome.application_id is None
    assert "needs 1 more residency point" in outcome.reasons
    with runtime.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(applications)).scalar() == 0
        assert (
            conn.execute(sa.select(sa.func.count()).select_from(document_attestations)).scalar()
            == 0
        )
    assert [a for a, _, _ in _audit(runtime)].count("application.ineligible") == 1


def test_blind_index_finds_exact_name_and_birth_date_only(
    runtime: Runtime, staff: dict[str, Actor]
) -> None:
    first = _enroll(runtime, staff["clerk"], applicant_line(given="José", family="García López"))
    _enroll(
        runtime,
        staff["clerk"],
        applicant_line(given="Ana", family="García López", number="QQ1234567"),
    )
    clerk = staff["clerk"]
    with UnitOfWork(runtime.engine) as uow:
        found = lookup.search(
            uow, runtime, clerk, "GARCIA LOPEZ", "jose", dt.date(1988, 4, 17), purpose="intake"
        )
        other_day = lookup.search(
            uow, runtime, clerk, "García López", "José", dt.date(1988, 4, 18), purpose="intake"
        )
        uow.commit()
    assert [r.application_id for r in found] == [first.application_id]
    assert other_day == []
    searches = [t for a, _, t in _audit(runtime) if a == "application.search"]
    assert searches == [[first.application_id], []]


def test_document_reuse_is_flagged_for_review(runtime: Runtime, staff: dict[str, Actor]) -> None:
    first = _enroll(runtime, staff["clerk"], applicant_line())
    second = _enroll(
        runtime, staff["clerk"], applicant_line(given="Lucia", family="Ortega", postal_code="10031")
    )
    assert second.status == "flagged"
    assert {"kind": "document_reuse", "of": first.application_id, "score": None} in second.flags


def test_clerk_cannot_decide_supervisor_can(runtime: Runtime, staff: dict[str, Actor]) -> None:
    outcome = _enroll(runtime, staff["clerk"], applicant_line())
    assert outcome.application_id
    app_id = outcome.application_id
    with UnitOfWork(runtime.engine) as uow, pytest.raises(Forbidden):
        transitions.approve(uow, runtime, staff["clerk"], app_id)
    with UnitOfWork(runtime.engine) as uow, pytest.raises(Forbidden):
        service.intake(
            uow,
            runtime,
            Actor.system(),
            service.parse_request(applicant_line(), runtime, runtime.today()),
        )
    with UnitOfWork(runtime.engine) as uow:
        result = transitions.reject(
            uow, runtime, staff["supervisor"], app_id, "photo does not match: Marisol"
        )
        uow.commit()
    assert result.status == "rejected"
    entries = _audit(runtime)
    assert ("application.reject", [app_id]) in [(a, t) for a, _, t in entries]
    assert not any(b"Marisol" in e for _, e, _ in entries)
    with runtime.engine.connect() as conn:
        row = conn.execute(sa.select(applications)).one()
    assert row.status == "rejected" and row.due_on is not None


def test_status_check_needs_reference_and_birth_date(
    runtime: Runtime, staff: dict[str, Actor]
) -> None:
    outcome = _enroll(runtime, staff["clerk"], applicant_line())
    assert outcome.reference
    with UnitOfWork(runtime.engine) as uow:
        answer = lookup.status_check(uow, runtime, outcome.reference.lower(), dt.date(1988, 4, 17))
        uow.commit()
        assert answer == {"reference": outcome.reference, "status": "submitted"}
        with pytest.raises(NotFound):
            lookup.status_check(uow, runtime, outcome.reference, dt.date(1988, 4, 18))


def test_retain_mode_keeps_a_sealed_copy_in_its_own_cohort(
    runtime: Runtime, staff: dict[str, Actor]
) -> None:
    # Before 2016-12-07 the shipped policy keeps copies, until 2016-12-31.
    day = dt.date(2016, 11, 1)
    outcome = _enroll(runtime, staff["clerk"], applicant_line(scan=True, today=day), today=day)
    assert outcome.application_id
    with runtime.engine.connect() as conn:
        copy = conn.execute(sa.select(document_copies)).one()
        app = conn.execute(sa.select(applications)).one()
    assert copy.due_on == dt.date(2016, 12, 31)
    assert copy.cohort_key_id != app.cohort_key_id
    assert runtime.keystore.info(copy.cohort_key_id).purpose == "document_copy/2016-12"
    assert DOCUMENT_SCAN not in bytes(copy.s_image)
    from cityid.crypto import SealedKey

    with EnrollmentKeys.open(runtime.keystore) as keys:
        image = keys.sealer.open_field(
            SealedKey(copy.cohort_key_id, bytes(copy.wrapped_key)), copy.copy_id, "image",
            bytes(copy.s_image),
        )  # fmt: skip
    assert image == DOCUMENT_SCAN
    with UnitOfWork(runtime.engine) as uow:
        shown = lookup.show(uow, runtime, staff["clerk"], outcome.application_id, purpose="intake")
    assert shown.documents[0].copy == "retained"

    # The mode change of 2016-12-07 is recorded once, by the first intake after it.
    _enroll(runtime, staff["clerk"], applicant_line(number="AB0000001"))
    _enroll(runtime, staff["clerk"], applicant_line(number="AB0000002"))
    assert [a for a, _, _ in _audit(runtime)].count("policy.mode_change") == 1


def test_destroyed_keys_answer_destroyed_never_garbage(
    runtime: Runtime, staff: dict[str, Actor]
) -> None:
    outcome = _enroll(runtime, staff["clerk"], applicant_line())
    assert outcome.application_id
    with runtime.engine.connect() as conn:
        cohort = conn.execute(sa.select(applications.c.cohort_key_id)).scalar_one()
    runtime.keystore.destroy(cohort)
    with UnitOfWork(runtime.engine) as uow, pytest.raises(KeyDestroyed) as caught:
        lookup.show(uow, runtime, staff["clerk"], outcome.application_id, purpose="intake")
    assert caught.value.code == "destroyed"
