"""Notices about a booking: a confirmation when it is made or moved, a reminder the day
before (`notices.reminder_days_before`). Only a booking that left a contact gets either.

Each goes through the notices outbox in the caller's unit of work. Parameters are the
reference, the date and time on the city's clock and the centre's name: never the
person's name or the contact. The reminder is queued by the daily `send_reminders` job
rather than at booking time, so a booking moved or cancelled meanwhile never gets a
reminder for a time it no longer holds.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from cityid.appointments.centres import slot_of
from cityid.appointments.results import Slot
from cityid.appointments.rules import BookingStatus
from cityid.appointments.tables import appointment_slots, bookings, centres
from cityid.crypto import KeyDestroyed, RecordSealer, SealedKey
from cityid.notices.kinds import NoticeKind
from cityid.notices.outbox import Queued, Recipient, enqueue
from cityid.notices.templates import LANGUAGE_TAGS
from cityid.runtime import Runtime
from cityid.staff.actor import Actor
from cityid.staff.permissions import authorize
from cityid.store.uow import UnitOfWork

# The page's catalogue code ("zh_Hans") as the ISO 639-3 code notices are written in.
_PAGE_TO_ISO = {tag.replace("-", "_"): iso for iso, tag in LANGUAGE_TAGS.items()}


def recipient(contact: str, page_language: str | None) -> Recipient:
    """An address typed on the booking form: an email if it has an @, else a phone."""
    language = _PAGE_TO_ISO.get(page_language or "")
    if "@" in contact:
        return Recipient(email=contact, language=language)
    return Recipient(phone=contact, language=language)


def _params(runtime: Runtime, reference: str, slot: Slot, centre_name: str) -> dict[str, str]:
    local = slot.starts_at.astimezone(ZoneInfo(runtime.policy.program.timezone))
    return {
        "reference": reference,
        "date": local.date().isoformat(),
        "time": local.strftime("%H:%M"),
        "centre": centre_name[:200],
    }


def confirm(
    uow: UnitOfWork, runtime: Runtime, actor: Actor, booking_id: str, reference: str,
    slot: Slot, centre_name: str, contact: str | None, page_language: str | None,
) -> Queued | None:  # fmt: skip
    """Queue the booking_confirmed notice (once per booking and time); None without a
    contact."""
    if not contact:
        return None
    return enqueue(
        uow, runtime, actor, NoticeKind.BOOKING_CONFIRMED, recipient(contact, page_language),
        subject_id=booking_id, params=_params(runtime, reference, slot, centre_name),
        dedupe=f"booking:{booking_id}:confirmed:{slot.slot_id}",
    )  # fmt: skip


def send_reminders(uow: UnitOfWork, runtime: Runtime, actor: Actor, today: dt.date) -> int:
    """Queue booking_reminder for every booking still to come on the day
    `notices.reminder_days_before` after `today` that left a contact; returns how many."""
    authorize(runtime.policy, actor, "appointment.remind")
    day = today + dt.timedelta(days=runtime.policy.notices.reminder_days_before)
    rows = uow.conn.execute(
        sa.select(bookings, centres.c.name.label("centre_name"), *_slot_columns())
        .join(appointment_slots, appointment_slots.c.slot_id == bookings.c.slot_id)
        .join(centres, centres.c.centre_id == appointment_slots.c.centre_id)
        .where(
            appointment_slots.c.day == day,
            bookings.c.status == BookingStatus.BOOKED.value,
            bookings.c.s_contact.is_not(None),
            bookings.c.reminded_at.is_(None),
        )
    ).all()
    sent = 0
    with RecordSealer(runtime.keystore) as sealer:
        for row in rows:
            contact = _contact(sealer, row)
            if contact is None:
                continue
            slot = slot_of(row)  # the joined row carries the slot's columns
            enqueue(
                uow, runtime, actor, NoticeKind.BOOKING_REMINDER,
                recipient(contact, row.language), subject_id=row.booking_id,
                params=_params(runtime, row.reference, slot, row.centre_name),
                dedupe=f"booking:{row.booking_id}:reminder:{slot.slot_id}",
            )  # fmt: skip
            uow.conn.execute(
                bookings.update()
                .where(bookings.c.booking_id == row.booking_id)
                .values(reminded_at=dt.datetime.now(dt.UTC))
            )
            sent += 1
    return sent


def _slot_columns() -> list[Any]:
    c = appointment_slots.c
    return [c.centre_id, c.day, c.starts_at, c.minutes, c.capacity, c.booked]


def _contact(sealer: RecordSealer, row: Any) -> str | None:
    key = SealedKey(row.cohort_key_id, bytes(row.wrapped_key))
    try:
        return sealer.open_field(key, row.booking_id, "contact", bytes(row.s_contact)).decode()
    except KeyDestroyed:
        return None
