"""cityid centres add|list, appointments release|slots|desk|check-in|purge|remind."""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated, Any

import typer

from cityid.cli.app import app
from cityid.cli.context import date_option
from cityid.cli.door import acting, job
from cityid.errors import BadInput

centres_app = typer.Typer(help="Enrollment centres: name, hours, languages.", no_args_is_help=True)
appointments_app = typer.Typer(
    help="Appointments: release slots, the desk's day, check-in, purge.", no_args_is_help=True
)
app.add_typer(centres_app, name="centres")
app.add_typer(appointments_app, name="appointments")


def _hours(text: str | None) -> dict[str, list[str]] | None:
    if text is None:
        return None
    try:
        value = json.loads(text)
    except ValueError:
        raise BadInput('hours: JSON such as {"mon": ["09:00", "17:00"]}') from None
    if not isinstance(value, dict):
        raise BadInput('hours: JSON such as {"mon": ["09:00", "17:00"]}')
    return value


@centres_app.command("add")
def centres_add(
    ctx: typer.Context,
    centre_id: Annotated[str, typer.Argument(help="Short id: lower-case letters, digits, -")],
    name: Annotated[str, typer.Option("--name")],
    borough: Annotated[str, typer.Option("--borough")],
    address: Annotated[str, typer.Option("--address")],
    hours: Annotated[
        str | None, typer.Option("--hours", help='JSON {"mon": ["09:00", "17:00"], ...}')
    ] = None,
    language: Annotated[
        list[str] | None, typer.Option("--language", help="ISO 639-3, repeatable")
    ] = None,
    accessibility: Annotated[str, typer.Option("--accessibility")] = "",
    closed: Annotated[bool, typer.Option("--closed", help="Offers no appointments.")] = False,
) -> None:
    """Add a centre, or replace what is known of it (supervisor)."""
    from cityid.appointments.centres import save_centre

    with acting(ctx) as act:
        centre = save_centre(
            act.uow, act.runtime, act.actor, centre_id, name=name, borough=borough,
            address=address, hours=_hours(hours), languages=language or [],
            accessibility=accessibility, active=not closed,
        )  # fmt: skip
    act.emit(centre, f"{centre.centre_id}: {centre.name} ({centre.borough})")


@centres_app.command("list")
def centres_list(
    ctx: typer.Context,
    all_: Annotated[bool, typer.Option("--all", help="Closed centres too.")] = False,
) -> None:
    """Centres, by borough: public facts, so anyone may list them."""
    from cityid.appointments.centres import list_centres

    with acting(ctx) as act:
        found = list_centres(act.uow, active_only=not all_)
    act.emit({"centres": found}, "\n".join(f"{c.centre_id}: {c.name}" for c in found))


@appointments_app.command("release")
def release(
    ctx: typer.Context,
    centre: Annotated[str, typer.Option("--centre", help="The centre's id.")],
    week: Annotated[str, typer.Option("--week", help="The Monday, YYYY-MM-DD.")],
) -> None:
    """Open a week of slots at a centre from its hours (supervisor).

    Prints {"centre_id", "week", "created", "already"}.
    """
    from cityid.appointments.centres import release_week

    monday = date_option(week, "--week")
    assert monday is not None
    with acting(ctx) as act:
        released = release_week(act.uow, act.runtime, act.actor, centre, monday)
    act.emit(released, f"{released.created} slots released ({released.already} were already)")


@appointments_app.command("slots")
def slots(
    ctx: typer.Context,
    centre: Annotated[str, typer.Option("--centre")],
    day: Annotated[str | None, typer.Option("--from", help="First day (default today).")] = None,
    days: Annotated[int, typer.Option("--days", min=1, max=60)] = 7,
) -> None:
    """Times still open at a centre: {"slots": [{"slot_id", "starts_at", "free"}]}."""
    from cityid.appointments.centres import city_today, open_slots

    with acting(ctx) as act:
        first = date_option(day, "--from") or city_today(act.runtime)
        found = open_slots(act.uow, centre, first, days, dt.datetime.now(dt.UTC))
    rows = [
        {"slot_id": s.slot_id, "starts_at": s.starts_at.isoformat(), "free": s.free} for s in found
    ]
    act.emit({"slots": rows}, f"{len(rows)} open slots")


@appointments_app.command("desk")
def desk(
    ctx: typer.Context,
    centre: Annotated[str, typer.Option("--centre")],
    day: Annotated[str | None, typer.Option("--date", help="Default today.")] = None,
) -> None:
    """The day's bookings at a centre, with names (clerk, supervisor; audited)."""
    from cityid.appointments.bookings import desk_list
    from cityid.appointments.centres import city_today

    with acting(ctx) as act:
        wanted = date_option(day, "--date") or city_today(act.runtime)
        found = desk_list(act.uow, act.runtime, act.actor, centre, wanted)
    rows: list[dict[str, Any]] = [
        {
            "reference": b.reference,
            "status": b.status.value,
            "starts_at": b.starts_at.isoformat(),
            "given_name": b.given_name,
            "family_name": b.family_name,
        }
        for b in found
    ]
    act.emit({"bookings": rows}, f"{len(rows)} bookings")


@appointments_app.command("check-in")
def check_in(
    ctx: typer.Context, reference: Annotated[str, typer.Argument(help="The booking reference.")]
) -> None:
    """The person is here: {"reference", "status", "starts_at"}."""
    from cityid.appointments.bookings import check_in as mark_in

    with acting(ctx) as act:
        booking = mark_in(act.uow, act.runtime, act.actor, reference)
    out = {
        "reference": booking.reference,
        "status": booking.status.value,
        "starts_at": booking.slot.starts_at.isoformat(),
    }
    act.emit(out, f"{booking.reference}: checked in")


@appointments_app.command("purge")
def purge(
    ctx: typer.Context,
    before: Annotated[str | None, typer.Option("--before", help="Default today.")] = None,
) -> None:
    """Delete bookings and slots of past days, then destroy those days' cohort keys; the
    centre-days a legal hold covers stay, with their days' keys.

    The scheduled job: `system` may run it. Prints {"bookings", "slots", "keys_destroyed",
    "held_centre_days"}.
    """
    from cityid.appointments.bookings import destroy_keys
    from cityid.appointments.centres import city_today
    from cityid.retention.bookings_purge import purge_past_bookings

    door = job(ctx)  # the deletion commits before any key is destroyed
    today = date_option(before, "--before") or city_today(door.runtime)
    with door.unit() as uow:
        purged = purge_past_bookings(uow, door.runtime, door.actor, today)
    destroyed = destroy_keys(door.runtime, purged)
    out = {"bookings": purged.bookings, "slots": purged.slots, "keys_destroyed": destroyed,
           "held_centre_days": purged.held_centre_days}  # fmt: skip
    door.emit(out, f"{purged.bookings} bookings and {purged.slots} slots purged")


@appointments_app.command("remind")
def remind(
    ctx: typer.Context,
    today: Annotated[str | None, typer.Option("--today", help="Default today.")] = None,
) -> None:
    """Queue tomorrow's reminders (notices.reminder_days_before) for bookings that left a
    contact; `cityid notify run` delivers them. The daily job: `system` may run it.
    Prints {"queued"}."""
    from cityid.appointments.centres import city_today
    from cityid.appointments.reminders import send_reminders

    with acting(ctx) as act:
        day = date_option(today, "--today") or city_today(act.runtime)
        queued = send_reminders(act.uow, act.runtime, act.actor, day)
    act.emit({"queued": queued}, f"{queued} reminders queued")
