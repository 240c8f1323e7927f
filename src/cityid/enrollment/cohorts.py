"""Which retention cohort an enrollment record joins, and when it falls due (pure).

A cohort is a record class and the period its records fall due in; records destroyed
together share a cohort key, so destroying them costs one key destruction.
"""

from __future__ import annotations

import datetime as dt

from cityid.policy.model import Policy, RetentionSchedule


def period_of(day: dt.date, schedule: RetentionSchedule | None = None) -> str:
    """ "2016-12" (or "2016" for a schedule whose cohorts are years)."""
    if schedule is not None and schedule.cohort_period == "year":
        return f"{day.year:04d}"
    return f"{day.year:04d}-{day.month:02d}"


def add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year without one
        return day.replace(year=day.year + years, day=28)


def keep_until(schedule: RetentionSchedule, start: dt.date) -> dt.date:
    return add_years(start, schedule.keep_years) + dt.timedelta(days=schedule.keep_days)


def document_copy_due(policy: Policy, enrolled_on: dt.date) -> dt.date:
    """When a retained copy falls due: the schedule's fixed date, else enrollment + keep."""
    schedule = policy.schedule_for("document_copy")
    if schedule is None:
        return enrolled_on
    if schedule.from_event == "fixed_date" and schedule.fixed_date is not None:
        # A copy taken after the fixed date is due at once (the law's date has passed).
        return max(schedule.fixed_date, enrolled_on)
    return keep_until(schedule, enrolled_on)


def document_copy_period(policy: Policy, due_on: dt.date) -> str:
    return period_of(due_on, policy.schedule_for("document_copy"))


def application_period(enrolled_on: dt.date) -> str:
    """Until a card is issued an application's due date is unknown (it runs from the
    card's expiry): it waits in its enrollment month's cohort, and moves at issuance."""
    return period_of(enrolled_on)


def due_after_card(policy: Policy, record_class: str, card_expires_on: dt.date) -> dt.date:
    schedule = policy.schedule_for(record_class)
    if schedule is None or schedule.from_event != "card_expiry":
        return card_expires_on
    return keep_until(schedule, card_expires_on)
