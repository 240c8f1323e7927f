"""What appointment services return: frozen dataclasses, never rows."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from cityid.appointments.rules import BookingStatus, DayCounts


@dataclass(frozen=True)
class Centre:
    centre_id: str
    name: str
    borough: str
    address: str
    hours: dict[str, list[str]]
    languages: list[str]
    accessibility: str
    active: bool


@dataclass(frozen=True)
class Slot:
    slot_id: str
    centre_id: str
    day: dt.date
    starts_at: dt.datetime  # UTC
    minutes: int
    capacity: int
    booked: int

    @property
    def free(self) -> int:
        return max(0, self.capacity - self.booked)


@dataclass(frozen=True)
class Released:
    centre_id: str
    week: dt.date
    created: int  # new slots
    already: int  # slots of that week released before (kept as they were)


@dataclass(frozen=True)
class Booking:
    """A booking as its holder sees it: when and where, never the name kept with it."""

    reference: str
    status: BookingStatus
    slot: Slot
    centre_name: str
    centre_address: str


@dataclass(frozen=True)
class DeskBooking:
    """A booking on the desk's list for the day: the clerk greets the person by name."""

    reference: str
    status: BookingStatus
    starts_at: dt.datetime
    given_name: str
    family_name: str
    checked_in_at: dt.datetime | None


@dataclass(frozen=True)
class Purged:
    bookings: int
    slots: int
    cohort_key_ids: list[str]  # to destroy once the deletion is committed
    held_centre_days: int = 0  # past centre-days a legal hold keeps (and their days' keys)


@dataclass(frozen=True)
class DaySummary:
    day: dt.date
    counts: DayCounts
