"""Appointment rules, pure: centres' hours, the slots of a released week, what may be booked.

Nothing here knows the database or the web. Times are aware datetimes in UTC; a centre's
hours and a slot's day are in the program's time zone (the city's clock on the wall).
"""

from __future__ import annotations

import datetime as dt
import re
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from zoneinfo import ZoneInfo

from cityid.errors import BadInput, Refused

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_CLOCK = re.compile(r"^([01][0-9]|2[0-3]):([0-5][0-9])$")
_CENTRE_ID = re.compile(r"^[a-z0-9][a-z0-9-]{1,38}[a-z0-9]$")
MAX_TEXT = {"name": 120, "borough": 60, "address": 200, "accessibility": 300}


class BookingStatus(StrEnum):
    BOOKED = "booked"  # still to come (or missed, once its day has passed)
    CHECKED_IN = "checked_in"  # the person is at the centre, waiting
    SERVED = "served"  # the desk took the application in


Hours = dict[str, tuple[dt.time, dt.time]]


def parse_hours(raw: Mapping[str, Sequence[str]]) -> Hours:
    """{"mon": ["09:00", "17:00"], ...} as opening and closing times; days left out are
    closed. Raises BadInput naming the day, never guessing."""
    hours: Hours = {}
    for day, span in raw.items():
        if day not in WEEKDAYS:
            raise BadInput(f"hours: {day!r} is not a weekday (use {', '.join(WEEKDAYS)})")
        if len(span) != 2 or not all(isinstance(t, str) and _CLOCK.match(t) for t in span):
            raise BadInput(f"hours: {day} needs an opening and a closing time as HH:MM")
        opens, closes = (dt.time.fromisoformat(t) for t in span)
        if closes <= opens:
            raise BadInput(f"hours: {day} closes before it opens")
        hours[day] = (opens, closes)
    if not hours:
        raise BadInput("hours: a centre needs at least one open day")
    return hours


def hours_json(hours: Hours) -> dict[str, list[str]]:
    return {
        day: [hours[day][0].strftime("%H:%M"), hours[day][1].strftime("%H:%M")]
        for day in WEEKDAYS
        if day in hours
    }


def check_centre_id(centre_id: str) -> str:
    if not _CENTRE_ID.match(centre_id):
        raise BadInput("centre: 3 to 40 lower-case letters, digits or dashes")
    return centre_id


def check_text(field: str, value: str, *, required: bool = True) -> str:
    cleaned = " ".join(value.split())
    if required and not cleaned:
        raise BadInput(f"{field}: required")
    if len(cleaned) > MAX_TEXT[field]:
        raise BadInput(f"{field}: longer than {MAX_TEXT[field]} characters")
    return cleaned


def check_languages(codes: Iterable[str], known: Iterable[str]) -> list[str]:
    allowed = set(known)
    chosen = list(dict.fromkeys(c.strip() for c in codes if c.strip()))
    unknown = [c for c in chosen if c not in allowed]
    if unknown:
        raise BadInput("languages: not a language of the program (ISO 639-3 codes)")
    return chosen


@dataclass(frozen=True)
class SlotPlan:
    day: dt.date
    starts_at: dt.datetime  # UTC
    minutes: int


def week_of(monday: dt.date) -> list[dt.date]:
    if monday.weekday() != 0:
        raise BadInput("week: give the Monday the week starts on (YYYY-MM-DD)")
    return [monday + dt.timedelta(days=i) for i in range(7)]


def week_slots(hours: Hours, monday: dt.date, minutes: int, timezone: str) -> list[SlotPlan]:
    """Every slot of `minutes` that fits whole inside the centre's hours, that week."""
    zone = ZoneInfo(timezone)
    plans: list[SlotPlan] = []
    for day in week_of(monday):
        span = hours.get(WEEKDAYS[day.weekday()])
        if span is None:
            continue
        start = dt.datetime.combine(day, span[0], zone)
        close = dt.datetime.combine(day, span[1], zone)
        step = dt.timedelta(minutes=minutes)
        while start + step <= close:
            plans.append(SlotPlan(day, start.astimezone(dt.UTC), minutes))
            start += step
    return plans


def check_release(monday: dt.date, today: dt.date, book_ahead_days: int) -> None:
    """A week can be released once it has not ended, and no further ahead than residents
    may book."""
    week_of(monday)
    if monday + dt.timedelta(days=6) < today:
        raise Refused("that week has passed", code="week_past")
    if monday > today + dt.timedelta(days=book_ahead_days):
        raise Refused(
            f"that week is more than {book_ahead_days} days ahead: release it later",
            code="week_too_far",
        )


def check_bookable(
    starts_at: dt.datetime, capacity: int, booked: int, now: dt.datetime, book_ahead_days: int
) -> None:
    """Why a slot cannot be booked now, as a Refused with a stable code; None if it can."""
    if starts_at <= now:
        raise Refused("that appointment time has passed: choose another", code="slot_past")
    if starts_at > now + dt.timedelta(days=book_ahead_days + 7):
        raise Refused("that appointment time is too far ahead", code="slot_too_far")
    if booked >= capacity:
        raise Refused("that appointment time is full: choose another", code="slot_full")


@dataclass(frozen=True)
class DayCounts:
    """One day's bookings at the centres, for the dashboard (counts only)."""

    booked: int  # every booking for the day
    shows: int  # checked in (and perhaps served)
    no_shows: int  # slot started more than `grace` ago and nobody checked in
    waiting_minutes_median: float | None  # check-in (or slot start if later) to intake
    waiting_measured: int


def day_counts(
    rows: Iterable[tuple[dt.datetime, dt.datetime | None, dt.datetime | None]],
    now: dt.datetime,
    grace: dt.timedelta,
) -> DayCounts:
    """From (slot start, checked in at, served at) of each booking of the day."""
    booked = shows = missed = 0
    waits: list[float] = []
    for starts_at, checked_in, served in rows:
        booked += 1
        if checked_in is not None:
            shows += 1
            if served is not None:
                began = max(_utc(checked_in), _utc(starts_at))
                waits.append(max(0.0, (_utc(served) - began).total_seconds() / 60))
        elif _utc(starts_at) + grace < now:
            missed += 1
    median = round(statistics.median(waits), 1) if waits else None
    return DayCounts(booked, shows, missed, median, len(waits))


def local_day(moment: dt.datetime, timezone: str) -> dt.date:
    """The date on the centre's wall clock at `moment`."""
    return _utc(moment).astimezone(ZoneInfo(timezone)).date()


def _utc(moment: dt.datetime) -> dt.datetime:
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)
