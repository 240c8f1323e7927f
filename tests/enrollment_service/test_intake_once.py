"""`service.intake_once`, the one idempotent intake every door calls."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pytest
import sqlalchemy as sa

from cityid.audit.tables import audit_entries
from cityid.enrollment import idempotency, service
from cityid.enrollment.tables import applications
from cityid.runtime import Runtime
from cityid.staff.actor import Actor
from cityid.store.uow import UnitOfWork

from .helpers import applicant_line

KEY = "desk:service-retry-01"


def _once(runtime: Runtime, actor: Actor, sent: dict[str, Any], key: str | None = KEY):
    with UnitOfWork(runtime.engine) as uow:
        outcome = service.intake_once(uow, runtime, actor, sent, idempotency_key=key)
        uow.commit()
    return outcome


def _count(runtime: Runtime, table: sa.Table, *where: sa.ColumnElement[bool]) -> int:
    with runtime.engine.connect() as conn:
        query = sa.select(sa.func.count()).select_from(table).where(*where)
        return int(conn.execute(query).scalar_one())


def test_a_retry_through_the_service_gets_the_first_outcome(
    runtime: Runtime, staff: dict[str, Actor]
) -> None:
    first = _once(runtime, staff["clerk"], applicant_line())
    again = _once(runtime, staff["clerk"], applicant_line())
    assert first.application_id and again == first
    assert _count(runtime, applications) == 1
    replayed = audit_entries.c.action == "application.intake_replayed"
    assert _count(runtime, audit_entries, replayed) == 1

    other = applicant_line(given="Ana", family="Okafor", born=dt.date(1990, 1, 2), number="X1")
    with pytest.raises(idempotency.KeyReused):
        _once(runtime, staff["clerk"], other)
    # Keys are per staff member, and no key means a new intake each time.
    assert _once(runtime, staff["supervisor"], other).application_id != first.application_id
    assert _once(runtime, staff["clerk"], other, key=None).application_id
    assert _count(runtime, applications) == 3


def test_an_answer_kept_in_the_earlier_api_shape_still_replays(
    runtime: Runtime, staff: dict[str, Actor]
) -> None:
    first = _once(runtime, staff["clerk"], applicant_line(), key="api-key-0001")
    fields = dataclasses.asdict(first)
    earlier_shape = {
        **{k: fields[k] for k in ("application_id", "reference", "status", "flags")},
        **{k: fields[k] for k in ("reasons", "notes")},
        "points": {
            "identity": first.identity_points,
            "residency": first.residency_points,
            "total": first.total_points,
        },
    }
    sent = applicant_line(given="Ana", family="Okafor", born=dt.date(1990, 1, 2), number="X2")
    with UnitOfWork(runtime.engine) as uow:
        now = dt.datetime.now(dt.UTC)
        idempotency.remember(uow, staff["clerk"], "api-key-0002", sent, earlier_shape, now)
        uow.commit()
    assert _once(runtime, staff["clerk"], sent, key="api-key-0002") == first
    assert _count(runtime, applications) == 1
