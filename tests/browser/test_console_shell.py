"""The console shell in a real browser: the sign-in page renders and signs staff in."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import LiveServer, screenshot
from tests.conftest import ADMIN_PASSWORD

pytestmark = pytest.mark.browser


def test_login_page_renders_and_admin_signs_in(live_server: LiveServer, page: Any) -> None:
    page.goto(f"{live_server.url}/console/")
    assert page.url.endswith("/console/login")
    assert page.get_by_role("heading", name="Staff sign-in").is_visible()
    shot = screenshot(page, "console-login")
    assert shot.stat().st_size > 5_000

    page.get_by_label("Username").fill("admin")
    page.get_by_label("Password").fill(ADMIN_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/console/")
    assert page.get_by_role("heading", name="Welcome, admin").is_visible()
    screenshot(page, "console-home-admin")


def test_a_wrong_password_shows_a_message_not_a_trace(live_server: LiveServer, page: Any) -> None:
    page.goto(f"{live_server.url}/console/login")
    page.get_by_label("Username").fill("admin")
    page.get_by_label("Password").fill("not the password at all")
    page.get_by_role("button", name="Sign in").click()
    alert = page.get_by_role("alert")
    assert "wrong username or password" in alert.inner_text()
    assert "Traceback" not in page.content()
