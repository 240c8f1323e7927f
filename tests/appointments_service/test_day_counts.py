"""The dashboard's appointment tiles: booked, shows, no-shows and the wait, on both databases."""

from __future__ import annotations

import datetime as dt

from cityid.appointments import bookings
from cityid.appointments.results import Slot
from cityid.reports.dashboard import build_dashboard
from cityid.runtime import Runtime
from cityid.staff.actor import Actor
from cityid.store.uow import UnitOfWork


def test_a_days_counts_show_who_came_who_did_not_and_how_long_they_waited(
    runtime: Runtime, week: list[Slot], staff: dict[str, Actor]
) -> None:
    first, second = week[0], week[1]
    people = [("Ana", first), ("Bo", first), ("Cy", second)]
    made = {}
    with UnitOfWork(runtime.engine) as uow:
        for name, slot in people:
            made[name] = bookings.book(uow, runtime, slot.slot_id, name, "Day", dt.date(1980, 1, 2))
        uow.commit()
    arrived = first.starts_at - dt.timedelta(minutes=5)
    with UnitOfWork(runtime.engine) as uow:
        bookings.check_in(uow, runtime, staff["clerk"], made["Ana"].reference, now=arrived)
        bookings.served(
            uow, runtime, staff["clerk"], made["Ana"].reference, "app-x",
            now=first.starts_at + dt.timedelta(minutes=12),
        )  # fmt: skip
        uow.commit()
    evening = first.starts_at + dt.timedelta(hours=3)
    with UnitOfWork(runtime.engine) as uow:
        during = bookings.counts_for_day(uow, runtime, first.day, now=first.starts_at)
        after = bookings.counts_for_day(uow, runtime, first.day, now=evening)
        other_day = bookings.counts_for_day(
            uow, runtime, first.day + dt.timedelta(days=1), now=evening
        )
    assert (during.booked, during.shows, during.no_shows) == (3, 1, 0)
    assert (after.booked, after.shows, after.no_shows) == (3, 1, 2)
    # Checked in before the booked time: the wait counts from the booked time.
    assert after.waiting_minutes_median == 12.0 and after.waiting_measured == 1
    assert other_day.booked == 0 and other_day.waiting_minutes_median is None
    with UnitOfWork(runtime.engine) as uow:
        board = build_dashboard(uow, runtime, staff["supervisor"], today=first.day)
    assert board.appointments_today is not None and board.appointments_today.booked == 3
