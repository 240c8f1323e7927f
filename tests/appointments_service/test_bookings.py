"""Booking, moving, cancelling and checking in, on SQLite and PostgreSQL.

Each refusal is checked to change nothing: the slot's count, the bookings, the audit log.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import sqlalchemy as sa

from cityid.appointments import bookings, centres
from cityid.appointments.results import Slot
from cityid.appointments.tables import appointment_slots
from cityid.appointments.tables import bookings as booking_rows
from cityid.audit.tables import audit_entries
from cityid.errors import BadInput, Forbidden, NotFound, Refused
from cityid.runtime import Runtime
from cityid.staff.actor import Actor
from cityid.store.uow import UnitOfWork

BORN = dt.date(1990, 5, 17)


def _state(runtime: Runtime) -> tuple[Any, ...]:
    """Everything a refused step must leave as it was."""
    with UnitOfWork(runtime.engine) as uow:
        slots = uow.conn.execute(
            sa.select(appointment_slots.c.slot_id, appointment_slots.c.booked).order_by(
                appointment_slots.c.slot_id
            )
        ).all()
        held = uow.conn.execute(
            sa.select(booking_rows.c.reference, booking_rows.c.slot_id, booking_rows.c.status)
        ).all()
        logged = uow.conn.execute(sa.select(sa.func.count()).select_from(audit_entries)).scalar()
    return tuple(slots), tuple(sorted(held)), logged


def _book(
    runtime: Runtime, slot: Slot, given: str = "Ana", family: str = "Lopez", **kw: Any
) -> Any:
    with UnitOfWork(runtime.engine) as uow:
        made = bookings.book(uow, runtime, slot.slot_id, given, family, kw.pop("born", BORN), **kw)
        uow.commit()
    return made


def _actions(runtime: Runtime) -> list[str]:
    with UnitOfWork(runtime.engine) as uow:
        return list(
            uow.conn.execute(
                sa.select(audit_entries.c.action).order_by(audit_entries.c.idx)
            ).scalars()
        )


def test_a_booking_takes_a_place_and_is_audited_without_the_name(
    runtime: Runtime, week: list[Slot]
) -> None:
    made = _book(runtime, week[0], language="es")
    assert made.slot.slot_id == week[0].slot_id
    assert made.centre_name == "Bronx Hub"
    assert made.status == "booked"
    with UnitOfWork(runtime.engine) as uow:
        booked = uow.conn.execute(
            sa.select(appointment_slots.c.booked).where(
                appointment_slots.c.slot_id == week[0].slot_id
            )
        ).scalar()
        row = uow.conn.execute(sa.select(booking_rows)).one()
        entry = uow.conn.execute(
            sa.select(audit_entries.c.entry).where(audit_entries.c.action == "booking.create")
        ).scalar()
    assert booked == 1
    assert b"Lopez" not in bytes(row.s_name)  # sealed, like any other field
    assert "Lopez" not in str(entry) and "1990" not in str(entry)
    assert "booking.create" in _actions(runtime)


def test_the_holder_finds_it_with_reference_and_date_of_birth(
    runtime: Runtime, week: list[Slot]
) -> None:
    made = _book(runtime, week[0])
    with UnitOfWork(runtime.engine) as uow:
        found = bookings.find(uow, runtime, made.reference.lower().replace("-", ""), BORN)
        uow.commit()
    assert found.reference == made.reference
    assert found.slot.starts_at == week[0].starts_at


def test_a_wrong_date_of_birth_answers_like_an_unknown_reference_and_changes_nothing(
    runtime: Runtime, week: list[Slot]
) -> None:
    made = _book(runtime, week[0])
    before = _state(runtime)
    later = week[5]
    for step in (
        lambda uow: bookings.find(uow, runtime, made.reference, dt.date(1990, 5, 18)),
        lambda uow: bookings.move(
            uow, runtime, made.reference, dt.date(1991, 5, 17), later.slot_id
        ),
        lambda uow: bookings.cancel(uow, runtime, made.reference, dt.date(1990, 6, 17)),
    ):
        with UnitOfWork(runtime.engine) as uow, pytest.raises(NotFound) as wrong:
            step(uow)
        assert wrong.value.message == "no appointment with that reference and date of birth"
    with UnitOfWork(runtime.engine) as uow, pytest.raises(NotFound) as unknown:
        bookings.find(uow, runtime, "ZZZZZ-ZZZZZ", BORN)
    assert unknown.value.message == wrong.value.message
    assert _state(runtime) == before


def test_one_person_holds_one_future_booking(runtime: Runtime, week: list[Slot]) -> None:
    _book(runtime, week[0], "Ana María", "López")
    before = _state(runtime)
    with pytest.raises(Refused) as twice:
        _book(runtime, week[3], "  ana maria ", "LOPEZ")  # the same person, written otherwise
    assert twice.value.code == "already_booked"
    assert "already have an appointment" in twice.value.message
    assert _state(runtime) == before
    _book(runtime, week[3], "Ana", "Lopez", born=dt.date(1990, 5, 18))  # someone else


def test_a_full_slot_refuses_and_changes_nothing(runtime: Runtime, week: list[Slot]) -> None:
    slot = week[0]
    for i in range(slot.capacity):
        _book(runtime, slot, "Person", f"Number{i}")
    before = _state(runtime)
    with pytest.raises(Refused) as full:
        _book(runtime, slot, "One", "Toomany")
    assert full.value.code == "slot_full"
    assert "full" in full.value.message
    assert _state(runtime) == before


def test_a_slot_in_the_past_refuses_and_changes_nothing(runtime: Runtime, week: list[Slot]) -> None:
    before = _state(runtime)
    after_it = week[0].starts_at + dt.timedelta(minutes=1)
    with pytest.raises(Refused) as past:
        _book(runtime, week[0], now=after_it)
    assert past.value.code == "slot_past"
    assert "passed" in past.value.message
    assert _state(runtime) == before


def test_bad_names_and_dates_refuse_before_anything_is_written(
    runtime: Runtime, week: list[Slot]
) -> None:
    before = _state(runtime)
    with pytest.raises(BadInput, match="name"):
        _book(runtime, week[0], " ", "")
    with pytest.raises(BadInput, match="future"):
        _book(runtime, week[0], born=dt.date.today() + dt.timedelta(days=3))
    with pytest.raises(NotFound, match="not offered"), UnitOfWork(runtime.engine) as uow:
        bookings.book(uow, runtime, "slot-nowhere", "Ana", "Lopez", BORN)
    assert _state(runtime) == before


def test_moving_gives_the_old_place_back_and_keeps_the_reference(
    runtime: Runtime, week: list[Slot]
) -> None:
    made = _book(runtime, week[0])
    other_day = next(s for s in week if s.day != week[0].day)
    with UnitOfWork(runtime.engine) as uow:
        moved = bookings.move(uow, runtime, made.reference, BORN, other_day.slot_id)
        uow.commit()
    assert moved.reference == made.reference and moved.slot.slot_id == other_day.slot_id
    counts = dict(_state(runtime)[0])
    assert counts[week[0].slot_id] == 0 and counts[other_day.slot_id] == 1
    # The name moved to the new day's cohort key: the desk still reads it on that day.
    with UnitOfWork(runtime.engine) as uow:
        clerk = Actor(user_id="u-c", username="clerk1", role="clerk")
        listed = bookings.desk_list(uow, runtime, clerk, "bronx-hub", other_day.day)
    assert [(b.given_name, b.family_name) for b in listed] == [("Ana", "Lopez")]
    with pytest.raises(Refused) as same, UnitOfWork(runtime.engine) as uow:
        bookings.move(uow, runtime, made.reference, BORN, other_day.slot_id)
    assert same.value.code == "same_slot"


def test_cancelling_deletes_the_booking_and_frees_the_person_and_the_place(
    runtime: Runtime, week: list[Slot]
) -> None:
    made = _book(runtime, week[0])
    with UnitOfWork(runtime.engine) as uow:
        bookings.cancel(uow, runtime, made.reference, BORN)
        uow.commit()
    slots, held, _ = _state(runtime)
    assert held == () and dict(slots)[week[0].slot_id] == 0
    assert _book(runtime, week[1]).reference != made.reference  # may book again
    assert "booking.cancel" in _actions(runtime)


def test_the_desk_checks_in_on_the_day_and_the_intake_ends_the_wait(
    runtime: Runtime, week: list[Slot], staff: dict[str, Actor]
) -> None:
    made = _book(runtime, week[0])
    on_the_day = week[0].starts_at - dt.timedelta(minutes=10)
    with UnitOfWork(runtime.engine) as uow, pytest.raises(Refused) as early:
        bookings.check_in(
            uow, runtime, staff["clerk"], made.reference, now=on_the_day - dt.timedelta(days=1)
        )
    assert early.value.code == "not_today"
    with UnitOfWork(runtime.engine) as uow, pytest.raises(Forbidden):
        bookings.check_in(uow, runtime, staff["auditor"], made.reference, now=on_the_day)
    with UnitOfWork(runtime.engine) as uow:
        checked = bookings.check_in(uow, runtime, staff["clerk"], made.reference, now=on_the_day)
        uow.commit()
    assert checked.status == "checked_in"
    with UnitOfWork(runtime.engine) as uow, pytest.raises(Refused) as again:
        bookings.check_in(uow, runtime, staff["clerk"], made.reference, now=on_the_day)
    assert again.value.code == "already_checked_in"
    with UnitOfWork(runtime.engine) as uow, pytest.raises(Refused) as used:
        bookings.cancel(uow, runtime, made.reference, BORN)
    assert used.value.code == "booking_used"
    with UnitOfWork(runtime.engine) as uow:
        assert bookings.served(
            uow, runtime, staff["clerk"], made.reference, "app-1",
            now=week[0].starts_at + dt.timedelta(minutes=12),
        )  # fmt: skip
        uow.commit()
    # Checked in: the person may book again (for another errand) at once.
    _book(runtime, week[4])
    actions = _actions(runtime)
    assert "booking.check_in" in actions and "booking.served" in actions


def test_purge_deletes_past_days_and_destroys_their_keys(
    runtime: Runtime, week: list[Slot], staff: dict[str, Actor]
) -> None:
    first = _book(runtime, week[0])
    later_day = next(s for s in week if s.day > week[0].day)
    _book(runtime, later_day, "Bo", "Chen")
    with UnitOfWork(runtime.engine) as uow:
        purged = bookings.purge(uow, runtime, staff["supervisor"], later_day.day)
        uow.commit()
    assert bookings.destroy_keys(runtime, purged) == len(purged.cohort_key_ids) == 1
    slots, held, _ = _state(runtime)
    assert purged.bookings == 1 and all(s[0] != week[0].slot_id for s in slots)
    assert [h[0] for h in held] != [first.reference] and len(held) == 1
    with UnitOfWork(runtime.engine) as uow, pytest.raises(NotFound):
        bookings.find(uow, runtime, first.reference, BORN)
    with UnitOfWork(runtime.engine) as uow, pytest.raises(Forbidden):
        bookings.purge(uow, runtime, staff["clerk"], later_day.day)


def test_releasing_again_adds_nothing_twice_and_refuses_bad_weeks(
    runtime: Runtime, week: list[Slot], staff: dict[str, Actor]
) -> None:
    monday = week[0].day - dt.timedelta(days=week[0].day.weekday())
    with UnitOfWork(runtime.engine) as uow:
        again = centres.release_week(uow, runtime, staff["supervisor"], "bronx-hub", monday)
        uow.commit()
    assert again.created == 0 and again.already == len(week)
    before = _state(runtime)
    for bad, code in (
        (monday + dt.timedelta(days=1), "bad_input"),
        (monday - dt.timedelta(days=21), "week_past"),
        (monday + dt.timedelta(days=70), "week_too_far"),
    ):
        with UnitOfWork(runtime.engine) as uow, pytest.raises((BadInput, Refused)) as refused:
            centres.release_week(uow, runtime, staff["supervisor"], "bronx-hub", bad)
        assert refused.value.code == code
    with UnitOfWork(runtime.engine) as uow, pytest.raises(Forbidden):
        centres.release_week(uow, runtime, staff["clerk"], "bronx-hub", monday)
    assert _state(runtime) == before
    # Five days of 09:00 to 17:00 in 20-minute slots.
    assert len(week) == 5 * 24


def test_a_legal_hold_keeps_its_centres_past_bookings_and_their_days_key(
    runtime: Runtime, week: list[Slot], staff: dict[str, Actor]
) -> None:
    from cityid.retention import holds
    from cityid.retention.bookings_purge import purge_past_bookings

    first = _book(runtime, week[0])
    after = week[-1].day + dt.timedelta(days=1)
    counsel, system = Actor("c-1", "counsel1", "counsel"), Actor.system()
    with UnitOfWork(runtime.engine) as uow:
        hold = holds.place_hold(uow, runtime, counsel, authority="Supreme Court, Bronx",
                                docket="77/2026", reason="litigation",
                                scope={"centres": ["bronx-hub"]})  # fmt: skip
        uow.commit()

    def purge() -> Any:
        with UnitOfWork(runtime.engine) as uow:
            purged = purge_past_bookings(uow, runtime, system, after)
            uow.commit()
        bookings.destroy_keys(runtime, purged)
        return purged

    kept = purge()
    assert (kept.bookings, kept.slots, kept.cohort_key_ids) == (0, 0, [])
    assert kept.held_centre_days == len({s.day for s in week})
    with UnitOfWork(runtime.engine) as uow:  # still there, and its name still opens
        assert bookings.find(uow, runtime, first.reference, BORN).reference == first.reference
    with UnitOfWork(runtime.engine) as uow:
        holds.release_hold(uow, runtime, counsel, hold, reason="order lifted")
        uow.commit()
    done = purge()
    assert done.bookings == 1 and done.held_centre_days == 0
    assert len(done.cohort_key_ids) == 1
    with UnitOfWork(runtime.engine) as uow, pytest.raises(NotFound):
        bookings.find(uow, runtime, first.reference, BORN)
