"""Card production in a real browser at 1280 px: a production officer cuts and exports a
batch and moves it to the centre; a clerk hands a pickup card over after the identity
check, and the wrong person is refused beside the field."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import LiveServer, screenshot
from tests.browser.journey_helpers import add_staff, run_cli, sign_in, sign_out
from tests.cards_service.card_helpers import applicant_line

pytestmark = pytest.mark.browser
BORN = "1985-03-04"


def _pickup_card(live_server: LiveServer, tmp_path: Path, password: Path) -> str:
    """An approved application that chose pickup, issued: its card number."""
    line = applicant_line(dt.date.today(), pickup_at_centre=True, centre="Queens Central Library")
    lines = tmp_path / "one.jsonl"
    lines.write_text(json.dumps(line) + "\n")
    signed = ("--password-file", str(password))
    enrolled = run_cli(live_server, "enroll", "--file", str(lines), "--actor", "clerk", *signed)
    application_id = enrolled["items"][0]["application_id"]
    run_cli(live_server, "application", "approve", application_id, "--actor", "sup", *signed)
    issued = run_cli(live_server, "card", "issue", application_id, "--actor", "sup", *signed)
    return str(issued["card_number"])


def _no_overflow(page: Any) -> None:
    wide = page.evaluate("document.documentElement.scrollWidth > window.innerWidth + 1")
    assert not wide, "the page is wider than the screen"


def test_production_console_and_desk_pickup(
    live_server: LiveServer, page: Any, tmp_path: Path
) -> None:
    password = add_staff(live_server, tmp_path, sup="supervisor", printer="production",
                         clerk="clerk")  # fmt: skip
    number = _pickup_card(live_server, tmp_path, password)

    sign_in(page, live_server, "printer")
    page.get_by_role("link", name="Card production").click()
    page.wait_for_url("**/console/production/")
    assert "1 issued cards wait" in page.locator("#queue").inner_text()
    assert "1 for pickup" in page.locator("#queue").inner_text()
    page.get_by_role("button", name="Cut a print batch").click()
    page.wait_for_url("**/console/production/pb-*")
    assert page.get_by_role("status").inner_text().startswith("Print batch cut: 1 cards")
    with page.expect_download() as download:
        page.get_by_role("button", name="Export for the printer").click()
    archive = zipfile.ZipFile(io.BytesIO(Path(download.value.path()).read_bytes()))
    names = sorted(archive.namelist())
    assert [n.split("-", 2)[-1] for n in names] == ["manifest.json", "manifest.jws", "sheets.pdf"]
    page.reload()
    assert page.get_by_role("button", name="Export for the printer").count() == 0
    page.get_by_role("button", name="Mark printed").click()
    page.get_by_role("button", name="Mark mailed").click()
    assert page.locator("#batch-status").inner_text() == "mailed"
    assert "at centre" in page.locator("table").inner_text()
    assert "pickup at the centre" in page.locator("table").inner_text()
    _no_overflow(page)
    screenshot(page, "production-batch-1280")
    page.get_by_role("link", name="Card production").click()
    screenshot(page, "production-console-1280")
    sign_out(page, live_server)

    sign_in(page, live_server, "clerk")
    page.get_by_role("link", name="Card pickup").click()
    page.wait_for_url("**/console/production/pickup")
    page.get_by_label("Card number or application reference").fill(number)
    page.get_by_label("Date of birth, as on the photo ID").fill("1990-01-01")
    page.get_by_role("button", name="Hand the card over").click()
    # Nothing confirmed: the checkbox's own error, beside it.
    assert "saw the person's photo ID" in page.locator("#e-id_seen").inner_text()
    page.get_by_label("Date of birth, as on the photo ID").fill("1990-01-01")
    page.get_by_label("I saw the person's photo ID").check()
    page.get_by_role("button", name="Hand the card over").click()
    refused = page.locator("#e-date_of_birth").inner_text()
    assert "do not match" in refused and "suspended" in refused
    _no_overflow(page)
    screenshot(page, "production-pickup-refused-1280")

    page.get_by_label("Date of birth, as on the photo ID").fill(BORN)
    page.get_by_label("I saw the person's photo ID").check()
    page.get_by_role("button", name="Hand the card over").click()
    page.wait_for_url("**/console/production/pickup?message=*")
    assert "handed over: it is now valid" in page.get_by_role("status").inner_text()
    screenshot(page, "production-pickup-done-1280")
    page.set_viewport_size({"width": 360, "height": 800})
    page.goto(f"{live_server.url}/console/production/pickup")
    _no_overflow(page)
    screenshot(page, "production-pickup-360")
    shown = run_cli(live_server, "card", "show", number, "--actor", "sup", "--password-file",
                    str(password))  # fmt: skip
    assert shown["status"] == "active"
    reasons = [event["reason_code"] for event in shown["history"]]
    assert reasons[-1] == "picked_up" and "awaiting_pickup" in reasons
