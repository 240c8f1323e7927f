"""Retention schedules from the policy: when each record falls due, and its cohort (pure).

A cohort is a record class and a period ("2016-12", or "2016" for yearly schedules);
records that fall due together share a cohort key, so destroying them costs one key.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from cityid.policy.model import Policy, RetentionSchedule


@dataclass(frozen=True)
class RecordEvents:
    """The events a schedule may count from; None while an event has not happened."""

    enrolled_on: dt.date | None = None
    issued_on: dt.date | None = None
    card_expires_on: dt.date | None = None
    decided_on: dt.date | None = None


def add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year without one
        return day.replace(year=day.year + years, day=28)


def keep_until(schedule: RetentionSchedule, start: dt.date) -> dt.date:
    return add_years(start, schedule.keep_years) + dt.timedelta(days=schedule.keep_days)


def due_date(policy: Policy, record_class: str, events: RecordEvents) -> dt.date | None:
    """When a record of `record_class` falls due; None if its clock has not started
    (or no schedule names the class: such records are kept until a schedule does)."""
    schedule = policy.schedule_for(record_class)
    if schedule is None:
        return None
    if schedule.from_event == "fixed_date":
        assert schedule.fixed_date is not None
        # A record made after the law's date is due at once.
        if events.enrolled_on is not None and events.enrolled_on > schedule.fixed_date:
            return events.enrolled_on
        return schedule.fixed_date
    start = {
        "enrollment": events.enrolled_on,
        "issuance": events.issued_on,
        "card_expiry": events.card_expires_on,
        "decision": events.decided_on,
    }[schedule.from_event]
    return None if start is None else keep_until(schedule, start)


def cohort_period(policy: Policy, record_class: str, day: dt.date) -> str:
    """The cohort period a day falls in for a class: "YYYY-MM", or "YYYY" for yearly."""
    schedule = policy.schedule_for(record_class)
    if schedule is not None and schedule.cohort_period == "year":
        return f"{day.year:04d}"
    return f"{day.year:04d}-{day.month:02d}"


def enrollment_month(day: dt.date) -> str:
    """The backlog's cohorts: document copies imported by the month they were taken."""
    return f"{day.year:04d}-{day.month:02d}"


def keystore_backup_expiry(policy: Policy, today: dt.date) -> dt.date:
    """The day the last keystore backup holding a key destroyed today expires."""
    return today + dt.timedelta(days=policy.retention.keystore_backup_retention_days)
