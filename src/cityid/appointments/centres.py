"""Centres as data, and the weeks of slots a supervisor releases for each.

Every change is audited with the centre's id only. A centre is never deleted (bookings and
the dashboard refer to it); it is closed (`active = false`) and then offers no slots.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa

from cityid.appointments import rules
from cityid.appointments.results import Centre, Released, Slot
from cityid.appointments.tables import appointment_slots, centres
from cityid.audit import log as audit_log
from cityid.errors import NotFound
from cityid.runtime import Runtime
from cityid.staff.actor import Actor
from cityid.staff.permissions import authorize
from cityid.store.uow import UnitOfWork


def city_today(runtime: Runtime) -> dt.date:
    """Today on the city's clock: the day slots, check-ins and purges are counted in."""
    return rules.local_day(dt.datetime.now(dt.UTC), runtime.policy.program.timezone)


def save_centre(
    uow: UnitOfWork,
    runtime: Runtime,
    actor: Actor,
    centre_id: str,
    *,
    name: str,
    borough: str,
    address: str,
    hours: Mapping[str, Sequence[str]] | None = None,
    languages: Sequence[str] = (),
    accessibility: str = "",
    active: bool = True,
) -> Centre:
    """Add a centre or replace what is known of it. Bad input changes nothing."""
    authorize(runtime.policy, actor, "appointment.manage")
    values: dict[str, Any] = {
        "name": rules.check_text("name", name),
        "borough": rules.check_text("borough", borough),
        "address": rules.check_text("address", address),
        "hours": json.dumps(
            rules.hours_json(rules.parse_hours(hours or runtime.policy.appointments.default_hours))
        ),
        "languages": json.dumps(rules.check_languages(languages, runtime.policy.card.languages)),
        "accessibility": rules.check_text("accessibility", accessibility, required=False),
        "active": active,
        "updated_at": dt.datetime.now(dt.UTC),
    }
    rules.check_centre_id(centre_id)
    exists = uow.conn.execute(
        sa.select(centres.c.centre_id).where(centres.c.centre_id == centre_id)
    ).first()
    if exists:
        uow.conn.execute(centres.update().where(centres.c.centre_id == centre_id).values(values))
    else:
        uow.conn.execute(centres.insert().values(centre_id=centre_id, **values))
    audit_log.append(
        uow, actor, "centre.save", [f"centre:{centre_id}"], reason="updated" if exists else "added"
    )
    return _centre(_load(uow, centre_id))


def list_centres(uow: UnitOfWork, *, active_only: bool = True) -> list[Centre]:
    """Centres are public facts (like a library's opening hours): no permission, no audit."""
    query = sa.select(centres).order_by(centres.c.borough, centres.c.name)
    if active_only:
        query = query.where(centres.c.active.is_(True))
    return [_centre(row) for row in uow.conn.execute(query)]


def get_centre(uow: UnitOfWork, centre_id: str) -> Centre:
    return _centre(_load(uow, centre_id))


def release_week(
    uow: UnitOfWork, runtime: Runtime, actor: Actor, centre_id: str, monday: dt.date
) -> Released:
    """Open a week of slots at a centre from its hours. Releasing again adds only the
    slots not there yet (a changed timetable), and never touches booked ones."""
    authorize(runtime.policy, actor, "appointment.manage")
    policy = runtime.policy.appointments
    rules.check_release(monday, city_today(runtime), policy.book_ahead_days)
    row = _load(uow, centre_id)
    if not row.active:
        raise NotFound(f"centre {centre_id} is closed", code="centre_closed")
    hours = rules.parse_hours(json.loads(row.hours))
    plans = rules.week_slots(hours, monday, policy.slot_minutes, runtime.policy.program.timezone)
    days = rules.week_of(monday)
    existing = {
        _utc(r.starts_at)
        for r in uow.conn.execute(
            sa.select(appointment_slots.c.starts_at).where(
                appointment_slots.c.centre_id == centre_id,
                appointment_slots.c.day.between(days[0], days[-1]),
            )
        )
    }
    fresh = [p for p in plans if p.starts_at not in existing]
    if fresh:
        uow.conn.execute(
            appointment_slots.insert(),
            [
                {
                    "slot_id": f"slot-{centre_id}-{int(p.starts_at.timestamp()):x}",
                    "centre_id": centre_id,
                    "day": p.day,
                    "starts_at": p.starts_at,
                    "minutes": p.minutes,
                    "capacity": policy.slot_capacity,
                    "booked": 0,
                }
                for p in fresh
            ],
        )
    audit_log.append(
        uow, actor, "appointments.release", [f"centre:{centre_id}"], reason="week",
        extra={"iso_week": _iso_week(monday), "slots": len(fresh)},
    )  # fmt: skip
    return Released(centre_id, monday, len(fresh), len(plans) - len(fresh))


def open_slots(
    uow: UnitOfWork, centre_id: str, first_day: dt.date, days: int, now: dt.datetime
) -> list[Slot]:
    """Slots still to come with a free place, from `first_day` for `days` days."""
    query = (
        sa.select(appointment_slots)
        .where(
            appointment_slots.c.centre_id == centre_id,
            appointment_slots.c.day.between(first_day, first_day + dt.timedelta(days=days - 1)),
            appointment_slots.c.booked < appointment_slots.c.capacity,
        )
        .order_by(appointment_slots.c.starts_at)
    )
    found = [slot_of(row) for row in uow.conn.execute(query)]
    return [s for s in found if s.starts_at > now]


def slot_of(row: Any) -> Slot:
    return Slot(
        slot_id=row.slot_id,
        centre_id=row.centre_id,
        day=row.day,
        starts_at=_utc(row.starts_at),
        minutes=row.minutes,
        capacity=row.capacity,
        booked=row.booked,
    )


def _load(uow: UnitOfWork, centre_id: str) -> Any:
    row = uow.conn.execute(sa.select(centres).where(centres.c.centre_id == centre_id)).first()
    if row is None:
        raise NotFound("no such centre", code="no_centre")
    return row


def _centre(row: Any) -> Centre:
    return Centre(
        centre_id=row.centre_id,
        name=row.name,
        borough=row.borough,
        address=row.address,
        hours=json.loads(row.hours),
        languages=json.loads(row.languages),
        accessibility=row.accessibility,
        active=bool(row.active),
    )


def _iso_week(monday: dt.date) -> int:
    """202650 for the 50th week of 2026: a week, in a form the log takes (no dates)."""
    year, week, _ = monday.isocalendar()
    return year * 100 + week


def _utc(moment: dt.datetime) -> dt.datetime:
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)
