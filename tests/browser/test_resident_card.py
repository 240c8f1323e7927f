"""A resident stops a lost card on a phone (390 px), in English and in Arabic."""

from __future__ import annotations

from typing import Any

from tests.browser.conftest import LiveServer, screenshot
from tests.browser.residents import PHONE, code_from_mail, issued_card_with_email, no_overflow


def _stop_card(
    live_server: LiveServer, browser: Any, language: str, lang: str, *, wrong_first: bool = False
) -> Any:
    number, born, _ = issued_card_with_email(live_server, language)
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(f"{live_server.url}/me/card?lang={lang}")
    no_overflow(page)
    page.fill("#card_number", number)
    page.fill("#date_of_birth", born)
    page.click("#send-code")
    page.wait_for_selector("#code")
    code = code_from_mail(live_server)
    if wrong_first:
        page.fill("#code", f"{(int(code) + 1) % 1_000_000:06d}")
        page.click("#confirm-code")
        page.wait_for_selector("#code-error")
        assert page.locator("#code-error").is_visible()
        assert "2" in page.inner_text("#code-error")  # tries left
        no_overflow(page)
        screenshot(page, f"resident-card-wrong-code-{lang}-390")
    page.fill("#code", code)
    page.click("#confirm-code")
    page.wait_for_selector("#card-result")
    assert page.get_attribute("#card-result", "data-card-status") == "suspended"
    no_overflow(page)
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
