"""Insider alerts as a service: scan the log, keep what the rules raise, work the queue.

A scan reads the entries of a period (reads, searches, intakes), asks the pure rules
(`alert_rules`) and stores each new alert once (rule, staffer, window are unique), so
rescanning never duplicates. The auditor's queue lists open alerts; each shows the
entries that raised it; closing one records its outcome. Scans and closings are audited.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from cityid.accountability.alert_rules import INTAKE, READ, SEARCH, Context, LogEvent, evaluate
from cityid.accountability.tables import insider_alerts
from cityid.audit import log as audit_log
from cityid.audit.entry import decode_entry
from cityid.audit.results import EntryShown
from cityid.audit.tables import audit_entries
from cityid.enrollment.tables import applications
from cityid.errors import BadInput, NotFound, Refused
from cityid.matching.tables import review_items
from cityid.runtime import Runtime
from cityid.staff.actor import Actor
from cityid.staff.permissions import authorize
from cityid.staff.tables import staff_users
from cityid.store.uow import UnitOfWork

OUTCOMES = ("explained", "referred", "false_positive")
OPEN_TASK_STATUSES = ("submitted", "flagged")
DEFAULT_SCAN_DAYS = 2


@dataclass(frozen=True)
class AlertShown:
    alert_id: str
    rule: str
    staff_id: str
    username: str | None
    role: str | None
    centre: str | None
    window_start: str
    window_end: str
    count: int
    status: str
    outcome: str | None
    raised_at: str
    entry_indexes: list[int]


@dataclass(frozen=True)
class AlertDetail:
    alert: AlertShown
    entries: list[EntryShown]


@dataclass(frozen=True)
class ScanResult:
    since: str
    until: str
    entries_read: int
    raised: int
    alerts: list[AlertShown]


def scan(
    uow: UnitOfWork,
    runtime: Runtime,
    actor: Actor,
    *,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
) -> ScanResult:
    """Run every rule over [since, until) (default: the last two days to now)."""
    authorize(runtime.policy, actor, "access.alerts")
    until = until or audit_log.now() + dt.timedelta(seconds=1)  # this second's entries too
    since = since or until - dt.timedelta(days=DEFAULT_SCAN_DAYS)
    if since >= until:
        raise BadInput("the scan's start must come before its end")
    events = _events(uow, since, until)
    context = _context(uow, runtime, events)
    raised = evaluate(events, context, runtime.policy.accountability)
    existing = {
        (r.rule, r.staff_id, _aware(r.window_start))
        for r in uow.conn.execute(
            sa.select(
                insider_alerts.c.rule, insider_alerts.c.staff_id, insider_alerts.c.window_start
            ).where(insider_alerts.c.window_end > since, insider_alerts.c.window_start < until)
        )
    }
    new_ids: list[str] = []
    now = audit_log.now()
    for alert in raised:
        if (alert.rule, alert.staff_id, alert.window_start) in existing:
            continue
        alert_id = f"alert-{secrets.token_hex(8)}"
        uow.conn.execute(
            insider_alerts.insert().values(
                alert_id=alert_id,
                rule=alert.rule,
                staff_id=alert.staff_id,
                window_start=alert.window_start,
                window_end=alert.window_end,
                count=alert.count,
                entries=json.dumps(list(alert.indexes)),
                status="open",
                raised_at=now,
            )
        )
        new_ids.append(alert_id)
    audit_log.append(
        uow,
        actor,
        "alerts.scan",
        new_ids,
        reason="insider_rules",
        extra={"entries": len(events), "raised": len(new_ids)},
    )
    shown = [_shown(uow, _load(uow, alert_id)) for alert_id in new_ids]
    return ScanResult(_stamp(since), _stamp(until), len(events), len(new_ids), shown)


def queue(
    uow: UnitOfWork, runtime: Runtime, actor: Actor, *, status: str = "open"
) -> list[AlertShown]:
    authorize(runtime.policy, actor, "access.alerts")
    if status not in ("open", "closed"):
        raise BadInput("status is open or closed")
    rows = uow.conn.execute(
        sa.select(insider_alerts)
        .where(insider_alerts.c.status == status)
        .order_by(insider_alerts.c.window_start.desc(), insider_alerts.c.rule)
        .limit(500)
    ).all()
    return [_shown(uow, row) for row in rows]


def open_count(uow: UnitOfWork) -> int:
    """For the dashboard: how many alerts wait for an auditor (no personal data)."""
    return int(
        uow.conn.execute(
            sa.select(sa.func.count())
            .select_from(insider_alerts)
            .where(insider_alerts.c.status == "open")
        ).scalar_one()
    )


def show(uow: UnitOfWork, runtime: Runtime, actor: Actor, alert_id: str) -> AlertDetail:
    """The alert and the entries that raised it; the auditor's look is audited."""
    authorize(runtime.policy, actor, "access.alerts")
    row = _load(uow, alert_id)
    alert = _shown(uow, row)
    rows = uow.conn.execute(
        sa.select(audit_entries.c.idx, audit_entries.c.entry)
        .where(audit_entries.c.idx.in_(alert.entry_indexes))
        .order_by(audit_entries.c.idx)
    ).all()
    entries = []
    for entry_row in rows:
        entry = decode_entry(bytes(entry_row.entry))
        entries.append(
            EntryShown(
                index=entry_row.idx,
                actor=entry.actor,
                action=entry.action,
                targets=list(entry.targets),
                reason=entry.reason,
                reason_ref=entry.reason_ref,
                at=entry.at.isoformat(),
            )
        )
    audit_log.append(uow, actor, "alerts.read", [alert_id], reason=alert.rule)
    return AlertDetail(alert, entries)


def close(
    uow: UnitOfWork, runtime: Runtime, actor: Actor, alert_id: str, outcome: str
) -> AlertShown:
    """Close an open alert with its outcome (explained, referred, false_positive)."""
    authorize(runtime.policy, actor, "access.alerts")
    if outcome not in OUTCOMES:
        raise BadInput(f"outcome must be one of {', '.join(OUTCOMES)}")
    row = _load(uow, alert_id)
    if row.status != "open":
        raise Refused(f"alert {alert_id} is already closed")
    uow.conn.execute(
        insider_alerts.update()
        .where(insider_alerts.c.alert_id == alert_id)
        .values(
            status="closed", outcome=outcome, closed_by=actor.user_id, closed_at=audit_log.now()
        )
    )
    audit_log.append(uow, actor, "alerts.close", [alert_id], reason=outcome)
    return _shown(uow, _load(uow, alert_id))


def _events(uow: UnitOfWork, since: dt.datetime, until: dt.datetime) -> list[LogEvent]:
    rows = uow.conn.execute(
        sa.select(audit_entries.c.idx, audit_entries.c.entry)
        .where(
            audit_entries.c.action.in_([READ, SEARCH, INTAKE]),
            audit_entries.c.at >= since,
            audit_entries.c.at < until,
        )
        .order_by(audit_entries.c.idx)
    ).all()
    events = []
    for row in rows:
        entry = decode_entry(bytes(row.entry))
        found = entry.extra.get("found")
        events.append(
            LogEvent(
                index=row.idx,
                at=entry.at,
                actor=entry.actor,
                action=entry.action,
                targets=entry.targets,
                purpose=entry.reason,
                found=found if isinstance(found, int) else None,
            )
        )
    return events


def _context(uow: UnitOfWork, runtime: Runtime, events: list[LogEvent]) -> Context:
    staff_ids = sorted({e.actor for e in events})
    record_ids = sorted({t for e in events if e.action == READ for t in e.targets})
    staff_centre: dict[str, str | None] = {}
    record_centre: dict[str, str | None] = {}
    open_task: dict[str, bool] = {}
    for chunk in _chunks(staff_ids):
        for s in uow.conn.execute(
            sa.select(staff_users.c.user_id, staff_users.c.centre).where(
                staff_users.c.user_id.in_(chunk)
            )
        ):
            staff_centre[s.user_id] = s.centre
    for chunk in _chunks(record_ids):
        for r in uow.conn.execute(
            sa.select(
                applications.c.application_id, applications.c.centre, applications.c.status
            ).where(applications.c.application_id.in_(chunk))
        ):
            record_centre[r.application_id] = r.centre
            open_task[r.application_id] = r.status in OPEN_TASK_STATUSES
        for item in uow.conn.execute(
            sa.select(review_items.c.application_id, review_items.c.other_application_id).where(
                review_items.c.status == "open",
                sa.or_(
                    review_items.c.application_id.in_(chunk),
                    review_items.c.other_application_id.in_(chunk),
                ),
            )
        ):
            for app in (item.application_id, item.other_application_id):
                if app:
                    open_task[app] = True
    for record in record_ids:
        open_task.setdefault(record, False)  # gone (destroyed): no task can be open
    return Context(staff_centre, record_centre, open_task, runtime.policy.program.timezone)


def _chunks(values: list[str], size: int = 500) -> list[list[str]]:
    return [values[i : i + size] for i in range(0, len(values), size)]


def _load(uow: UnitOfWork, alert_id: str) -> Any:
    row = uow.conn.execute(
        sa.select(insider_alerts).where(insider_alerts.c.alert_id == alert_id)
    ).first()
    if row is None:
        raise NotFound(f"no alert {alert_id}")
    return row


def _shown(uow: UnitOfWork, row: Any) -> AlertShown:
    staff = uow.conn.execute(
        sa.select(staff_users.c.username, staff_users.c.role, staff_users.c.centre).where(
            staff_users.c.user_id == row.staff_id
        )
    ).first()
    return AlertShown(
        alert_id=row.alert_id,
        rule=row.rule,
        staff_id=row.staff_id,
        username=staff.username if staff else None,
        role=staff.role if staff else None,
        centre=staff.centre if staff else None,
        window_start=_stamp(row.window_start),
        window_end=_stamp(row.window_end),
        count=int(row._mapping["count"]),
        status=row.status,
        outcome=row.outcome,
        raised_at=_stamp(row.raised_at),
        entry_indexes=[int(i) for i in json.loads(row.entries)],
    )


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)


def _stamp(moment: dt.datetime) -> str:
    return _aware(moment).isoformat(timespec="minutes")
