"""`cityid demo` tells the whole 2016 story and checks it; `demo-state` leaves it running."""

from __future__ import annotations

import stat
from pathlib import Path
from typing import Any

import pytest

from cityid.bootstrap import open_runtime
from cityid.demo import checks, story
from cityid.operations.accounts import authenticate
from cityid.settings import Settings
from cityid.store.uow import UnitOfWork

STEP_NAMES = [name for name, _step in story.STEPS]


def test_the_story_runs_end_to_end_and_every_step_holds(cli: Any) -> None:
    result = cli("--json", "demo", "--size", "40")
    assert result.code == 0, result.out + result.err
    document = result.json
    assert document["ok"] is True
    assert [step["name"] for step in document["steps"]] == STEP_NAMES
    failed = [step for step in document["steps"] if not step["ok"]]
    assert failed == []
    details = {step["name"]: step["detail"] for step in document["steps"]}
    assert "valid" in details["cards"] and "revoked" in details["cards"]
    assert "0 due" in details["court_hold"]
    assert "denied under rule" in details["federal_subpoena"]


def test_a_step_that_cannot_run_fails_the_command_with_a_clear_message(
    cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(checks, "retention_missing", lambda: "cityid.retention.x is missing")
    result = cli("demo", "--size", "20")
    assert result.code == 1
    lines = {line.split()[2].rstrip(":"): line for line in result.out.splitlines()[1:-1]}
    assert set(lines) == set(STEP_NAMES)
    for name in ("court_hold", "hold_released", "destruction", "old_backup", "receipt"):
        assert lines[name].startswith("✗")
        assert "retention not available: cityid.retention.x is missing" in lines[name]
    for name in ("staff", "enroll", "cards", "verify_and_discard", "federal_subpoena"):
        assert lines[name].startswith("✓")
    assert "FAILED" in result.out.splitlines()[-1]


def test_demo_refuses_a_data_dir_that_is_not_empty(cli: Any, tmp_path: Path) -> None:
    (tmp_path / "something").write_text("x")
    result = cli("--data-dir", str(tmp_path), "demo", "--size", "20")
    assert result.code == 2


def test_demo_state_leaves_a_data_dir_with_one_login_per_role(cli: Any, tmp_path: Path) -> None:
    data_dir = tmp_path / "state"
    result = cli("--json", "--data-dir", str(data_dir), "demo-state", "--size", "30")
    assert result.code == 0, result.out + result.err
    logins = data_dir / "logins.txt"
    assert stat.S_IMODE(logins.stat().st_mode) == 0o600
    rows = [line.split() for line in logins.read_text().splitlines()[1:]]
    roles = {row[0] for row in rows}
    assert roles == {
        "admin", "clerk", "supervisor", "investigator", "records_officer", "counsel", "auditor",
        "production",
    }  # fmt: skip
    runtime = open_runtime(data_dir, Settings(data_dir=data_dir))
    try:
        with UnitOfWork(runtime.engine) as uow:
            for role, username, password in rows:
                assert authenticate(uow, runtime.policy, username, password).role == role
            uow.commit()
    finally:
        runtime.close()


def test_demo_in_a_data_dir_keeps_it_and_says_how_to_serve_it(cli: Any, tmp_path: Path) -> None:
    data_dir = tmp_path / "kept"
    result = cli("--data-dir", str(data_dir), "demo", "--size", "20")
    assert result.code == 0, result.out + result.err
    assert (data_dir / "config.toml").is_file() and (data_dir / "logins.txt").is_file()
    assert f"cityid serve --data-dir {data_dir}" in result.err
    assert str(data_dir / "logins.txt") in result.err
    assert "cityid serve" not in result.out  # the narration on stdout stays the story's
