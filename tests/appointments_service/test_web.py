"""The appointment pages: residents book, move and cancel; the console checks people in.

What a person sees: their language, errors beside their field, nothing changed by a refusal.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from cityid.appointments import bookings, centres
from cityid.appointments.results import Slot
from cityid.appointments.tables import bookings as booking_rows
from cityid.runtime import Runtime
from cityid.staff.actor import Actor
from cityid.store.uow import UnitOfWork
from cityid.web.app import create_app

from .conftest import STAFF_PASSWORD

pytestmark = pytest.mark.parametrize("fresh_database_url", ["sqlite"], indirect=True)
HTML = {"accept": "text/html"}
BORN = "1979-08-30"


@pytest.fixture
def client(runtime: Runtime) -> Iterator[TestClient]:
    with TestClient(create_app(runtime), base_url="https://testserver") as test_client:
        yield test_client


def _held(runtime: Runtime) -> int:
    with runtime.engine.connect() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(booking_rows)).scalar_one())


def _form(chosen: Slot, **changes: str) -> dict[str, str]:
    data = {
        "centre": "bronx-hub",
        "slot": chosen.slot_id,
        "given_name": "Yusuf",
        "family_name": "Haddad",
        "date_of_birth": BORN,
    }
    data.update(changes)
    return data


def _reference(page: str) -> str:
    found = re.search(r'id="booking-reference">([0-9A-Z-]+)<', page)
    assert found, page
    return found[1]


def test_a_resident_books_in_spanish_and_a_second_booking_is_refused_beside_the_times(
    client: TestClient, runtime: Runtime, week: list[Slot]
) -> None:
    page = client.get("/apply/appointments?centre=bronx-hub&lang=es", headers=HTML)
    assert page.status_code == 200 and "Pedir una cita" in page.text
    assert "Bronx Hub" in page.text and "español" in page.text  # languages by their own names
    assert week[0].slot_id in page.text
    done = client.post("/apply/appointments/book?lang=es", data=_form(week[0]), headers=HTML)
    assert done.status_code == 200 and "Su cita está reservada." in done.text
    assert "Haddad" not in done.text  # the name is never shown back
    _reference(done.text)
    again = client.post("/apply/appointments/book?lang=es", data=_form(week[2]), headers=HTML)
    assert again.status_code == 409
    error = re.search(r'<p class="field-error" id="slot-error"[^>]*>([^<]+)</p>', again.text)
    assert error and "Ya tiene una cita" in error[1]
    assert _held(runtime) == 1


def test_missing_answers_are_named_beside_their_fields_and_what_was_typed_is_kept(
    client: TestClient, runtime: Runtime, week: list[Slot]
) -> None:
    empty = _form(week[0], slot="", given_name="", family_name="", date_of_birth="")
    page = client.post("/apply/appointments/book", data=empty, headers=HTML)
    assert page.status_code == 422
    for field_id, words in (
        ("slot-error", "Please choose a time."),
        ("name-error", "Please enter a given name or a family name."),
        ("dob-error", "Please fill this in."),
    ):
        assert re.search(rf'id="{field_id}"[^>]*>\s*{re.escape(words)}', page.text), field_id
    future = _form(week[0], date_of_birth=(dt.date.today() + dt.timedelta(days=2)).isoformat())
    later = client.post("/apply/appointments/book", data=future, headers=HTML)
    assert "A date of birth cannot be in the future." in later.text
    assert 'value="Yusuf"' in later.text
    assert _held(runtime) == 0


def test_the_holder_finds_moves_and_cancels_with_reference_and_date_of_birth(
    client: TestClient, runtime: Runtime, week: list[Slot]
) -> None:
    reference = _reference(client.post("/apply/appointments/book", data=_form(week[0])).text)
    wrong = client.post(
        "/apply/appointments/manage?lang=ar",
        data={"reference": reference, "date_of_birth": "1979-08-31"},
    )
    assert wrong.status_code == 404
    assert 'dir="rtl"' in wrong.text and "لم نجد موعدًا" in wrong.text
    mine = client.post(
        "/apply/appointments/manage?lang=en", data={"reference": reference, "date_of_birth": BORN}
    )
    assert mine.status_code == 200 and "Your appointment" in mine.text
    assert mine.headers["cache-control"] == "no-store"
    same = client.post(
        "/apply/appointments/move",
        data={"reference": reference, "date_of_birth": BORN, "slot": week[0].slot_id},
    )
    assert same.status_code == 409 and "That is already your appointment time." in same.text
    moved = client.post(
        "/apply/appointments/move",
        data={"reference": reference, "date_of_birth": BORN, "slot": week[7].slot_id},
    )
    assert "Your appointment is moved." in moved.text and _reference(moved.text) == reference
    with UnitOfWork(runtime.engine) as uow:
        now_at = bookings.find(uow, runtime, reference, dt.date(1979, 8, 30)).slot
    assert now_at.slot_id == week[7].slot_id
    gone = client.post(
        "/apply/appointments/cancel", data={"reference": reference, "date_of_birth": BORN}
    )
    assert "Your appointment is cancelled." in gone.text
    assert _held(runtime) == 0


def _login(client: TestClient, actor: Actor) -> str:
    page = client.get("/console/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token
    client.post(
        "/console/login",
        data={"username": actor.username, "password": STAFF_PASSWORD, "csrf_token": token[1]},
    )
    home = client.get("/console/")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', home.text)
    assert csrf
    return csrf[1]


def today_booking(runtime: Runtime, supervisor: Actor) -> Any:
    """A booking at today's first slot (made before it began) at an all-day centre."""
    today = centres.city_today(runtime)
    every_day = {
        day: ["00:00", "23:40"] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
    }
    with UnitOfWork(runtime.engine) as uow:
        centres.save_centre(
            uow,
            runtime,
            supervisor,
            "night-desk",
            name="Night Desk",
            borough="Manhattan",
            address="1 Centre St",
            hours=every_day,
        )
        centres.release_week(
            uow, runtime, supervisor, "night-desk", today - dt.timedelta(days=today.weekday())
        )
        slots = centres.open_slots(
            uow, "night-desk", today, 1, dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
        )
        made = bookings.book(
            uow,
            runtime,
            slots[0].slot_id,
            "Nadia",
            "Karim",
            dt.date(1992, 3, 3),
            now=slots[0].starts_at - dt.timedelta(hours=1),
        )
        uow.commit()
    return made


def test_the_desk_checks_in_and_the_intake_carries_the_reference(
    client: TestClient, runtime: Runtime, accounts: dict[str, Actor], week: list[Slot]
) -> None:
    made = today_booking(runtime, accounts["supervisor"])
    csrf = _login(client, accounts["clerk"])
    day = client.get("/console/appointments/?centre=night-desk")
    assert day.status_code == 200 and "Nadia Karim" in day.text
    bad = client.post(
        "/console/appointments/check-in",
        data={"reference": "NOPE0-NOPE0", "centre": "night-desk", "csrf_token": csrf},
    )
    assert bad.status_code == 404
    assert re.search(r'id="checkin-error"[^>]*>no appointment with that reference<', bad.text)
    forged = client.post("/console/appointments/check-in", data={"reference": made.reference})
    assert forged.status_code == 403  # no CSRF token: refused
    desk = client.post(
        "/console/appointments/check-in",
        data={"reference": made.reference, "back": "desk", "csrf_token": csrf},
    )
    assert desk.status_code == 200 and 'id="appointment-carried"' in desk.text
    assert made.reference in desk.text
    with UnitOfWork(runtime.engine) as uow:
        counts = bookings.counts_for_day(uow, runtime, centres.city_today(runtime))
    assert counts.shows == 1


def test_a_supervisor_saves_a_centre_and_releases_a_week_from_the_console(
    client: TestClient, runtime: Runtime, accounts: dict[str, Actor]
) -> None:
    csrf = _login(client, accounts["supervisor"])
    saved = client.post(
        "/console/appointments/centres",
        data={
            "centre_id": "si-hall",
            "name": "Staten Island Hall",
            "borough": "Staten Island",
            "address": "10 Richmond Terrace",
            "languages": "eng spa",
            "csrf_token": csrf,
        },
    )
    assert saved.status_code == 200 and "Centre saved." in saved.text
    wrong = client.post(
        "/console/appointments/centres",
        data={
            "centre_id": "si-hall",
            "name": "",
            "borough": "SI",
            "address": "x",
            "csrf_token": csrf,
        },
    )
    assert wrong.status_code == 422
    assert re.search(r'id="centre-error"[^>]*>name: required<', wrong.text)
    today = centres.city_today(runtime)
    monday = today + dt.timedelta(days=7 - today.weekday())
    tuesday = (monday + dt.timedelta(days=1)).isoformat()
    refused = client.post(
        "/console/appointments/release",
        data={"centre": "si-hall", "week": tuesday, "csrf_token": csrf},
    )
    assert refused.status_code == 422 and "give the Monday" in refused.text
    released = client.post(
        "/console/appointments/release",
        data={"centre": "si-hall", "week": monday.isoformat(), "csrf_token": csrf},
    )
    assert "120 new slots released." in released.text
    board = client.get("/console/dashboard/")
    assert board.status_code == 200 and 'id="table-appointments"' in board.text
    assert re.search(r"Booked for today</th><td>0<", board.text)


def test_booking_is_rate_limited_per_address_and_a_refusal_books_nothing(
    client: TestClient, runtime: Runtime, week: list[Slot]
) -> None:
    for i in range(5):
        done = client.post(
            "/apply/appointments/book",
            data=_form(week[i], given_name=f"Person{i}", family_name="Many"),
        )
        assert done.status_code == 200, done.text
    sixth = client.post(
        "/apply/appointments/book", data=_form(week[6], given_name="Sixth", family_name="Many")
    )
    assert sixth.status_code == 429
    assert "Too many tries. Please wait a few minutes and try again." in sixth.text
    assert _held(runtime) == 5
