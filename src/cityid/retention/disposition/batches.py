"""The batch row and what is read back from it: summaries, listings, the certificate."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import sqlalchemy as sa

from cityid.errors import NotFound, Refused
from cityid.retention.results import (
    Approval,
    BatchKind,
    BatchListed,
    BatchStatus,
    BatchSummary,
)
from cityid.retention.tables import (
    disposition_approvals,
    disposition_batches,
    disposition_cohorts,
)
from cityid.runtime import Runtime
from cityid.staff.actor import Actor
from cityid.staff.permissions import authorize
from cityid.store.uow import UnitOfWork

APPROVER_ROLES = ("records_officer", "counsel")
PAGE = 50_000  # rows read per round trip when walking a batch's items or tombstones


class NotApproved(Refused):
    code = "not_approved"


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def iso(moment: dt.datetime | None) -> str | None:
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.isoformat(timespec="seconds")


def batch_row(uow: UnitOfWork, batch_id: str, *, for_update: bool = False) -> Any:
    """The batch, locked for the rest of the transaction when `for_update` (PostgreSQL;
    SQLite's writer lock already serialises)."""
    query = sa.select(disposition_batches).where(disposition_batches.c.batch_id == batch_id)
    if for_update and uow.conn.dialect.name == "postgresql":
        query = query.with_for_update()
    row = uow.conn.execute(query).first()
    if row is None:
        raise NotFound(f"no disposition batch {batch_id}")
    return row


def set_batch(uow: UnitOfWork, batch_id: str, **values: Any) -> None:
    uow.conn.execute(
        disposition_batches.update()
        .where(disposition_batches.c.batch_id == batch_id)
        .values(**values)
    )


def approvals(uow: UnitOfWork, batch_id: str) -> list[Any]:
    return list(
        uow.conn.execute(
            sa.select(disposition_approvals)
            .where(disposition_approvals.c.batch_id == batch_id)
            .order_by(disposition_approvals.c.at)
        )
    )


def destroyed_cohort_keys(uow: UnitOfWork, batch_id: str) -> list[str]:
    """The batch's cohort keys already destroyed in the keystore, sorted."""
    return sorted(
        uow.conn.execute(
            sa.select(disposition_cohorts.c.cohort_key_id).where(
                disposition_cohorts.c.batch_id == batch_id,
                disposition_cohorts.c.state == "destroyed",
            )
        ).scalars()
    )


def summary(runtime: Runtime, batch_id: str) -> BatchSummary:
    with UnitOfWork(runtime.engine, read_only=True) as uow:
        batch = batch_row(uow, batch_id)
        keys = destroyed_cohort_keys(uow, batch_id)
        given = [Approval(a.actor_id, a.role, iso(a.at)) for a in approvals(uow, batch_id)]
    return BatchSummary(
        batch_id=batch_id,
        status=BatchStatus(batch.status),
        kind=BatchKind(batch.kind),
        rule=batch.rule,
        as_of=batch.as_of.isoformat(),
        due=batch.due,
        blocked=batch.blocked,
        blocked_by=json.loads(batch.blocked_by),
        approvals=given,
        destroyed=batch.destroyed,
        skipped_held=batch.skipped_held,
        absent=batch.absent,
        counts_by_class=json.loads(batch.counts),
        cohort_keys_destroyed=keys,
        planned_at=iso(batch.planned_at),
        completed_at=iso(batch.completed_at),
    )


def list_batches(uow: UnitOfWork, runtime: Runtime, actor: Actor) -> list[BatchListed]:
    """The 200 most recent batches, newest first."""
    authorize(runtime.policy, actor, "retention.read")
    rows = uow.conn.execute(
        sa.select(disposition_batches).order_by(disposition_batches.c.planned_at.desc()).limit(200)
    ).all()
    return [
        BatchListed(
            batch_id=row.batch_id,
            kind=BatchKind(row.kind),
            rule=row.rule,
            status=BatchStatus(row.status),
            as_of=row.as_of.isoformat(),
            due=row.due,
            blocked=row.blocked,
            blocked_by=json.loads(row.blocked_by),
            destroyed=row.destroyed,
            skipped_held=row.skipped_held,
            approvals=[a.actor_id for a in approvals(uow, row.batch_id)],
            planned_at=iso(row.planned_at),
        )
        for row in rows
    ]


def certificate_document(
    uow: UnitOfWork, runtime: Runtime, actor: Actor, batch_id: str
) -> dict[str, Any]:
    authorize(runtime.policy, actor, "retention.read")
    batch = batch_row(uow, batch_id)
    if batch.certificate is None:
        raise Refused(
            f"batch {batch_id} is {batch.status}: no certificate yet", code="not_completed"
        )
    document: dict[str, Any] = json.loads(batch.certificate)
    return document
