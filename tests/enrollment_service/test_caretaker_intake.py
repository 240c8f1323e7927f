"""A child applies with a caretaker: the proof is attested like the child's own documents,
kept or discarded by the same mode, never counted as points or as document reuse, and no
caretaker's name is kept anywhere (so no card can print one). Both databases."""

from __future__ import annotations

import base64
import datetime as dt
from typing import Any

import sqlalchemy as sa

from cityid.enrollment import lookup, service
from cityid.enrollment.tables import applications, document_attestations, document_copies
from cityid.runtime import Runtime
from cityid.staff.actor import Actor
from cityid.store.uow import UnitOfWork

from .helpers import DOCUMENT_SCAN

PARENT_ID_NUMBER = "MX-CONSUL-99172"


def _child(today: dt.date, given: str = "Tomás", *, scan: bool = False) -> dict[str, Any]:
    born = today.replace(year=today.year - 12) - dt.timedelta(days=40)
    parent_id: dict[str, Any] = {
        "type": "consular_id", "number": PARENT_ID_NUMBER, "issuing_country": "MEX",
        "expires": (today + dt.timedelta(days=700)).isoformat(),
    }  # fmt: skip
    if scan:
        parent_id["copy_b64"] = base64.b64encode(DOCUMENT_SCAN).decode()
    birth = {"type": "foreign_birth_certificate", "number": f"BC-{given}", "issuing_country": "MEX"}
    return {
        "given_name": given,
        "family_name": "Reyes",
        "date_of_birth": born.isoformat(),
        "address": {
            "line1": "41-20 Junction Blvd",
            "line2": "",
            "city": "Corona",
            "state": "NY",
            "postal_code": "11368",
        },
        "documents": [
            birth,
            {
                "type": "school_id",
                "number": f"OSIS-{given}",
                "issuing_country": "USA",
                "expires": (today + dt.timedelta(days=300)).isoformat(),
            },
            {
                "type": "utility_bill",
                "number": f"CONED-{given}",
                "issuing_country": "USA",
                "expires": (today + dt.timedelta(days=30)).isoformat(),
            },
        ],
        "caretaker": {"relationship": "parent", "documents": [parent_id, dict(birth)]},
    }


def _enroll(runtime: Runtime, actor: Actor, line: dict[str, Any], today: dt.date) -> Any:
    with UnitOfWork(runtime.engine) as uow:
        outcome = service.intake(
            uow, runtime, actor, service.parse_request(line, runtime, today), today=today
        )
        uow.commit()
    return outcome


def test_the_caretakers_proof_is_attested_and_counts_no_points(
    runtime: Runtime, staff: dict[str, Actor]
) -> None:
    today = runtime.today()
    outcome = _enroll(runtime, staff["clerk"], _child(today), today)
    assert outcome.status == "submitted", outcome.reasons
    with runtime.engine.connect() as conn:
        rows = conn.execute(
            sa.select(document_attestations).order_by(document_attestations.c.position)
        ).all()
        app = conn.execute(sa.select(applications)).one()
    carers = [r for r in rows if r.holder == "caretaker"]
    assert [(r.doc_type, r.points, r.outcome) for r in carers] == [
        ("consular_id", 0, "counted"), ("foreign_birth_certificate", 0, "counted"),
    ]  # fmt: skip
    assert app.total_points == 4  # the child's own documents only
    assert all(PARENT_ID_NUMBER not in str(tuple(r)) for r in rows)  # a keyed token only
    with UnitOfWork(runtime.engine) as uow:
        shown = lookup.show(uow, runtime, staff["clerk"], outcome.application_id, purpose="intake")
    assert shown.applicant.caretaker_present is True
    assert "Reyes" not in str(app.s_options)


def test_a_parent_bringing_two_children_is_no_document_reuse(
    runtime: Runtime, staff: dict[str, Actor]
) -> None:
    today = runtime.today()
    first = _enroll(runtime, staff["clerk"], _child(today, "Tomás"), today)
    second = _enroll(runtime, staff["clerk"], _child(today, "Lupita"), today)
    assert first.status == "submitted"
    assert not [f for f in second.flags if f["kind"] == "document_reuse"], second.flags


def test_the_caretakers_copies_follow_the_document_mode(
    runtime: Runtime, staff: dict[str, Actor]
) -> None:
    retained_day = dt.date(2016, 11, 1)  # the shipped policy kept copies until 2016-12-07
    kept = _enroll(runtime, staff["clerk"], _child(retained_day, scan=True), retained_day)
    assert kept.status == "submitted", kept.reasons
    with runtime.engine.connect() as conn:
        copies = conn.execute(
            sa.select(document_copies.c.attestation_id, document_attestations.c.holder).join(
                document_attestations,
                document_attestations.c.attestation_id == document_copies.c.attestation_id,
            )
        ).all()
    assert [c.holder for c in copies] == ["caretaker"]
    today = runtime.today()  # verify-and-discard: checked, handed back, never stored
    discarded = _enroll(runtime, staff["clerk"], _child(today, "Ana", scan=True), today)
    with runtime.engine.connect() as conn:
        count = conn.execute(sa.select(sa.func.count()).select_from(document_copies)).scalar()
        statuses = conn.execute(
            sa.select(document_attestations.c.copy_status).where(
                document_attestations.c.application_id == discarded.application_id,
                document_attestations.c.holder == "caretaker",
            )
        ).scalars()
        assert list(statuses) == ["not_retained", "not_retained"]
    assert count == 1


def test_a_child_without_a_caretaker_is_refused_and_nothing_is_stored(
    runtime: Runtime, staff: dict[str, Actor]
) -> None:
    today = runtime.today()
    line = _child(today)
    del line["caretaker"]
    outcome = _enroll(runtime, staff["clerk"], line, today)
    assert outcome.status == "rejected"
    assert any("caretaker" in r for r in outcome.reasons)
    with runtime.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(applications)).scalar() == 0
