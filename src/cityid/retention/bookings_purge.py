"""Past days' bookings go, unless a legal hold keeps them.

A booking is the first record of an application: a hold that keeps applications (by
centre, by date, or everything) keeps the bookings of its centres and days too, the
booking's day standing for the enrollment date. Holds are locked and read in the
purging transaction, so a hold placed meanwhile either is seen or waits.
"""

from __future__ import annotations

import datetime as dt

from cityid.appointments import bookings
from cityid.appointments.results import Purged
from cityid.retention.holds import active_holds, lock_holds
from cityid.runtime import Runtime
from cityid.staff.actor import Actor
from cityid.store.uow import UnitOfWork

BOOKING_GUARDED_BY = ("application",)


def purge_past_bookings(uow: UnitOfWork, runtime: Runtime, actor: Actor, today: dt.date) -> Purged:
    """`appointments.bookings.purge` with the held centre-days kept; the caller commits,
    then destroys the purged days' keys (`bookings.destroy_keys`)."""
    lock_holds(uow)
    tests = [hold.scope.covers_any_of(BOOKING_GUARDED_BY) for hold in active_holds(uow)]

    def kept(centre_id: str, day: dt.date) -> bool:
        return any(test(None, day, centre_id) for test in tests)

    return bookings.purge(uow, runtime, actor, today, kept=kept if tests else None)
