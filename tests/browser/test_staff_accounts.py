"""Staff accounts in a real browser at 1280 px: the admin sets up TOTP at first sign-in,
adds a staffer on the staff page, and signs in again with a code."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from cityid.staff import totp
from tests.browser.conftest import LiveServer, screenshot
from tests.browser.journey_helpers import STAFF_PASSWORD
from tests.conftest import ADMIN_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.second_factor]


def _password_step(page: Any, live_server: LiveServer, username: str, password: str) -> None:
    page.goto(f"{live_server.url}/console/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def _fits(page: Any) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"the page is {width} px wide"


def _at_360(page: Any, name: str) -> None:
    """The same page on a phone: nothing wider than the screen (tables scroll in their card)."""
    page.set_viewport_size({"width": 360, "height": 780})
    _fits(page)
    screenshot(page, name)
    page.set_viewport_size({"width": 1280, "height": 860})


def test_admin_sets_up_totp_adds_a_staffer_and_signs_in_with_a_code(
    live_server: LiveServer, page: Any
) -> None:
    _password_step(page, live_server, "admin", ADMIN_PASSWORD)
    page.wait_for_url(f"{live_server.url}/console/second-factor")
    assert page.get_by_role("heading", name="Set up two-step sign-in").is_visible()
    assert page.get_by_role("img", name="QR code for your authenticator app").is_visible()
    assert page.get_by_role("link", name="Staff").count() == 0, "nothing else before set-up"
    _fits(page)
    screenshot(page, "staff-totp-setup")
    _at_360(page, "staff-totp-setup-360")
    secret = page.locator("#totp-secret").inner_text().replace(" ", "")

    page.get_by_label("Code from the app").fill("123")
    page.get_by_role("button", name="Turn on two-step sign-in").click()
    assert "not right" in page.get_by_role("alert").inner_text()
    assert page.locator("#totp-secret").inner_text().replace(" ", "") == secret, "same key"
    page.get_by_label("Code from the app").fill(totp.code_at(secret, dt.datetime.now(dt.UTC)))
    page.get_by_role("button", name="Turn on two-step sign-in").click()
    assert page.get_by_role("heading", name="Two-step sign-in is on").is_visible()
    assert page.locator("#recovery-codes li").count() == 10
    screenshot(page, "staff-totp-recovery-codes")
    page.get_by_role("link", name="Continue to the console").click()
    assert page.get_by_role("heading", name="Welcome, admin").is_visible()

    page.get_by_role("link", name="Staff").click()
    page.get_by_label("Username").fill("clerk7")
    page.locator("#new-role").select_option("clerk")
    page.get_by_label("First password").fill("short")
    page.get_by_role("button", name="Add staff member").click()
    assert "at least 12 characters" in page.locator("#new-password-error").inner_text()
    assert page.get_by_label("Username").input_value() == "clerk7"
    screenshot(page, "staff-add-error")
    page.get_by_label("First password").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Add staff member").click()
    assert page.get_by_role("status").inner_text() == "Added clerk7."
    assert page.locator("#staff-clerk7").is_visible()
    _fits(page)
    screenshot(page, "staff-page-added")
    _at_360(page, "staff-page-360")

    page.get_by_role("button", name="Sign out").click()
    _password_step(page, live_server, "admin", ADMIN_PASSWORD)
    page.wait_for_url(f"{live_server.url}/console/login/code")
    screenshot(page, "staff-totp-code")
    # The next step's code: the one used to set up may not be used again.
    code = totp.code_at(secret, dt.datetime.now(dt.UTC) + dt.timedelta(seconds=30))
    page.get_by_label("Code").fill(code)
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(f"{live_server.url}/console/")
    assert page.get_by_role("heading", name="Welcome, admin").is_visible()

    page.get_by_role("button", name="Sign out").click()
    _password_step(page, live_server, "clerk7", STAFF_PASSWORD)
    page.wait_for_url(f"{live_server.url}/console/")
    assert page.get_by_role("heading", name="Welcome, clerk7").is_visible()
