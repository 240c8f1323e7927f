"""Planning a batch: snapshot what is due (or one application, for early erasure) and
count what active holds block, and by which hold. Nothing is destroyed here."""

from __future__ import annotations

import datetime as dt
import json
import secrets
from collections import Counter
from typing import Any

import sqlalchemy as sa

from cityid.audit import log as audit_log
from cityid.enrollment.tables import applications
from cityid.errors import BadInput, NotFound, Refused
from cityid.retention.disposition.batches import PAGE, now
from cityid.retention.holds import active_holds, covering_holds
from cityid.retention.results import BatchStatus, Plan
from cityid.retention.scope import RecordFacts
from cityid.retention.tables import (
    BY_CLASS,
    BY_RANK,
    RECORD_TABLES,
    RecordTable,
    disposition_batches,
    disposition_items,
)
from cityid.runtime import Runtime
from cityid.staff.actor import Actor
from cityid.staff.permissions import authorize
from cityid.store.uow import UnitOfWork

# "uncollected": a card kept for pickup (or returned by the post) that nobody came for.
ERASURE_REASONS = ("withdrawn", "applicant_request", "uncollected")


def _facts_select(table: RecordTable, batch_id: str) -> sa.Select[Any]:
    """The plan snapshot's rows for one record table: id, class, application facts."""
    if table.table is applications:
        source: sa.FromClause = applications
    else:
        source = table.table.join(
            applications, applications.c.application_id == table.application_id
        )
    return sa.select(
        sa.literal(batch_id, sa.String(32)),
        sa.literal(table.rank, sa.Integer),
        table.id,
        sa.literal(table.record_class, sa.String(32)),
        applications.c.application_id,
        applications.c.enrolled_on,
        applications.c.centre,
    ).select_from(source)


_ITEM_COLUMNS = [
    "batch_id", "class_rank", "record_id", "record_class", "application_id", "enrolled_on",
    "centre",
]  # fmt: skip


def _new_batch(
    uow: UnitOfWork,
    actor: Actor,
    *,
    kind: str,
    rule: str,
    as_of: dt.date,
    classes: list[str],
    application_id: str | None = None,
) -> str:
    batch_id = f"rb-{secrets.token_hex(8)}"
    uow.conn.execute(
        disposition_batches.insert().values(
            batch_id=batch_id, kind=kind, rule=rule, as_of=as_of,
            record_classes=json.dumps(classes), application_id=application_id,
            status="planned", planned_by=actor.user_id, planned_at=now(), due=0, blocked=0,
            blocked_by="{}", cursor_rank=-1, cursor_id="", chunks=0, destroyed=0,
            skipped_held=0, absent=0, counts="{}",
        )
    )  # fmt: skip
    return batch_id


def _count_blocked(uow: UnitOfWork, batch_id: str) -> tuple[int, int, dict[str, int]]:
    """(total, blocked, blocked_by) over the batch's snapshot against the active holds."""
    total = int(
        uow.conn.execute(
            sa.select(sa.func.count()).where(disposition_items.c.batch_id == batch_id)
        ).scalar_one()
    )
    holds = active_holds(uow)
    if not holds or not total:
        return total, 0, {}
    blocked = 0
    by_hold: Counter[str] = Counter()
    rows = uow.conn.execute(
        sa.select(disposition_items)
        .where(disposition_items.c.batch_id == batch_id)
        .execution_options(yield_per=PAGE)
    )
    for row in rows:
        table = BY_RANK[row.class_rank]
        found = covering_holds(holds, _facts(row), table.guarded_classes)
        if found:
            blocked += 1
            by_hold.update(found)
    return total, blocked, dict(by_hold)


def _facts(row: Any) -> RecordFacts:
    return RecordFacts(row.record_class, row.application_id, row.enrolled_on, row.centre)


def _finish_plan(uow: UnitOfWork, actor: Actor, batch_id: str, as_of: dt.date) -> Plan:
    total, blocked, by_hold = _count_blocked(uow, batch_id)
    uow.conn.execute(
        disposition_batches.update()
        .where(disposition_batches.c.batch_id == batch_id)
        .values(due=total - blocked, blocked=blocked, blocked_by=json.dumps(by_hold))
    )
    audit_log.append(
        uow, actor, "retention.plan", [batch_id], reason="retention_schedule",
        extra={"due": total - blocked, "blocked": blocked, "holds": sorted(by_hold)},
    )  # fmt: skip
    return Plan(
        batch_id=batch_id,
        due=total - blocked,
        blocked=blocked,
        blocked_by=by_hold,
        total=total,
        as_of=as_of.isoformat(),
        status=BatchStatus.PLANNED,
    )


def plan(
    uow: UnitOfWork,
    runtime: Runtime,
    actor: Actor,
    *,
    as_of: dt.date | None = None,
    record_classes: list[str] | None = None,
) -> Plan:
    """Snapshot what is due as of a date, and what of it active holds block (and which)."""
    authorize(runtime.policy, actor, "retention.plan")
    as_of = as_of or runtime.today()
    classes = record_classes or [t.record_class for t in RECORD_TABLES]
    unknown = [name for name in classes if name not in BY_CLASS]
    if unknown:
        raise BadInput(f"retention does not manage record classes: {', '.join(unknown)}")
    batch_id = _new_batch(
        uow, actor, kind="schedule", rule="retention_schedule", as_of=as_of, classes=classes
    )
    for name in classes:
        table = BY_CLASS[name]
        due = _facts_select(table, batch_id).where(table.due_on.is_not(None), table.due_on <= as_of)
        uow.conn.execute(disposition_items.insert().from_select(_ITEM_COLUMNS, due))
    return _finish_plan(uow, actor, batch_id, as_of)


def plan_erasure(
    uow: UnitOfWork, runtime: Runtime, actor: Actor, application_id: str, *, reason: str
) -> Plan:
    """Early erasure of one application (withdrawn, or at the applicant's request): a
    batch like any other, with the application and everything it holds, due now."""
    authorize(runtime.policy, actor, "retention.plan")
    if reason not in ERASURE_REASONS:
        raise BadInput(f"the erasure reason must be one of {', '.join(ERASURE_REASONS)}")
    row = uow.conn.execute(
        sa.select(applications.c.status).where(applications.c.application_id == application_id)
    ).first()
    if row is None:
        raise NotFound(f"no application {application_id}")
    if reason == "withdrawn" and row.status != "withdrawn":
        raise Refused(f"application {application_id} is not withdrawn", code="not_withdrawn")
    classes = [t.record_class for t in RECORD_TABLES]
    today = runtime.today()
    batch_id = _new_batch(
        uow, actor, kind="erasure", rule=f"erasure:{reason}", as_of=today, classes=classes,
        application_id=application_id,
    )  # fmt: skip
    for table in RECORD_TABLES:
        mine = _facts_select(table, batch_id).where(table.application_id == application_id)
        uow.conn.execute(disposition_items.insert().from_select(_ITEM_COLUMNS, mine))
    return _finish_plan(uow, actor, batch_id, today)


# --- approval -----------------------------------------------------------------------------
