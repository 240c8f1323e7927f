"""The agency's day in the story: centres, a released week, residents' bookings, a check-in.

Appointments run on today's calendar (a week is released for next week), not 2016's; the
desk's day is told by passing the moment of the appointment to the services.
"""

from __future__ import annotations

import datetime as dt

from cityid.appointments import bookings, centres
from cityid.demo.checks import expect
from cityid.demo.stage import Story
from cityid.errors import Refused

CENTRES = (
    (
        "jackson-heights",
        "Jackson Heights Library",
        "Queens",
        "35-51 81st St",
        ["eng", "spa", "ben", "hin"],
        "Step-free entrance; hearing loop at the desk",
    ),
    (
        "bronx-hub",
        "Bronx Hub",
        "Bronx",
        "1 Fordham Plaza",
        ["eng", "spa", "ara"],
        "Lift to the second floor",
    ),
)
RESIDENTS = (
    ("Ana María", "López", dt.date(1984, 3, 9), "es"),
    ("Kwame", "Mensah", dt.date(1979, 11, 2), "en"),
    ("Layla", "Haddad", dt.date(1991, 6, 23), "ar"),
)


def step_appointments(story: Story) -> str:
    """Two centres, next week released, three residents book, one is checked in."""
    rt, supervisor, clerk = story.rt, story.cast["supervisor"], story.cast["clerk"]
    today = centres.city_today(rt)
    monday = today + dt.timedelta(days=7 - today.weekday())
    with story.uow() as uow:
        released = 0
        for centre_id, name, borough, address, languages, access in CENTRES:
            centres.save_centre(
                uow,
                rt,
                supervisor,
                centre_id,
                name=name,
                borough=borough,
                address=address,
                languages=languages,
                accessibility=access,
            )
            released += centres.release_week(uow, rt, supervisor, centre_id, monday).created
        uow.commit()
    with story.uow() as uow:
        slots = centres.open_slots(uow, "jackson-heights", monday, 1, dt.datetime.now(dt.UTC))
        made = [
            bookings.book(uow, rt, slots[i].slot_id, given, family, born, language=lang)
            for i, (given, family, born, lang) in enumerate(RESIDENTS)
        ]
        uow.commit()
    try:
        with story.uow() as uow:
            given, family, born, _ = RESIDENTS[0]
            bookings.book(uow, rt, slots[5].slot_id, given.upper(), family, born)
        refused = ""
    except Refused as exc:
        refused = exc.code
    expect(refused == "already_booked", "a second future booking for one person was not refused")
    first = made[0].slot
    with story.uow() as uow:
        bookings.check_in(
            uow, rt, clerk, made[0].reference, now=first.starts_at - dt.timedelta(minutes=10)
        )
        bookings.served(
            uow,
            rt,
            clerk,
            made[0].reference,
            "demo-intake",
            now=first.starts_at + dt.timedelta(minutes=15),
        )
        uow.commit()
    with story.uow(read_only=True) as uow:
        counts = bookings.counts_for_day(
            uow, rt, monday, now=first.starts_at + dt.timedelta(hours=2)
        )
    expect(counts.booked == 3 and counts.shows == 1, f"the day counts are off: {counts}")
    expect(counts.waiting_minutes_median == 15.0, f"the wait is off: {counts}")
    return (
        f"{len(CENTRES)} centres, {released} slots released for the week of "
        f"{monday.isoformat()}, {len(made)} bookings (a second one for the same person "
        f"refused), 1 checked in: waited {counts.waiting_minutes_median:g} minutes, "
        f"{counts.no_shows} no-shows"
    )
