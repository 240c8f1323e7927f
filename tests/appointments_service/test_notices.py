"""A booking that leaves a contact is confirmed, and reminded the day before, through the
notices outbox; nothing personal goes into the notice's parameters. Both databases."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from cityid.appointments import bookings, reminders
from cityid.appointments.results import Slot
from cityid.errors import Forbidden
from cityid.notices.tables import notice_outbox
from cityid.runtime import Runtime
from cityid.staff.actor import Actor
from cityid.store.uow import UnitOfWork

BORN = dt.date(1988, 8, 8)
SYSTEM = Actor.system()


def _outbox(runtime: Runtime) -> list[tuple[str, str, str, str]]:
    with runtime.engine.connect() as conn:
        rows = conn.execute(
            sa.select(
                notice_outbox.c.kind,
                notice_outbox.c.channel,
                notice_outbox.c.language,
                notice_outbox.c.subject_id,
            ).order_by(notice_outbox.c.created_at)
        ).all()
    return [tuple(r) for r in rows]


def _book(runtime: Runtime, slot: Slot, family: str, contact: str | None, lang: str) -> str:
    with UnitOfWork(runtime.engine) as uow:
        made = bookings.book(
            uow, runtime, slot.slot_id, "Test", family, BORN, contact=contact, language=lang
        )
        uow.commit()
    return made.reference


def test_a_booking_with_a_contact_is_confirmed_in_the_pages_language(
    runtime: Runtime, week: list[Slot]
) -> None:
    _book(runtime, week[0], "Sms", "+1 718 555 0100", "es")
    _book(runtime, week[1], "Mail", "mail@example.org", "ar")
    _book(runtime, week[2], "Nobody", None, "en")
    sent = _outbox(runtime)
    assert [(k, c, lang) for k, c, lang, _ in sent] == [
        ("booking_confirmed", "sms", "spa"),
        ("booking_confirmed", "email", "ara"),
    ]
    assert all(subject.startswith("bk-") for *_, subject in sent)
    with runtime.engine.connect() as conn:
        payloads = [bytes(p) for p in conn.execute(sa.select(notice_outbox.c.s_payload)).scalars()]
    assert all(b"mail@example.org" not in p and b"555" not in p for p in payloads)  # sealed


def test_reminders_go_the_day_before_once_and_never_for_a_cancelled_booking(
    runtime: Runtime, week: list[Slot], staff: dict[str, Actor]
) -> None:
    kept = _book(runtime, week[0], "Kept", "kept@example.org", "en")
    gone = _book(runtime, week[1], "Gone", "gone@example.org", "en")
    with UnitOfWork(runtime.engine) as uow:
        bookings.cancel(uow, runtime, gone, BORN)
        uow.commit()
    day_before = week[0].day - dt.timedelta(days=runtime.policy.notices.reminder_days_before)
    with UnitOfWork(runtime.engine) as uow:
        assert (
            reminders.send_reminders(uow, runtime, SYSTEM, day_before - dt.timedelta(days=1)) == 0
        )
        assert reminders.send_reminders(uow, runtime, SYSTEM, day_before) == 1
        assert reminders.send_reminders(uow, runtime, SYSTEM, day_before) == 0  # once
        uow.commit()
    kinds = [k for k, *_ in _outbox(runtime)]
    assert kinds.count("booking_reminder") == 1 and kinds.count("booking_confirmed") == 2
    with UnitOfWork(runtime.engine) as uow:
        bookings.move(uow, runtime, kept, BORN, week[30].slot_id)  # another day
        uow.commit()
    assert [k for k, *_ in _outbox(runtime)].count("booking_confirmed") == 3
    with UnitOfWork(runtime.engine) as uow:
        moved_day = week[30].day - dt.timedelta(days=runtime.policy.notices.reminder_days_before)
        assert reminders.send_reminders(uow, runtime, SYSTEM, moved_day) == 1  # the new time
        uow.commit()
    with UnitOfWork(runtime.engine) as uow, pytest.raises(Forbidden):
        reminders.send_reminders(uow, runtime, staff["clerk"], day_before)
