"""Residents' bookings: make, find, move, cancel; the desk's check-in and intake.

Invariants:
- A slot's `booked` never passes its capacity: places are taken by one conditional UPDATE,
  so two people racing for the last place cannot both have it.
- A person holds at most one booking still to come: its `person_token` (a keyed hash of
  the normalised name and date of birth, in a domain of its own) is unique, and cleared
  once the booking is used or its time has passed.
- A booking is managed with its reference and the date of birth; a wrong date answers
  exactly like an unknown reference. Residents never see the name kept with it.
- Every step appends an audit entry naming the booking id only; bad input raises before
  anything is written, so nothing changes.
"""

from __future__ import annotations

import datetime as dt
import hmac
import json
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa

from cityid.appointments import reminders, rules
from cityid.appointments.centres import slot_of
from cityid.appointments.results import Booking, DeskBooking, Purged, Slot
from cityid.appointments.rules import BookingStatus
from cityid.appointments.tables import appointment_slots, bookings, centres
from cityid.audit import log as audit_log
from cityid.crypto import KeyDestroyed, RecordSealer, SealedKey
from cityid.enrollment.lookup import APPLICANT_SELF
from cityid.enrollment.normalise import dob_key
from cityid.enrollment.repository import blind_index, new_id, new_reference, normalise_reference
from cityid.errors import BadInput, NotFound, Refused
from cityid.runtime import Runtime
from cityid.staff.actor import Actor
from cityid.staff.permissions import authorize
from cityid.store.uow import UnitOfWork
from cityid.vocabulary import BLIND_INDEX_PURPOSE

RECORD_CLASS = "appointment"  # cohort keys "appointment/<day>": a day's names die together
_PERSON_DOMAIN = b"cityid/booking-person/v1\x00"
_MANAGE_DOMAIN = b"cityid/booking-manage/v1\x00"
MAX_NAME = 100
NO_SHOW_GRACE = dt.timedelta(minutes=30)
_NOT_FOUND = "no appointment with that reference and date of birth"


def _now(now: dt.datetime | None) -> dt.datetime:
    return now if now is not None else dt.datetime.now(dt.UTC)


def book(
    uow: UnitOfWork,
    runtime: Runtime,
    slot_id: str,
    given_name: str,
    family_name: str,
    born: dt.date,
    *,
    contact: str | None = None,
    language: str | None = None,
    now: dt.datetime | None = None,
) -> Booking:
    """A place in the slot for this person; Refused (slot_past, slot_full, already_booked)
    or BadInput leaves everything as it was."""
    moment = _now(now)
    given, family = _names(given_name, family_name)
    _check_born(born, moment)
    slot = _slot(uow, slot_id)
    rules.check_bookable(
        slot.starts_at,
        slot.capacity,
        slot.booked,
        moment,
        runtime.policy.appointments.book_ahead_days,
    )
    hasher = runtime.keystore.keyed_hasher(BLIND_INDEX_PURPOSE)
    person = blind_index(hasher, family, given, born, domain=_PERSON_DOMAIN)
    _forget_past(uow, moment)
    if uow.conn.execute(
        sa.select(bookings.c.booking_id).where(bookings.c.person_token == person)
    ).first():
        raise Refused(
            "you already have an appointment to come: move or cancel it with its reference",
            code="already_booked",
        )
    _take_place(uow, slot)
    booking_id, reference = new_id("bk"), new_reference()
    with RecordSealer(runtime.keystore) as sealer:
        sealed = sealer.new_record_key(RECORD_CLASS, slot.day.isoformat(), booking_id)
        name = json.dumps({"given_name": given, "family_name": family}, ensure_ascii=False)
        s_name = sealer.seal_field(sealed, booking_id, "name", name.encode())
        s_contact = None if not contact else sealer.seal_field(
            sealed, booking_id, "contact", contact.strip()[:200].encode()
        )  # fmt: skip
    uow.conn.execute(
        bookings.insert().values(
            booking_id=booking_id, reference=reference, slot_id=slot.slot_id,
            person_token=person, manage_token=_manage_token(hasher, reference, born),
            hash_key_id=hasher.key_id, cohort_key_id=sealed.cohort_key_id,
            wrapped_key=sealed.wrapped, s_name=s_name, s_contact=s_contact,
            language=language, status=BookingStatus.BOOKED.value, created_at=moment,
        )
    )  # fmt: skip
    audit_log.append(
        uow, APPLICANT_SELF, "booking.create", [booking_id, slot.slot_id], reason="online"
    )
    made = _booking(uow, _row(uow, reference))
    reminders.confirm(
        uow, runtime, APPLICANT_SELF, booking_id, reference, slot, made.centre_name,
        contact.strip() if contact else None, language,
    )  # fmt: skip
    return made


def find(uow: UnitOfWork, runtime: Runtime, reference: str, born: dt.date) -> Booking:
    """The holder's own booking; NotFound alike for a wrong date and an unknown reference."""
    row = _owned(uow, runtime, reference, born)
    audit_log.append(uow, APPLICANT_SELF, "booking.read", [row.booking_id], reason="holder")
    return _booking(uow, row)


def move(
    uow: UnitOfWork,
    runtime: Runtime,
    reference: str,
    born: dt.date,
    slot_id: str,
    *,
    now: dt.datetime | None = None,
) -> Booking:
    """The same booking at another time (or centre). The old place is given back."""
    moment = _now(now)
    row = _owned(uow, runtime, reference, born)
    _still_movable(row)
    if row.slot_id == slot_id:
        raise Refused("that is already your appointment time", code="same_slot")
    new = _slot(uow, slot_id)
    rules.check_bookable(
        new.starts_at, new.capacity, new.booked, moment, runtime.policy.appointments.book_ahead_days
    )
    old = _slot(uow, row.slot_id)
    _take_place(uow, new)
    _give_back(uow, old.slot_id)
    values: dict[str, Any] = {"slot_id": new.slot_id, "reminded_at": None}
    if new.day != old.day:  # the name moves to the new day's cohort, to die with it
        with RecordSealer(runtime.keystore) as sealer:
            key_id = runtime.keystore.ensure_cohort_key(RECORD_CLASS, new.day.isoformat())
            moved = sealer.rewrap(_sealed(row), row.booking_id, key_id)
        values |= {"cohort_key_id": moved.cohort_key_id, "wrapped_key": moved.wrapped}
    uow.conn.execute(
        bookings.update().where(bookings.c.booking_id == row.booking_id).values(values)
    )
    audit_log.append(
        uow, APPLICANT_SELF, "booking.move", [row.booking_id, old.slot_id, new.slot_id],
        reason="holder",
    )  # fmt: skip
    moved_to = _booking(uow, _row(uow, row.reference))
    if row.s_contact is not None:  # the new time, confirmed where the first one went
        with RecordSealer(runtime.keystore) as sealer:
            contact = sealer.open_field(
                _sealed(_row(uow, row.reference)), row.booking_id, "contact", bytes(row.s_contact)
            ).decode()
        reminders.confirm(
            uow, runtime, APPLICANT_SELF, row.booking_id, row.reference, new,
            moved_to.centre_name, contact, row.language,
        )  # fmt: skip
    return moved_to


def cancel(uow: UnitOfWork, runtime: Runtime, reference: str, born: dt.date) -> None:
    """Gone at once, name and all; the place goes back to the slot."""
    row = _owned(uow, runtime, reference, born)
    _still_movable(row)
    uow.conn.execute(bookings.delete().where(bookings.c.booking_id == row.booking_id))
    _give_back(uow, row.slot_id)
    audit_log.append(
        uow, APPLICANT_SELF, "booking.cancel", [row.booking_id, row.slot_id], reason="holder"
    )


def check_in(
    uow: UnitOfWork,
    runtime: Runtime,
    actor: Actor,
    reference: str,
    *,
    now: dt.datetime | None = None,
) -> Booking:
    """The person is at the centre: the desk marks them in, on the day of the booking."""
    authorize(runtime.policy, actor, "appointment.checkin")
    moment = _now(now)
    row = _row(uow, normalise_reference(reference))
    if row is None:
        raise NotFound("no appointment with that reference", code="no_booking")
    if row.status != BookingStatus.BOOKED.value:
        raise Refused("that appointment is already checked in", code="already_checked_in")
    slot = _slot(uow, row.slot_id)
    if slot.day != rules.local_day(moment, runtime.policy.program.timezone):
        raise Refused(
            f"that appointment is for {slot.day.isoformat()}, not today", code="not_today"
        )
    uow.conn.execute(
        bookings.update()
        .where(bookings.c.booking_id == row.booking_id)
        .values(status=BookingStatus.CHECKED_IN.value, checked_in_at=moment, person_token=None)
    )
    audit_log.append(uow, actor, "booking.check_in", [row.booking_id], reason="desk")
    return _booking(uow, _row(uow, row.reference))


def served(
    uow: UnitOfWork, runtime: Runtime, actor: Actor, reference: str, application_id: str,
    *, now: dt.datetime | None = None,
) -> bool:  # fmt: skip
    """The desk took in the application this booking was for (the intake carried its
    reference): the wait ends now. False when the reference is unknown or not checked in."""
    authorize(runtime.policy, actor, "application.create")
    row = _row(uow, normalise_reference(reference))
    if row is None or row.status != BookingStatus.CHECKED_IN.value:
        return False
    uow.conn.execute(
        bookings.update()
        .where(bookings.c.booking_id == row.booking_id)
        .values(status=BookingStatus.SERVED.value, served_at=_now(now))
    )
    audit_log.append(
        uow, actor, "booking.served", [row.booking_id, application_id], reason="intake"
    )
    return True


def desk_list(
    uow: UnitOfWork, runtime: Runtime, actor: Actor, centre_id: str, day: dt.date
) -> list[DeskBooking]:
    """The day's bookings at a centre with the names, for the desk; one audited read."""
    authorize(runtime.policy, actor, "appointment.read")
    rows = uow.conn.execute(
        sa.select(bookings, appointment_slots.c.starts_at)
        .join(appointment_slots, appointment_slots.c.slot_id == bookings.c.slot_id)
        .where(appointment_slots.c.centre_id == centre_id, appointment_slots.c.day == day)
        .order_by(appointment_slots.c.starts_at, bookings.c.created_at)
    ).all()
    found: list[DeskBooking] = []
    with RecordSealer(runtime.keystore) as sealer:
        for row in rows:
            try:
                name = json.loads(
                    sealer.open_field(_sealed(row), row.booking_id, "name", bytes(row.s_name))
                )
            except KeyDestroyed:
                continue
            found.append(
                DeskBooking(
                    reference=row.reference, status=BookingStatus(row.status),
                    starts_at=_utc(row.starts_at), given_name=name["given_name"],
                    family_name=name["family_name"],
                    checked_in_at=None if row.checked_in_at is None else _utc(row.checked_in_at),
                )
            )  # fmt: skip
    if found:
        audit_log.append(
            uow, actor, "booking.read", [r.booking_id for r in rows], reason="desk_list"
        )
    return found


def counts_for_day(
    uow: UnitOfWork, runtime: Runtime, day: dt.date, *, now: dt.datetime | None = None
) -> rules.DayCounts:
    """Counts of one day's bookings at every centre; no sealed field is opened (the
    caller, the dashboard, checks `report.read`)."""
    query = (
        sa.select(appointment_slots.c.starts_at, bookings.c.checked_in_at, bookings.c.served_at)
        .join(appointment_slots, appointment_slots.c.slot_id == bookings.c.slot_id)
        .where(appointment_slots.c.day == day)
    )
    rows = [(r.starts_at, r.checked_in_at, r.served_at) for r in uow.conn.execute(query)]
    return rules.day_counts(rows, _now(now), NO_SHOW_GRACE)


def purge(
    uow: UnitOfWork,
    runtime: Runtime,
    actor: Actor,
    today: dt.date,
    *,
    kept: Callable[[str, dt.date], bool] | None = None,
) -> Purged:
    """Bookings and slots of days before `today` go, and with them their day's cohort keys
    (the door destroys those once this deletion is committed: `destroy_keys`).

    `kept(centre_id, day)` names the centre-days a legal hold preserves (retention's
    `purge_past_bookings` passes it): their slots and bookings stay, and so does their
    day's key, which every centre's bookings of that day share."""
    authorize(runtime.policy, actor, "appointment.purge")
    past = uow.conn.execute(
        sa.select(appointment_slots.c.slot_id, appointment_slots.c.centre_id,
                  appointment_slots.c.day).where(appointment_slots.c.day < today)
    ).all()  # fmt: skip
    held = {(r.centre_id, r.day) for r in past if kept is not None and kept(r.centre_id, r.day)}
    held_days = {day.isoformat() for _centre, day in held}
    doomed = [r.slot_id for r in past if (r.centre_id, r.day) not in held]
    prefix, last = f"{RECORD_CLASS}/", f"{RECORD_CLASS}/{today.isoformat()}"
    key_ids = [
        k.key_id
        for k in runtime.keystore.list_keys()
        if k.kind == "cohort" and k.state != "destroyed"
        and k.purpose.startswith(prefix) and k.purpose < last
        and k.purpose.removeprefix(prefix) not in held_days
    ]  # fmt: skip
    gone = slots_gone = 0
    for start in range(0, len(doomed), _PURGE_CHUNK):
        chunk = doomed[start : start + _PURGE_CHUNK]
        gone += uow.conn.execute(bookings.delete().where(bookings.c.slot_id.in_(chunk))).rowcount
        slots_gone += uow.conn.execute(
            appointment_slots.delete().where(appointment_slots.c.slot_id.in_(chunk))
        ).rowcount
    audit_log.append(
        uow, actor, "appointments.purge", [], reason="past_days",
        extra={"bookings": gone, "slots": slots_gone, "held_centre_days": len(held)},
    )  # fmt: skip
    return Purged(gone, slots_gone, key_ids, len(held))


_PURGE_CHUNK = 500  # slot ids per DELETE: well under every driver's parameter limit


def destroy_keys(runtime: Runtime, purged: Purged) -> int:
    """Destroy the purged days' cohort keys: any copy of those names, in any backup, is
    unreadable from now on. Call only after the purge is committed."""
    destroyed = 0
    for key_id in purged.cohort_key_ids:
        runtime.keystore.destroy(key_id)  # idempotent: a rerun after a crash is safe
        destroyed += 1
    return destroyed


# ---- helpers ---------------------------------------------------------------------------


def _names(given_name: str, family_name: str) -> tuple[str, str]:
    given, family = " ".join(given_name.split()), " ".join(family_name.split())
    if not given and not family:
        raise BadInput("given_name: a given name or a family name is needed")
    if len(given) > MAX_NAME or len(family) > MAX_NAME:
        raise BadInput(f"given_name: names are at most {MAX_NAME} characters")
    return given, family


def _check_born(born: dt.date, moment: dt.datetime) -> None:
    if born > moment.date():
        raise BadInput("date_of_birth: is in the future")


def _manage_token(hasher: Any, reference: str, born: dt.date) -> str:
    message = f"{normalise_reference(reference)}\x1f{dob_key(born)}"
    return hasher.digest(_MANAGE_DOMAIN + message.encode()).hex()


def _owned(uow: UnitOfWork, runtime: Runtime, reference: str, born: dt.date) -> Any:
    row = _row(uow, normalise_reference(reference))
    if row is None:
        raise NotFound(_NOT_FOUND, code="no_booking")
    hasher = runtime.keystore.keyed_hasher_by_id(row.hash_key_id)
    if not hmac.compare_digest(_manage_token(hasher, row.reference, born), row.manage_token):
        raise NotFound(_NOT_FOUND, code="no_booking")
    return row


def _still_movable(row: Any) -> None:
    if row.status != BookingStatus.BOOKED.value:
        raise Refused("this appointment has been used at the centre", code="booking_used")


def _row(uow: UnitOfWork, reference: str) -> Any:
    return uow.conn.execute(sa.select(bookings).where(bookings.c.reference == reference)).first()


def _slot(uow: UnitOfWork, slot_id: str) -> Slot:
    row = uow.conn.execute(
        sa.select(appointment_slots).where(appointment_slots.c.slot_id == slot_id)
    ).first()
    if row is None:
        raise NotFound("that appointment time is not offered", code="no_slot")
    return slot_of(row)


def _take_place(uow: UnitOfWork, slot: Slot) -> None:
    taken = uow.conn.execute(
        appointment_slots.update()
        .where(
            appointment_slots.c.slot_id == slot.slot_id,
            appointment_slots.c.booked < appointment_slots.c.capacity,
        )
        .values(booked=appointment_slots.c.booked + 1)
    ).rowcount
    if not taken:
        raise Refused("that appointment time is full: choose another", code="slot_full")


def _give_back(uow: UnitOfWork, slot_id: str) -> None:
    uow.conn.execute(
        appointment_slots.update()
        .where(appointment_slots.c.slot_id == slot_id, appointment_slots.c.booked > 0)
        .values(booked=appointment_slots.c.booked - 1)
    )


def _forget_past(uow: UnitOfWork, moment: dt.datetime) -> None:
    """Bookings whose time has passed hold nobody back from booking again."""
    past = sa.select(appointment_slots.c.slot_id).where(appointment_slots.c.starts_at < moment)
    uow.conn.execute(
        bookings.update()
        .where(bookings.c.person_token.is_not(None), bookings.c.slot_id.in_(past))
        .values(person_token=None)
    )


def _sealed(row: Any) -> SealedKey:
    return SealedKey(row.cohort_key_id, bytes(row.wrapped_key))


def _booking(uow: UnitOfWork, row: Any) -> Booking:
    slot = _slot(uow, row.slot_id)
    centre = uow.conn.execute(
        sa.select(centres.c.name, centres.c.address).where(centres.c.centre_id == slot.centre_id)
    ).one()
    return Booking(row.reference, BookingStatus(row.status), slot, centre.name, centre.address)


def _utc(moment: dt.datetime) -> dt.datetime:
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)
