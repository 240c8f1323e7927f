"""A resident sees who looked at their record, in English (360 and 1280 px) and Arabic
(390 px), and the report they download passes `cityid audit verify-report`."""

from __future__ import annotations

import json
from typing import Any

from tests.browser.conftest import LiveServer, screenshot
from tests.browser.residents import PHONE, code_from_mail, issued_card_with_email, no_overflow

SMALL_PHONE = {"width": 360, "height": 780}


def _read_at_the_desk(live_server: LiveServer, application_id: str) -> None:
    password = live_server.data_dir.parent / "sup.pw"
    shown = live_server.cityid("--json", "--actor", "sup1", "--password-file", str(password),
                               "application", "show", application_id,
                               "--purpose", "desk_request")  # fmt: skip
    assert shown.returncode == 0, shown.stdout + shown.stderr


def _open_report(live_server: LiveServer, browser: Any, language: str, lang: str,
                 viewport: dict[str, int]) -> tuple[Any, str]:  # fmt: skip
    card = issued_card_with_email(live_server, language)
    _read_at_the_desk(live_server, card.application_id)
    page = browser.new_context(viewport=viewport).new_page()
    page.goto(f"{live_server.url}/me/access?lang={lang}")
    no_overflow(page)
    page.click("#send-code")  # nothing filled in: each field says what it needs
    assert page.locator("#given-error").is_visible()
    assert page.locator("#date_of_birth-error").is_visible()
    page.fill("#given", card.number)
    page.fill("#date_of_birth", card.date_of_birth)
    page.click("#send-code")
    page.wait_for_selector("#code")
    page.fill("#code", code_from_mail(live_server))
    page.click("#confirm-code")
    page.wait_for_selector("#access-lines")
    no_overflow(page)
    return page, card.application_id


def _the_desk_read(page: Any) -> str:
    row = page.locator("#access-lines tr", has=page.locator("[data-purpose='desk_request']"))
    assert row.count() == 1, "the supervisor's read is one line"
    return str(row.inner_text())


def _download_checks_out(live_server: LiveServer, page: Any, tmp_path: Any) -> None:
    with page.expect_download() as waiting:
        page.click("#download-report")
    saved = tmp_path / "report.json"
    waiting.value.save_as(saved)
    report = json.loads(saved.read_text())
    assert "sup1" not in saved.read_text(), "no staff names in the report"
    vkey = json.loads(live_server.cityid("--json", "audit", "public-key").stdout)["verifier_key"]
    checked = live_server.cityid("--json", "audit", "verify-report", str(saved), "--log-vkey", vkey)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert json.loads(checked.stdout)["lines_checked"] == len(report["lines"])


def test_who_looked_at_my_record_in_english(
    live_server: LiveServer, browser: Any, tmp_path: Any
) -> None:
    page, _ = _open_report(live_server, browser, "eng", "en", SMALL_PHONE)
    line = _the_desk_read(page)
    for words in ("Your record was opened", "Supervisor", "A request you made at a centre"):
        assert words in line
    assert "desk_request" not in page.inner_text("#access-lines"), "no internal codes"
    assert "sup1" not in page.inner_text("body"), "staff names are never shown"
    screenshot(page, "resident-access-en-360")
    page.set_viewport_size({"width": 1280, "height": 900})
    no_overflow(page)  # on a desk's screen the lines are one table, nothing cut off
    assert page.locator("#access-lines thead").is_visible()
    screenshot(page, "resident-access-en-1280")
    _download_checks_out(live_server, page, tmp_path)
    page.context.close()


def test_who_looked_at_my_record_in_arabic(
    live_server: LiveServer, browser: Any, tmp_path: Any
) -> None:
    page, _ = _open_report(live_server, browser, "ara", "ar", PHONE)
    assert page.get_attribute("html", "dir") == "rtl"
    line = _the_desk_read(page)
    for words in ("تم فتح سجلك", "مشرف", "طلب قدمته في أحد المراكز"):
        assert words in line
    assert "ما حدث" in page.inner_text("#access-lines thead")
    screenshot(page, "resident-access-ar-390")
    _download_checks_out(live_server, page, tmp_path)
    page.context.close()
