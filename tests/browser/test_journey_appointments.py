"""Residents book appointments on a phone (390 x 844) in English, Spanish and Arabic; the
desk checks one in and the intake form carries its reference."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.browser.conftest import LiveServer, screenshot
from tests.browser.journey_helpers import add_staff, run_cli, sign_in
from tests.browser.test_accessibility import AXE, BLOCKING

PHONE = {"width": 390, "height": 844}
EVERY_DAY = json.dumps(
    {d: ["00:00", "23:40"] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
)

# Today's booking is made before its slot began, so the desk can check it in at any hour.
_BOOK_TODAY = """
import datetime as dt, sys
from pathlib import Path
from cityid.appointments import bookings, centres
from cityid.bootstrap import open_runtime
from cityid.staff.actor import Actor
from cityid.store.uow import UnitOfWork
runtime = open_runtime(Path(sys.argv[1]))
boss = Actor(user_id="journey", username="supervisor1", role="supervisor")
today = centres.city_today(runtime)
long_ago = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
with UnitOfWork(runtime.engine) as uow:
    centres.release_week(uow, runtime, boss, "night-desk", today - dt.timedelta(today.weekday()))
    slot = centres.open_slots(uow, "night-desk", today, 1, long_ago)[0]
    made = bookings.book(uow, runtime, slot.slot_id, "Nadia", "Karim", dt.date(1992, 3, 3),
                         now=slot.starts_at - dt.timedelta(hours=1))
    uow.commit()
print(made.reference)
"""


def _set_up(live_server: LiveServer, tmp_path: Path) -> Path:
    password = add_staff(live_server, tmp_path, supervisor1="supervisor", clerk1="clerk")
    boss = ("--actor", "supervisor1", "--password-file", str(password))
    run_cli(
        live_server,
        *boss,
        "centres",
        "add",
        "bronx-hub",
        "--name",
        "Bronx Hub",
        "--borough",
        "Bronx",
        "--address",
        "1 Fordham Plaza",
        "--language",
        "eng",
        "--language",
        "spa",
        "--language",
        "ara",
        "--accessibility",
        "Step-free entrance, hearing loop at the desk",
    )
    run_cli(
        live_server,
        *boss,
        "centres",
        "add",
        "night-desk",
        "--name",
        "Night Desk",
        "--borough",
        "Manhattan",
        "--address",
        "1 Centre St",
        "--hours",
        EVERY_DAY,
    )
    today = dt.date.today()
    run_cli(
        live_server,
        *boss,
        "appointments",
        "release",
        "--centre",
        "bronx-hub",
        "--week",
        (today + dt.timedelta(days=7 - today.weekday())).isoformat(),
    )
    week_of_today = json.loads(
        live_server.cityid("--json", "appointments", "slots", "--centre", "night-desk").stdout
    )
    assert week_of_today == {"slots": []}  # nothing released yet
    return password


def _axe(page: Any) -> list[str]:
    """Serious or critical axe-core findings on the page as it is now."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [v["id"] for v in result["violations"] if v["impact"] in BLOCKING]


def _fits(page: Any) -> bool:
    return bool(
        page.evaluate(
            "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
        )
    )


def _book(
    page: Any,
    live_server: LiveServer,
    lang: str,
    given: str,
    family: str,
    born: str,
    *,
    see_times: str,
    book: str,
) -> str:
    page.goto(f"{live_server.url}/apply/appointments?lang={lang}")
    page.locator("li.centre", has_text="Bronx Hub").get_by_role("link", name=see_times).click()
    page.wait_for_selector("#times")
    page.locator("label.time").nth(3).click()
    page.fill("#given_name", given)
    page.fill("#family_name", family)
    page.fill("#date_of_birth", born)
    page.get_by_role("button", name=book).click()
    page.wait_for_selector("#booking-reference")
    return str(page.locator("#booking-reference").inner_text())


def test_booking_on_a_phone_in_three_languages_and_a_desk_check_in(
    live_server: LiveServer, browser: Any, tmp_path: Path
) -> None:
    _set_up(live_server, tmp_path)
    # axe goes in as an inline script, which the pages' CSP forbids: bypass it.
    phone = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, bypass_csp=True)
    page = phone.new_page()

    english = _book(
        page,
        live_server,
        "en",
        "Grace",
        "Owusu",
        "1985-06-01",
        see_times="See times at this centre",
        book="Book this appointment",
    )
    assert len(english) == len("XXXXX-XXXXX")
    assert page.get_by_role("status").inner_text() == "Your appointment is booked."
    assert "Owusu" not in page.content() and _fits(page)
    screenshot(page, "appointments-booked-en-390")

    # Spanish: a missing name is said beside the field, in Spanish, and nothing is booked.
    page.goto(f"{live_server.url}/apply/appointments?lang=es")
    page.locator("li.centre", has_text="Bronx Hub").get_by_role(
        "link", name="Ver las horas de este centro"
    ).click()
    page.locator("label.time").nth(5).click()
    page.fill("#date_of_birth", "1990-02-14")
    page.get_by_role("button", name="Reservar esta cita").click()
    page.wait_for_selector("#name-error")
    assert page.locator("#name-error").inner_text() == "Escriba un nombre o un apellido, por favor."
    assert page.get_attribute("#given_name", "aria-invalid") == "true"
    assert _fits(page)
    assert _axe(page) == []
    screenshot(page, "appointments-error-es-390")
    spanish = _book(
        page,
        live_server,
        "es",
        "Lucía",
        "Méndez",
        "1990-02-14",
        see_times="Ver las horas de este centro",
        book="Reservar esta cita",
    )
    assert page.get_by_role("status").inner_text() == "Su cita está reservada."
    screenshot(page, "appointments-booked-es-390")

    # Arabic, right to left: the same journey mirrored, times still read left to right.
    arabic = _book(
        page,
        live_server,
        "ar",
        "Omar",
        "Farouk",
        "1978-11-20",
        see_times="اعرض الأوقات في هذا المركز",
        book="احجز هذا الموعد",
    )
    assert page.get_attribute("html", "dir") == "rtl"
    assert page.get_by_role("status").inner_text() == "تم حجز موعدك."
    assert _fits(page)
    screenshot(page, "appointments-booked-ar-390")
    page.goto(f"{live_server.url}/apply/appointments?lang=ar&centre=bronx-hub")
    assert _fits(page)
    assert _axe(page) == []
    screenshot(page, "appointments-times-ar-390")
    page.set_viewport_size({"width": 360, "height": 800})
    assert _fits(page)
    page.set_viewport_size({"width": 1280, "height": 860})
    assert _fits(page)
    screenshot(page, "appointments-times-ar-1280")

    # The same person cannot hold a second future booking.
    page.goto(f"{live_server.url}/apply/appointments?lang=en&centre=bronx-hub")
    page.locator("label.time").nth(8).click()
    page.fill("#given_name", "grace")
    page.fill("#family_name", "OWUSU")
    page.fill("#date_of_birth", "1985-06-01")
    page.get_by_role("button", name="Book this appointment").click()
    page.wait_for_selector("#slot-error")
    assert "You already have an appointment" in page.locator("#slot-error").inner_text()
    assert len({english, spanish, arabic}) == 3
    phone.close()

    # The desk: today's booking is checked in and the intake form carries its reference.
    booked = subprocess.run(
        [sys.executable, "-c", _BOOK_TODAY, str(live_server.data_dir)],
        capture_output=True,
        text=True,
        env=live_server.env,
        timeout=120,
    )
    assert booked.returncode == 0, booked.stderr
    reference = booked.stdout.strip()
    desk = browser.new_context(viewport={"width": 1280, "height": 860})
    console = desk.new_page()
    sign_in(console, live_server, "clerk1")
    console.goto(f"{live_server.url}/console/enrollment/")
    console.get_by_label("Has an appointment? Booking reference").fill("nope0-nope0")
    console.get_by_role("button", name="Check in", exact=True).click()
    console.wait_for_selector("#checkin-error")
    assert console.locator("#checkin-error").inner_text() == "no appointment with that reference"
    console.goto(f"{live_server.url}/console/enrollment/")
    console.get_by_label("Has an appointment? Booking reference").fill(reference.lower())
    console.get_by_role("button", name="Check in", exact=True).click()
    console.wait_for_selector("#appointment-carried")
    assert reference in console.locator("#appointment-carried").inner_text()
    screenshot(console, "appointments-desk-checked-in")
    console.goto(f"{live_server.url}/console/appointments/?centre=night-desk")
    row = console.locator("tr", has_text="Nadia Karim")
    assert "checked in" in row.inner_text()
    screenshot(console, "appointments-console-day")
    desk.close()
