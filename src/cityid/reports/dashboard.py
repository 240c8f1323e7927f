"""The supervisor's dashboard: what came in, what was flagged, what is held, what falls due.

Counts only. Every query here groups and counts columns that carry no personal data
(statuses, dates, classes, cohorts, codes); no sealed field is opened, so showing the
dashboard reads nobody's record. It is still an access to the register's shape, so it
needs `report.read` and leaves one "dashboard.read" entry in the audit log.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import sqlalchemy as sa

from cityid.accountability import alerts
from cityid.appointments.bookings import counts_for_day
from cityid.appointments.centres import city_today
from cityid.appointments.rules import DayCounts
from cityid.audit import log as audit_log
from cityid.cards.records import LIVE_STATUSES
from cityid.cards.tables import CARD_STATUSES, cards
from cityid.enrollment.lifecycle import STATUSES as APPLICATION_STATUSES
from cityid.enrollment.tables import applications
from cityid.errors import CityIdError
from cityid.matching.review import DECISIONS
from cityid.matching.tables import review_items
from cityid.production.report import production_tiles
from cityid.retention.tables import (
    RECORD_TABLES,
    disposition_batches,
    legal_hold_events,
    legal_holds,
)
from cityid.runtime import Runtime
from cityid.staff.actor import Actor
from cityid.staff.permissions import authorize
from cityid.store.uow import UnitOfWork

FLAG_OUTCOMES: tuple[str, ...] = ("open", *DECISIONS)
DUE_NOW = "due now"
NO_DUE_DATE = "no due date yet"


@dataclass(frozen=True)
class ActiveHold:
    """A hold in force: who ordered it and when. Counsel's reason and the scope stay out."""

    hold_id: str
    authority: str
    docket: str
    order_date: dt.date | None
    placed_on: dt.date


@dataclass(frozen=True)
class OpenBatch:
    """A disposition batch not yet completed, with its counts."""

    batch_id: str
    kind: str
    rule: str
    status: str
    due: int
    blocked: int
    planned_on: dt.date


@dataclass(frozen=True)
class CohortCount:
    record_class: str
    cohort: str
    count: int


@dataclass(frozen=True)
class Dashboard:
    as_of: dt.date
    # Every day of the window, oldest first, zeros included.
    enrollments_per_day: list[tuple[dt.date, int]]
    applications_by_status: dict[str, int]
    # Review-queue items by kind, then by outcome: open or the investigator's decision.
    flags: dict[str, dict[str, int]]
    cards_by_status: dict[str, int]
    records_by_class: dict[str, int]
    records_by_cohort: list[CohortCount]
    active_holds: list[ActiveHold]
    # "due now", then each month of the horizon: records falling due, by class.
    records_due: dict[str, dict[str, int]]
    open_batches: list[OpenBatch]
    # Today's appointments at every centre: booked, shows, no-shows, waiting time.
    appointments_today: DayCounts | None = None
    # Insider alerts waiting for an auditor (accountability/alerts.py).
    insider_alerts_open: int = 0
    # Card production: how many cards are at each step (queue, mail, centre, pickup).
    card_production: dict[str, int] = field(default_factory=dict)

    @property
    def enrollments_in_window(self) -> int:
        return sum(n for _day, n in self.enrollments_per_day)

    @property
    def open_flags(self) -> int:
        return sum(outcomes["open"] for outcomes in self.flags.values())


def build_dashboard(
    uow: UnitOfWork,
    runtime: Runtime,
    actor: Actor,
    *,
    today: dt.date | None = None,
    days: int = 14,
    months_ahead: int = 6,
) -> Dashboard:
    """The dashboard as of `today`; audited in the caller's unit of work (caller commits)."""
    authorize(runtime.policy, actor, "report.read")
    today = today or runtime.today()
    by_class, by_cohort = records_held(uow, cohort_labels(runtime))
    found = Dashboard(
        as_of=today,
        enrollments_per_day=enrollments_per_day(uow, today, days),
        applications_by_status=applications_by_status(uow),
        flags=flags_by_outcome(uow),
        cards_by_status=cards_by_status(uow, today),
        records_by_class=by_class,
        records_by_cohort=by_cohort,
        active_holds=active_holds(uow),
        records_due=records_due(uow, today, months_ahead),
        open_batches=open_batches(uow),
        appointments_today=appointment_counts(uow, runtime, today),
        insider_alerts_open=alerts.open_count(uow),
        card_production=production_tiles(uow, runtime.policy, today),
    )
    audit_log.append(uow, actor, "dashboard.read", [], reason="report")
    return found


# --- the queries (each a handful of GROUP BYs) ----------------------------------------------


def appointment_counts(uow: UnitOfWork, runtime: Runtime, today: dt.date) -> DayCounts:
    """Today's bookings on the city's clock (a dashboard for another day counts that day)."""
    day = city_today(runtime) if today == runtime.today() else today
    return counts_for_day(uow, runtime, day)


def _day(value: object) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def enrollments_per_day(uow: UnitOfWork, today: dt.date, days: int) -> list[tuple[dt.date, int]]:
    first = today - dt.timedelta(days=max(days, 1) - 1)
    c = applications.c
    query = (
        sa.select(c.enrolled_on, sa.func.count())
        .where(c.enrolled_on >= first, c.enrolled_on <= today)
        .group_by(c.enrolled_on)
    )
    counts = {_day(day): int(n) for day, n in uow.conn.execute(query)}
    return [
        (day, counts.get(day, 0))
        for day in (first + dt.timedelta(days=i) for i in range((today - first).days + 1))
    ]


def applications_by_status(uow: UnitOfWork) -> dict[str, int]:
    c = applications.c
    found = dict.fromkeys(APPLICATION_STATUSES, 0)
    for status, n in uow.conn.execute(sa.select(c.status, sa.func.count()).group_by(c.status)):
        found[str(status)] = int(n)
    return found


def flags_by_outcome(uow: UnitOfWork) -> dict[str, dict[str, int]]:
    c = review_items.c
    query = sa.select(c.kind, c.status, c.decision, sa.func.count()).group_by(
        c.kind, c.status, c.decision
    )
    found: dict[str, dict[str, int]] = {}
    for kind, status, decision, n in uow.conn.execute(query):
        slot = found.setdefault(str(kind), dict.fromkeys(FLAG_OUTCOMES, 0))
        outcome = "open" if status == "open" else str(decision)
        slot[outcome] = slot.get(outcome, 0) + int(n)
    return dict(sorted(found.items()))


def cards_by_status(uow: UnitOfWork, today: dt.date) -> dict[str, int]:
    """As a verifier would see them: a live card past its expiry counts as expired."""
    c = cards.c
    past = sa.case((c.expires_on < today, True), else_=False)
    query = sa.select(c.status, past, sa.func.count()).group_by(c.status, past)
    found = dict.fromkeys(CARD_STATUSES, 0)
    for status, expired, n in uow.conn.execute(query):
        shown = "expired" if expired and status in LIVE_STATUSES else str(status)
        found[shown] = found.get(shown, 0) + int(n)
    return found


def cohort_labels(runtime: Runtime) -> dict[str, str]:
    """Cohort key id to its period ("2016-12"), from the keystore's list (no key material)."""
    try:
        keys = runtime.keystore.list_keys()
    except CityIdError:  # a keystore that will not open still leaves the counts worth showing
        return {}
    return {k.key_id: k.purpose.partition("/")[2] for k in keys if k.kind == "cohort"}


def _month(day: dt.date | None) -> str:
    return NO_DUE_DATE if day is None else f"due {day.year:04d}-{day.month:02d}"


def records_held(
    uow: UnitOfWork, labels: Mapping[str, str]
) -> tuple[dict[str, int], list[CohortCount]]:
    """Records in the register by class, and by retention cohort within each class.

    Sealed records are counted by their cohort key (named by its period); classes with no
    key of their own (attestations, cards) by the month they fall due.
    """
    cohorts: Counter[tuple[str, str]] = Counter()
    for record in RECORD_TABLES:
        column = record.cohort_key_id if record.cohort_key_id is not None else record.due_on
        query = sa.select(column, sa.func.count()).select_from(record.table).group_by(column)
        for value, n in uow.conn.execute(query):
            if record.cohort_key_id is not None:
                label = labels.get(str(value)) or str(value)
            else:
                label = _month(None if value is None else _day(value))
            cohorts[(record.record_class, label)] += int(n)
    card_query = sa.select(cards.c.retention_cohort, sa.func.count()).group_by(
        cards.c.retention_cohort
    )
    for value, n in uow.conn.execute(card_query):
        cohorts[("card", str(value))] += int(n)
    by_class: Counter[str] = Counter()
    for (record_class, _label), n in cohorts.items():
        by_class[record_class] += n
    rows = [CohortCount(cls, label, n) for (cls, label), n in sorted(cohorts.items())]
    return dict(sorted(by_class.items())), rows


def active_holds(uow: UnitOfWork) -> list[ActiveHold]:
    released = sa.select(legal_hold_events.c.hold_id).where(legal_hold_events.c.kind == "released")
    c = legal_holds.c
    query = (
        sa.select(c.hold_id, c.authority, c.docket, c.order_date, c.placed_at)
        .where(c.hold_id.not_in(released))
        .order_by(c.placed_at, c.hold_id)
    )
    return [
        ActiveHold(row.hold_id, row.authority, row.docket, row.order_date, _day(row.placed_at))
        for row in uow.conn.execute(query)
    ]


def _months(today: dt.date, months_ahead: int) -> list[str]:
    found, year, month = [], today.year, today.month
    for _ in range(max(months_ahead, 1)):
        found.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return found


def records_due(uow: UnitOfWork, today: dt.date, months_ahead: int) -> dict[str, dict[str, int]]:
    """Records that fall due from now to the end of the horizon, by month and class.

    "due now" is what a disposition plan made today would find due (held or not: the
    plan says which holds block what).
    """
    months = _months(today, months_ahead)
    found: dict[str, dict[str, int]] = {period: {} for period in (DUE_NOW, *months)}
    sources: Iterable[tuple[str, sa.Table, sa.Column[object]]] = [
        *((r.record_class, r.table, r.due_on) for r in RECORD_TABLES),
        ("card", cards, cards.c.due_on),
    ]
    for record_class, table, due in sources:
        query = (
            sa.select(due, sa.func.count()).select_from(table).where(due.is_not(None)).group_by(due)
        )
        for value, n in uow.conn.execute(query):
            day = _day(value)
            bucket = DUE_NOW if day <= today else f"{day.year:04d}-{day.month:02d}"
            if bucket in found:
                slot = found[bucket]
                slot[record_class] = slot.get(record_class, 0) + int(n)
    return found


def open_batches(uow: UnitOfWork) -> list[OpenBatch]:
    c = disposition_batches.c
    query = (
        sa.select(c.batch_id, c.kind, c.rule, c.status, c.due, c.blocked, c.planned_at)
        .where(c.status != "completed")
        .order_by(c.planned_at, c.batch_id)
    )
    return [
        OpenBatch(
            batch_id=row.batch_id,
            kind=row.kind,
            rule=row.rule,
            status=row.status,
            due=int(row.due),
            blocked=int(row.blocked),
            planned_on=_day(row.planned_at),
        )
        for row in uow.conn.execute(query)
    ]
