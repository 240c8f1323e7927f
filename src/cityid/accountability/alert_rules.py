"""Insider-alert rules over the audit log (pure): thresholds from the policy.

Each rule groups entries by staffer and by a fixed window (a UTC hour, or a day in the
program's time zone), so the same activity always gives the same alert (rule, staffer,
window start) however often the log is scanned.

- read_rate: more reads in an hour than `max_reads_per_hour`.
- off_shift: reads outside the shift hours, at least `off_shift_min_reads` in a day.
- other_centre: reads of another centre's applications, at least `other_centre_min_reads`.
- no_open_task: reads, for a task purpose, of records with no open task.
- search_without_intake: searches by name not followed by an intake by the same staffer.
- not_found_spike: searches that found nothing, at least `not_found_per_hour` in an hour.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from cityid.policy.model import Accountability

READ = "application.read"
SEARCH = "application.search"
INTAKE = "application.create"
RULES = (
    "read_rate",
    "off_shift",
    "other_centre",
    "no_open_task",
    "search_without_intake",
    "not_found_spike",
)


@dataclass(frozen=True)
class LogEvent:
    """One audit entry, as the rules see it."""

    index: int
    at: dt.datetime
    actor: str
    action: str
    targets: tuple[str, ...]
    purpose: str
    found: int | None = None  # searches: how many applications answered


@dataclass(frozen=True)
class Context:
    """What the rules know besides the log: each staffer's centre, each record's."""

    staff_centre: Mapping[str, str | None]
    record_centre: Mapping[str, str | None]
    open_task: Mapping[str, bool]
    timezone: str


@dataclass(frozen=True)
class Alert:
    rule: str
    staff_id: str
    window_start: dt.datetime
    window_end: dt.datetime
    count: int
    indexes: tuple[int, ...]


Window = tuple[dt.datetime, dt.datetime]


def evaluate(events: Sequence[LogEvent], context: Context, rules: Accountability) -> list[Alert]:
    """Every alert the events raise, ordered by window, rule and staffer."""
    limits = rules.alerts
    tz = ZoneInfo(context.timezone)
    reads = [e for e in events if e.action == READ]
    searches = [e for e in events if e.action == SEARCH]

    def hour(e: LogEvent) -> Window:
        return _hour(e.at)

    def day(e: LogEvent) -> Window:
        return _local_day(e.at, tz)

    def off_shift(e: LogEvent) -> bool:
        local = e.at.astimezone(tz).hour
        return not limits.shift_start_hour <= local < limits.shift_end_hour

    def other_centre(e: LogEvent) -> bool:
        mine = context.staff_centre.get(e.actor)
        return mine is not None and any(
            context.record_centre.get(t, mine) not in (mine, None) for t in e.targets
        )

    def no_task(e: LogEvent) -> bool:
        return e.purpose not in rules.purposes_without_task and not any(
            context.open_task.get(t, True) for t in e.targets
        )

    alerts = [
        *_over(reads, "read_rate", hour, limits.max_reads_per_hour + 1),
        *_over([e for e in reads if off_shift(e)], "off_shift", day, limits.off_shift_min_reads),
        *_over(
            [e for e in reads if other_centre(e)], "other_centre", day,
            limits.other_centre_min_reads,
        ),
        *_over([e for e in reads if no_task(e)], "no_open_task", day, limits.no_task_min_reads),
        *_over(
            _without_intake(searches, events, dt.timedelta(minutes=limits.search_intake_minutes)),
            "search_without_intake", day, limits.searches_without_intake,
        ),
        *_over(
            [e for e in searches if e.found == 0], "not_found_spike", hour,
            limits.not_found_per_hour,
        ),
    ]  # fmt: skip
    cap = limits.max_entries_per_alert
    return sorted(
        (Alert(a.rule, a.staff_id, a.window_start, a.window_end, a.count, a.indexes[:cap])
         for a in alerts),
        key=lambda a: (a.window_start, RULES.index(a.rule), a.staff_id),
    )  # fmt: skip


def _over(
    events: Iterable[LogEvent], rule: str, window: Callable[[LogEvent], Window], at_least: int
) -> list[Alert]:
    groups: dict[tuple[str, Window], list[int]] = defaultdict(list)
    for event in events:
        groups[(event.actor, window(event))].append(event.index)
    return [
        Alert(rule, actor, start, end, len(indexes), tuple(sorted(indexes)))
        for (actor, (start, end)), indexes in groups.items()
        if len(indexes) >= at_least
    ]


def _without_intake(
    searches: Sequence[LogEvent], events: Sequence[LogEvent], within: dt.timedelta
) -> list[LogEvent]:
    intakes: dict[str, list[dt.datetime]] = defaultdict(list)
    for event in events:
        if event.action == INTAKE:
            intakes[event.actor].append(event.at)
    return [
        s
        for s in searches
        if not any(s.at <= at <= s.at + within for at in intakes.get(s.actor, ()))
    ]


def _hour(at: dt.datetime) -> Window:
    start = at.astimezone(dt.UTC).replace(minute=0, second=0, microsecond=0)
    return start, start + dt.timedelta(hours=1)


def _local_day(at: dt.datetime, tz: ZoneInfo) -> Window:
    local = at.astimezone(tz)
    start = dt.datetime.combine(local.date(), dt.time(), tz)
    end = dt.datetime.combine(local.date() + dt.timedelta(days=1), dt.time(), tz)
    return start.astimezone(dt.UTC), end.astimezone(dt.UTC)
