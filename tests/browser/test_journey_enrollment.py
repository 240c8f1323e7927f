"""The enrollment journey in a real browser: a clerk takes an application in at the desk
(applicant, documents with the live points tally, photo, review), a supervisor approves
it and issues the card, and the print files download. Also: the desk's first step done
with the keyboard alone."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from playwright.sync_api import expect

from tests.browser.conftest import LiveServer, screenshot
from tests.browser.journey_helpers import add_staff, sign_in, sign_out

pytestmark = pytest.mark.browser


def _photo(tmp_path: Path) -> Path:
    path = tmp_path / "applicant.png"
    Image.new("RGB", (400, 500), (196, 164, 132)).save(path, format="PNG")
    return path


def test_clerk_enrolls_supervisor_approves_and_prints_the_card(
    live_server: LiveServer, page: Any, tmp_path: Path
) -> None:
    add_staff(live_server, tmp_path, clerk="clerk", supervisor="supervisor")
    sign_in(page, live_server, "clerk")
    page.get_by_role("link", name="Enrollment desk").click()
    page.wait_for_url("**/console/enrollment/")

    # Step 1: the applicant.
    expect(page.locator('[aria-current="step"] .step-name')).to_have_text("Applicant")
    page.get_by_label("Given name(s), as written").fill("Marisol")
    page.get_by_label("Family name(s), as written").fill("Quintanilla-Ybarra")
    page.get_by_label("Date of birth").fill("1988-04-17")
    page.get_by_label("Street address").fill("37-12 Junction Blvd")
    page.get_by_label("Apartment, unit").fill("Apt 3F")
    page.get_by_label("City or borough").fill("Queens")
    expect(page.get_by_role("textbox", name="State", exact=True)).to_have_value("NY")
    page.get_by_label("Postal code").fill("11368")
    page.get_by_label("Preferred language").select_option("spa")
    expect(page.get_by_label("Preferred language").locator("option:checked")).to_have_text(
        "Español (Spanish)"
    )
    screenshot(page, "journey-enrollment-1-applicant")
    page.get_by_role("button", name="Next: documents").click()

    # Step 2: documents; the tally follows every change.
    expect(page.locator('[aria-current="step"] .step-name')).to_have_text("Documents")
    tally = page.locator("#tally")
    expect(tally).to_contain_text("0 in all")
    expect(tally).to_contain_text("needs 3 more identity points")
    first = page.get_by_role("group", name="Document 1")
    first.get_by_label("Type").select_option("nys_driver_license")
    first.get_by_label("Document number").fill("NY-123-456-789")
    expect(first.get_by_label("Issuing country")).to_be_hidden()  # the policy knows: USA
    expires = dt.date.today() + dt.timedelta(days=3 * 365)
    first.get_by_label("Expires").fill(expires.isoformat())
    expect(tally).to_contain_text("3 identity, 1 residency, 4 in all")
    expect(tally).to_contain_text("Eligible.")
    expect(tally).not_to_contain_text("needs 3 more identity points")
    screenshot(page, "journey-enrollment-2-documents")
    page.get_by_role("button", name="Next: photo").click()

    # Step 3: the photo, a PNG from disk.
    expect(page.locator('[aria-current="step"] .step-name')).to_have_text("Photo")
    page.get_by_label("Photo (JPEG or PNG, up to 5 MB)").set_input_files(str(_photo(tmp_path)))
    page.get_by_role("button", name="Next: review").click()

    # Step 4: review, then submit.
    expect(page.locator('[aria-current="step"] .step-name')).to_have_text("Review")
    expect(page.get_by_role("img", name="Applicant photo")).to_be_visible()
    assert "Marisol Quintanilla-Ybarra" in page.locator("dl.facts").inner_text()
    expect(page.locator("#tally")).to_contain_text("4 in all")
    screenshot(page, "journey-enrollment-4-review")
    page.get_by_role("button", name="Submit application").click()

    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_text("Application taken in")
    reference = page.locator(".receipt-reference").inner_text()
    assert len(reference) >= 6, reference
    link = page.get_by_role("link", name=re.compile(r"Open application "))
    application_id = link.inner_text().removeprefix("Open application ").strip()
    screenshot(page, "journey-enrollment-5-reference")
    sign_out(page, live_server)

    # A supervisor finds it in the queue and approves it.
    sign_in(page, live_server, "supervisor")
    page.get_by_role("link", name="Decisions").click()
    page.wait_for_url("**/console/enrollment/queue")
    row = page.get_by_role("row").filter(has_text=application_id)
    expect(row).to_have_count(1)
    screenshot(page, "journey-enrollment-6-queue")
    row.get_by_role("link", name=application_id).click()
    page.wait_for_url(f"**/console/applications/{application_id}?purpose=intake")
    expect(page.get_by_text(f"reference {reference}", exact=False)).to_be_visible()
    documents = page.get_by_role("table").filter(has_text="Copy")
    assert "built-in method" not in documents.inner_text()
    expect(documents.get_by_role("row").nth(1)).to_contain_text("New York State driver license")
    expect(documents.get_by_role("row").nth(1)).to_contain_text(re.compile("retained"))
    page.get_by_label("Reason (kept sealed with the application)").fill("Originals seen.")
    page.get_by_role("button", name="Approve").click()
    expect(page.locator("p").filter(has_text="Status:").locator("strong")).to_have_text("approved")

    # The card: issued from the approved application's row in the cards console.
    page.get_by_role("link", name="Cards").click()
    page.wait_for_url("**/console/cards/")
    waiting = page.get_by_role("row").filter(has_text=application_id)
    waiting.get_by_role("button", name="Issue card").click()
    expect(page.get_by_role("status")).to_have_text("Card issued.")
    expect(page.locator("[data-card-status]")).to_have_text("active")
    screenshot(page, "journey-enrollment-7-card")

    with page.expect_download() as pdf_info:
        page.get_by_role("link", name="Print card (PDF, both sides)").click()
    pdf = tmp_path / "card.pdf"
    pdf_info.value.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF-")

    with page.expect_download() as png_info:
        page.get_by_role("link", name="Front (PNG)").click()
    png = tmp_path / "card-front.png"
    png_info.value.save_as(png)
    assert png.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    with Image.open(png) as front:
        assert front.width > front.height > 100  # a card, landscape


def _tab_to(page: Any, element_id: str, limit: int = 80) -> None:
    """Press Tab until the element with this id has the focus (it must be reachable)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement && document.activeElement.id") == element_id:
            return
    raise AssertionError(f"#{element_id} is not reachable with Tab")


def _press_on(page: Any, label: str, limit: int = 60) -> None:
    """Tab to the button with this text and press Enter (no mouse)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent.trim()") == label:
            page.keyboard.press("Enter")
            return
    raise AssertionError(f"{label!r} is not reachable with Tab")


def test_the_desk_apply_flow_by_keyboard_alone(
    live_server: LiveServer, page: Any, tmp_path: Path
) -> None:
    add_staff(live_server, tmp_path, clerk="clerk")
    sign_in(page, live_server, "clerk")
    page.goto(f"{live_server.url}/console/enrollment/")

    # From the top of the page: Tab, type, Tab... no mouse from here on.
    _tab_to(page, "f-given_name")
    page.keyboard.type("Kwame")
    _tab_to(page, "f-family_name", limit=1)
    page.keyboard.type("Mensah")
    _tab_to(page, "f-date_of_birth", limit=1)
    page.keyboard.type("03091979")  # Chromium's date field: mm dd yyyy
    _tab_to(page, "f-line1", limit=4)
    page.keyboard.type("1520 Grand Concourse")
    _tab_to(page, "f-city", limit=2)
    page.keyboard.type("Bronx")
    _tab_to(page, "f-postal_code", limit=2)
    page.keyboard.type("10457")
    focused = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert focused != "none", "the focused field shows no focus ring"
    screenshot(page, "journey-enrollment-keyboard")

    # Tab on to the button and press Enter.
    for _ in range(30):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent") == "Next: documents":
            break
    else:
        raise AssertionError("'Next: documents' is not reachable with Tab")
    page.keyboard.press("Enter")

    expect(page.locator('[aria-current="step"] .step-name')).to_have_text("Documents")
    expect(page.get_by_role("alert")).to_have_count(0)
    # What was typed travels on with the form.
    assert page.locator('input[type="hidden"][name="family_name"]').get_attribute("value") == (
        "Mensah"
    )
    assert page.locator('input[type="hidden"][name="date_of_birth"]').get_attribute("value") == (
        "1979-03-09"
    )

    # Documents: a type chosen by typing its name; only the fields it has take the Tab.
    _tab_to(page, "f-doc0_type")
    page.keyboard.type("New York State driver")
    expect(page.locator("#f-doc0_type")).to_have_value("nys_driver_license")
    _tab_to(page, "f-doc0_number", limit=1)
    page.keyboard.type("NY-998-114-220")
    _tab_to(page, "f-doc0_expires", limit=1)  # no issuing country: the policy knows it
    expires = dt.date.today() + dt.timedelta(days=700)
    page.keyboard.type(expires.strftime("%m%d%Y"))
    expect(page.locator("#tally")).to_contain_text("Eligible.")
    _press_on(page, "Next: photo")
    expect(page.locator('[aria-current="step"] .step-name')).to_have_text("Photo")
    _press_on(page, "Next: review")
    expect(page.locator('[aria-current="step"] .step-name')).to_have_text("Review")
    _press_on(page, "Submit application")
    expect(page.get_by_role("heading", level=1)).to_have_text("Application taken in")
    screenshot(page, "journey-enrollment-keyboard-done")
