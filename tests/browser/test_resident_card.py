"""A resident stops a lost card on a phone (390 px), in English and in Arabic."""

from __future__ import annotations

import json
import re
from email import message_from_bytes
from email.policy import default
from pathlib import Path
from typing import Any

from tests.browser.conftest import LiveServer, screenshot

PHONE = {"width": 390, "height": 844}


def _card_with_contact(live_server: LiveServer, language: str) -> tuple[str, str]:
    """(card number, date of birth) of a freshly issued card with an email on file."""
    base = live_server.data_dir.parent
    password = base / "sup.pw"
    password.write_text("a supervisor's long test password")
    live_server.cityid("--json", "user", "add", "sup1", "--role", "supervisor",
                       "--password-file", str(password))  # fmt: skip
    sup = ("--actor", "sup1", "--password-file", str(password))
    synth = base / f"{language}.jsonl"
    made = live_server.cityid("--json", "synth", "applicants", "--count", "1", "--out", str(synth))
    assert made.returncode == 0, made.stderr
    line = json.loads(synth.read_text().splitlines()[0])
    line.update(contact_email=f"resident-{language}@example.org", language=language)
    synth.write_text(json.dumps(line) + "\n")
    enrolled = live_server.cityid("--json", *sup, "enroll", "--file", str(synth))
    assert enrolled.returncode == 0, enrolled.stdout + enrolled.stderr
    application_id = json.loads(enrolled.stdout)["items"][0]["application_id"]
    approved = live_server.cityid("--json", *sup, "application", "approve", application_id)
    assert approved.returncode == 0, approved.stdout
    issued = live_server.cityid("--json", *sup, "card", "issue", application_id)
    assert issued.returncode == 0, issued.stdout + issued.stderr
    return json.loads(issued.stdout)["card_number"], line["date_of_birth"]


def _code_from_mail(live_server: LiveServer) -> str:
    assert live_server.cityid("--json", "notify", "run").returncode == 0
    newest = max(Path(live_server.data_dir / "spool" / "mail").glob("*.eml"),
                 key=lambda p: p.stat().st_mtime_ns)  # fmt: skip
    body = message_from_bytes(newest.read_bytes(), policy=default).get_body().get_content()
    found = re.search(r"\b(\d{6})\b", body)
    assert found, "no code in the mail"
    return found.group(1)


def _no_overflow(page: Any) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page is {width}px wide on a {PHONE['width']}px screen"


def _stop_card(
    live_server: LiveServer, browser: Any, language: str, lang: str, *, wrong_first: bool = False
) -> Any:
    number, born = _card_with_contact(live_server, language)
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(f"{live_server.url}/me/card?lang={lang}")
    _no_overflow(page)
    page.fill("#card_number", number)
    page.fill("#date_of_birth", born)
    page.click("#send-code")
    page.wait_for_selector("#code")
    code = _code_from_mail(live_server)
    if wrong_first:
        page.fill("#code", f"{(int(code) + 1) % 1_000_000:06d}")
        page.click("#confirm-code")
        page.wait_for_selector("#code-error")
        assert page.locator("#code-error").is_visible()
        assert "2" in page.inner_text("#code-error")  # tries left
        _no_overflow(page)
        screenshot(page, f"resident-card-wrong-code-{lang}-390")
    page.fill("#code", code)
    page.click("#confirm-code")
    page.wait_for_selector("#card-result")
    assert page.get_attribute("#card-result", "data-card-status") == "suspended"
    _no_overflow(page)
    return page


def test_stop_a_lost_card_on_a_phone_in_english(live_server: LiveServer, browser: Any) -> None:
    page = _stop_card(live_server, browser, "eng", "en")
    assert "Nobody can use it now" in page.inner_text("#card-result")
    screenshot(page, "resident-card-stopped-en-390")
    page.context.close()


def test_a_wrong_code_then_the_right_one_in_arabic(live_server: LiveServer, browser: Any) -> None:
    page = _stop_card(live_server, browser, "ara", "ar", wrong_first=True)
    assert page.get_attribute("html", "dir") == "rtl"
    assert "بطاقتك موقوفة" in page.inner_text("#card-result")
    screenshot(page, "resident-card-stopped-ar-390")
    page.context.close()
