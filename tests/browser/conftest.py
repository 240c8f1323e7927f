"""Browser tests: `cityid serve` on a free port, driven in Debian's Chromium by Playwright.

Never downloads a browser: Playwright launches /usr/bin/chromium. Screenshots of each
journey land in test-artifacts/.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import ADMIN_PASSWORD, IN_CI, PASSPHRASE, policy_without_second_factor

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@dataclass
class LiveServer:
    url: str
    data_dir: Path
    env: dict[str, str]

    def cityid(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "cityid", "--data-dir", str(self.data_dir), *args],
            capture_output=True,
            text=True,
            env=self.env,
            timeout=120,
        )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def server_env() -> dict[str, str]:
    env = {**os.environ, "CITYID_KEYSTORE_PASSPHRASE": PASSPHRASE, "CITYID_INSECURE_COOKIES": "1"}
    env.pop("CITYID_DATABASE_URL", None)
    return env


@contextmanager
def serving(data_dir: Path, env: dict[str, str], log_path: Path) -> Iterator[LiveServer]:
    """`cityid serve` on a free port for an existing data dir, stopped afterwards."""
    port = _free_port()
    log = log_path.open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "cityid", "serve", "--data-dir", str(data_dir), "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        else:
            raise RuntimeError(log_path.read_text())
        yield LiveServer(url=url, data_dir=data_dir, env=env)
    finally:
        process.terminate()
        process.wait(timeout=15)
        log.close()


@pytest.fixture
def live_server(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[LiveServer]:
    data_dir = tmp_path / "data"
    env = server_env()
    password_file = tmp_path / "admin.pw"
    password_file.write_text(ADMIN_PASSWORD)
    # Admins sign in with a password alone here, unless the test is marked second_factor
    # (tests/browser/test_staff_accounts.py): the shipped policy requires their TOTP.
    policy_file = tmp_path / "policy.toml"
    if request.node.get_closest_marker("second_factor"):
        from cityid.policy.loader import default_policy_text

        policy_file.write_text(default_policy_text())
    else:
        policy_file.write_text(policy_without_second_factor())
    # @pytest.mark.live_policy({"old line": "new line"}): the policy the server starts with.
    marker = request.node.get_closest_marker("live_policy")
    if marker is not None:
        text = policy_file.read_text("utf-8")
        for old, new in marker.args[0].items():
            assert old in text, old
            text = text.replace(old, new)
        policy_file.write_text(text, "utf-8")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "cityid",
            "init",
            "--data-dir",
            str(data_dir),
            "--admin-password-file",
            str(password_file),
            "--policy",
            str(policy_file),
        ],
        check=True,
        env=env,
        capture_output=True,
        timeout=120,
    )
    with serving(data_dir, env, tmp_path / "serve.log") as server:
        yield server


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists() or shutil.which("chromium") is None:
        if IN_CI:
            pytest.fail("CI=true and Debian's chromium is not installed (make test installs it)")
        pytest.skip("Debian's chromium is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 860})
    page = context.new_page()
    yield page
    context.close()


def screenshot(page: Any, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
