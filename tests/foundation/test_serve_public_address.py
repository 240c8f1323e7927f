"""`cityid serve` and the public address that cards and status lists name.

Only the refusals run the real command (it exits before listening); the rules behind
the warnings are checked directly, so no test leaves a server running.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from cityid.bootstrap import open_runtime
from cityid.cards.status_service import status_list_uri
from cityid.errors import BadInput, ConfigError
from cityid.public_address import check_listen_address, parse_public_base_url

CITYID = [sys.executable, "-m", "cityid"]


def _serve(*args: str, env_extra: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **(env_extra or {})}
    try:
        return subprocess.run(
            [*CITYID, "serve", *args], capture_output=True, text=True, env=env, timeout=60
        )
    except subprocess.TimeoutExpired:  # it started serving: the refusal is missing
        pytest.fail("cityid serve started instead of refusing")


@pytest.fixture
def served_dir(tmp_path: Path, settings_for: Any) -> Path:
    from cityid.datadir import init_data_dir

    directory = tmp_path / "data"
    init_data_dir(directory, settings_for(directory))
    return directory


def test_serve_refuses_a_public_listener_when_cards_would_name_loopback(
    served_dir: Path,
) -> None:
    result = _serve("--data-dir", str(served_dir), "--host", "0.0.0.0", "--port", "18765")
    assert result.returncode == 1
    assert "not serving" in result.stderr
    assert "http://127.0.0.1:8000" in result.stderr
    assert "--public-base-url" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_refusal_is_one_json_error_with_json(served_dir: Path) -> None:
    result = _serve(
        "--json", "--data-dir", str(served_dir), "--host", "192.0.2.10", "--port", "18765"
    )
    assert result.returncode == 1
    assert json.loads(result.stdout)["error"]["code"] == "public_base_url"


def test_serve_refuses_a_public_base_url_that_is_not_an_http_url(served_dir: Path) -> None:
    result = _serve("--data-dir", str(served_dir), "--public-base-url", "id.nyc.example/x?y=1")
    assert result.returncode == 1
    assert "public base URL" in result.stderr
    bad_env = _serve(
        "--data-dir", str(served_dir), env_extra={"CITYID_PUBLIC_BASE_URL": "ftp://id.example"}
    )
    assert bad_env.returncode == 1
    assert "CITYID_PUBLIC_BASE_URL" in bad_env.stderr


def test_the_environment_names_the_status_lists(
    served_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert status_list_uri(open_runtime(served_dir), 3) == "http://127.0.0.1:8000/status-lists/3"
    monkeypatch.setenv("CITYID_PUBLIC_BASE_URL", "https://id.nyc.example/")
    runtime = open_runtime(served_dir)
    assert runtime.policy.program.public_base_url == "https://id.nyc.example"
    assert status_list_uri(runtime, 3) == "https://id.nyc.example/status-lists/3"
    monkeypatch.setenv("CITYID_PUBLIC_BASE_URL", "not a url")
    with pytest.raises(ConfigError):
        open_runtime(served_dir)


LOOPBACK_8000 = parse_public_base_url("http://127.0.0.1:8000")


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "10.0.0.5", "id.nyc.example"])
def test_a_listener_beyond_this_machine_with_a_loopback_address_is_refused(host: str) -> None:
    check = check_listen_address(LOOPBACK_8000, host, 8000, set_by_operator=False)
    assert check.refusal is not None and "127.0.0.1:8000" in check.refusal
    asked = check_listen_address(LOOPBACK_8000, host, 8000, set_by_operator=True)
    assert asked.refusal is None and asked.warning is not None


def test_another_port_on_loopback_is_warned_about() -> None:
    check = check_listen_address(LOOPBACK_8000, "127.0.0.1", 8001, set_by_operator=False)
    assert check.refusal is None
    assert check.warning is not None and "8001" in check.warning
    localhost = parse_public_base_url("http://localhost:8001")
    assert check_listen_address(localhost, "127.0.0.1", 8001, set_by_operator=False).warning is None


@pytest.mark.parametrize(("host", "port"), [("127.0.0.1", 8080), ("0.0.0.0", 443), ("::1", 9)])
def test_a_public_address_behind_a_proxy_is_fine(host: str, port: int) -> None:
    public = parse_public_base_url("https://id.nyc.example")
    assert public.port == 443
    check = check_listen_address(public, host, port, set_by_operator=False)
    assert check.refusal is None and check.warning is None


@pytest.mark.parametrize(
    "text",
    ["id.nyc.example", "ftp://id.nyc.example", "https://", "https://x/?q=1", "http://x:99999"],
)
def test_a_public_base_url_must_be_an_http_url_with_a_host(text: str) -> None:
    with pytest.raises(BadInput):
        parse_public_base_url(text)
