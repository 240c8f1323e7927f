"""The command line's contract: JSON output, exit statuses, one-line errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ADMIN_PASSWORD, PASSPHRASE

CITYID = [sys.executable, "-m", "cityid"]


def _tree(directory: Path) -> dict[str, tuple[int, int]]:
    return {
        str(p.relative_to(directory)): (p.stat().st_size, p.stat().st_mtime_ns)
        for p in sorted(directory.rglob("*"))
        if p.is_file()
    }


def test_init_prints_the_documented_json_and_refuses_a_second_time(
    tmp_path: Path, fresh_database_url: str, settings_for, cli
) -> None:
    target = tmp_path / "dd"
    settings_for(target, fresh_database_url)
    password_file = tmp_path / "admin.pw"
    password_file.write_text(ADMIN_PASSWORD)

    first = cli(
        "--json", "init", "--data-dir", str(target), "--admin-password-file", str(password_file)
    )
    assert first.code == 0, first.err
    assert first.json == {
        "data_dir": str(target.resolve()),
        "admin": {"username": "admin"},
        "keystore": {"backend": "local"},
    }
    assert (target / "policy.toml").exists() and (target / "config.toml").exists()
    before = _tree(target)

    second = cli("--json", "init", "--data-dir", str(target))
    assert second.code == 1
    assert second.json["error"]["code"] == "exists"
    assert "refusing" in second.json["error"]["message"]
    assert _tree(target) == before


def test_init_generates_a_private_admin_password_when_none_is_given(
    tmp_path: Path, settings_for, cli
) -> None:
    target = tmp_path / "dd"
    settings_for(target)
    result = cli("init", "--data-dir", str(target))
    assert result.code == 0, result.err
    password_file = target / "admin.password"
    assert password_file.stat().st_mode & 0o777 == 0o600
    assert len(password_file.read_text().strip()) >= 20
    assert "admin.password" in result.err


def _run(*args: str, env_extra: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CITYID_KEYSTORE_PASSPHRASE": PASSPHRASE, **(env_extra or {})}
    env.pop("CITYID_DEBUG", None)
    return subprocess.run(CITYID + list(args), capture_output=True, text=True, env=env, timeout=60)


def test_an_unknown_option_is_a_usage_error_in_one_line() -> None:
    result = _run("--no-such-option")
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert "No such option" in result.stderr and "Traceback" not in result.stderr

    as_json = _run("--json", "init", "--keystore", "floppy")
    assert as_json.returncode == 2
    assert json.loads(as_json.stdout)["error"]["code"] == "usage"


def test_an_unreadable_policy_file_is_one_clear_line(tmp_path: Path) -> None:
    missing = tmp_path / "nope.toml"
    result = _run("init", "--data-dir", str(tmp_path / "dd"), "--policy", str(missing))
    assert result.returncode == 1
    assert "cannot read policy file" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "dd").exists()


def test_a_bad_policy_names_the_key_and_what_is_wrong(tmp_path: Path) -> None:
    from cityid.policy import default_policy_text

    bad = tmp_path / "bad.toml"
    bad.write_text(
        default_policy_text().replace("min_identity_points = 3", 'min_identity_points = "three"')
    )
    result = _run("--json", "init", "--data-dir", str(tmp_path / "dd"), "--policy", str(bad))
    assert result.returncode == 1
    message = json.loads(result.stdout)["error"]["message"]
    assert "eligibility.min_identity_points" in message
    assert "integer" in message


def test_a_database_that_does_not_answer_is_one_clear_line(tmp_path: Path) -> None:
    result = _run(
        "init",
        "--data-dir",
        str(tmp_path / "dd"),
        env_extra={"CITYID_DATABASE_URL": "postgresql://cityid@127.0.0.1:9/nowhere"},
    )
    assert result.returncode == 1
    assert "does not answer" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "dd").exists(), "a failed init leaves nothing behind"


def test_serve_refuses_a_data_dir_whose_policy_is_broken(tmp_path: Path) -> None:
    target = tmp_path / "dd"
    assert _run("init", "--data-dir", str(target)).returncode == 0
    policy = target / "policy.toml"
    policy.write_text(policy.read_text().replace("min_age = 10", "min_age = -4"))
    result = _run("serve", "--data-dir", str(target), "--port", "1")
    assert result.returncode == 1
    assert "eligibility.min_age" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("where", ["before", "after"])
def test_global_options_work_before_or_after_the_command(
    tmp_path: Path, settings_for, cli, where: str
) -> None:
    target = tmp_path / "dd"
    settings_for(target)
    args = ["init", "--data-dir", str(target)]
    args = ["--json", *args] if where == "before" else [*args, "--json"]
    result = cli(*args)
    assert result.code == 0
    assert result.json["admin"]["username"] == "admin"


def test_user_add_acts_as_the_local_operator_or_a_named_admin(
    tmp_path: Path, data_dir: Path, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`user add`'s --password-file is the new user's: the actor's comes from
    CITYID_PASSWORD, and with no actor named the local operator acts."""
    new_password = tmp_path / "new.pw"
    new_password.write_text("a long enough secret for a new clerk\n")
    added = cli("--json", "user", "add", "clerk1", "--role", "clerk",
                "--password-file", str(new_password))  # fmt: skip
    assert added.code == 0, added.out
    assert added.json["username"] == "clerk1" and added.json["role"] == "clerk"

    no_file = cli("--json", "user", "add", "clerk2", "--role", "clerk")
    assert no_file.code == 1
    assert "--password-file" in no_file.json["error"]["message"]

    args = ("--json", "--actor", "admin", "user", "add", "clerk2", "--role", "clerk",
            "--password-file", str(new_password))  # fmt: skip
    monkeypatch.delenv("CITYID_PASSWORD", raising=False)
    refused = cli(*args)
    assert refused.code == 1
    assert "CITYID_PASSWORD" in refused.json["error"]["message"]

    monkeypatch.setenv("CITYID_PASSWORD", ADMIN_PASSWORD)
    by_admin = cli(*args)
    assert by_admin.code == 0, by_admin.out
    assert by_admin.json["username"] == "clerk2"
