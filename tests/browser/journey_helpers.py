"""Shared steps of the browser journeys: staff made through the CLI, signing in and out."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.browser.conftest import LiveServer

STAFF_PASSWORD = "a journey through the console 2016"


def run_cli(live_server: LiveServer, *args: str) -> dict[str, Any]:
    """`cityid --json ARGS` against the server's data dir; its JSON answer."""
    done = live_server.cityid("--json", *args)
    assert done.returncode == 0, done.stdout + done.stderr
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def add_staff(live_server: LiveServer, tmp_path: Path, **roles: str) -> Path:
    """Staff accounts (username=role), all with STAFF_PASSWORD; the password file."""
    password = tmp_path / "staff.pw"
    password.write_text(STAFF_PASSWORD)
    for username, role in roles.items():
        run_cli(live_server, "user", "add", username, "--role", role, "--password-file",
                str(password))  # fmt: skip
    return password


def sign_in(page: Any, live_server: LiveServer, username: str) -> None:
    page.goto(f"{live_server.url}/console/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/console/")


def sign_out(page: Any, live_server: LiveServer) -> None:
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(f"{live_server.url}/console/login*")
