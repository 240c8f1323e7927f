"""Appointment rules, pure: hours, a week's slots, what may be booked, a day's counts."""

from __future__ import annotations

import datetime as dt

import pytest

from cityid.appointments import rules
from cityid.errors import BadInput, Refused

MONDAY = dt.date(2026, 12, 7)
NOW = dt.datetime(2026, 12, 7, 15, 0, tzinfo=dt.UTC)  # 10:00 in New York


def test_hours_are_read_and_mistakes_named_by_day() -> None:
    hours = rules.parse_hours({"mon": ["09:00", "17:00"], "sat": ["10:00", "13:00"]})
    assert rules.hours_json(hours) == {"mon": ["09:00", "17:00"], "sat": ["10:00", "13:00"]}
    for bad, words in (
        ({"monday": ["09:00", "17:00"]}, "not a weekday"),
        ({"tue": ["9am", "5pm"]}, "HH:MM"),
        ({"wed": ["17:00", "09:00"]}, "closes before it opens"),
        ({}, "at least one open day"),
    ):
        with pytest.raises(BadInput, match=words):
            rules.parse_hours(bad)


def test_a_week_is_every_whole_slot_inside_the_hours_in_the_citys_time() -> None:
    hours = rules.parse_hours({"mon": ["09:00", "10:10"], "wed": ["13:00", "14:00"]})
    plans = rules.week_slots(hours, MONDAY, 20, "America/New_York")
    assert [(p.day.isoformat(), p.starts_at.strftime("%H:%M")) for p in plans] == [
        ("2026-12-07", "14:00"), ("2026-12-07", "14:20"), ("2026-12-07", "14:40"),
        ("2026-12-09", "18:00"), ("2026-12-09", "18:20"), ("2026-12-09", "18:40"),
    ]  # fmt: skip
    with pytest.raises(BadInput, match="Monday"):
        rules.week_slots(hours, MONDAY + dt.timedelta(days=2), 20, "America/New_York")


def test_a_week_is_released_only_while_it_is_bookable() -> None:
    rules.check_release(MONDAY, MONDAY + dt.timedelta(days=6), 28)  # its last day
    with pytest.raises(Refused, match="passed"):
        rules.check_release(MONDAY, MONDAY + dt.timedelta(days=7), 28)
    with pytest.raises(Refused, match="days ahead"):
        rules.check_release(MONDAY, MONDAY - dt.timedelta(days=29), 28)


def test_a_slot_is_bookable_while_it_is_to_come_and_has_room() -> None:
    later = NOW + dt.timedelta(hours=2)
    rules.check_bookable(later, 2, 1, NOW, 28)
    for starts, booked, code in ((NOW, 0, "slot_past"), (later, 2, "slot_full"),
                                 (NOW + dt.timedelta(days=60), 0, "slot_too_far")):  # fmt: skip
        with pytest.raises(Refused) as refused:
            rules.check_bookable(starts, 2, booked, NOW, 28)
        assert refused.value.code == code


def test_day_counts() -> None:
    nine = dt.datetime(2026, 12, 7, 14, 0, tzinfo=dt.UTC)
    minutes = dt.timedelta(minutes=1)
    rows = [
        (nine, nine - 5 * minutes, nine + 10 * minutes),  # early: waits from its time, 10
        (nine, nine + 20 * minutes, nine + 50 * minutes),  # late: waits from check-in, 30
        (nine, nine + 2 * minutes, None),  # still waiting
        (nine, None, None),  # no-show
        (nine + 600 * minutes, None, None),  # not yet due
    ]
    counts = rules.day_counts(rows, nine + 120 * minutes, dt.timedelta(minutes=30))
    assert (counts.booked, counts.shows, counts.no_shows) == (5, 3, 1)
    assert counts.waiting_minutes_median == 20.0 and counts.waiting_measured == 2
    assert rules.local_day(dt.datetime(2026, 12, 8, 3, 0, tzinfo=dt.UTC), "America/New_York") == (
        dt.date(2026, 12, 7)
    )
