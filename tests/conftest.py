"""Shared fixtures: databases (SQLite and PostgreSQL), data dirs, the CLI.

Every test that takes `database_url` (or a fixture built on it) runs twice: once on
SQLite and once on PostgreSQL, each in its own schema. With CI=true a PostgreSQL that
does not answer fails the run instead of skipping.
"""

from __future__ import annotations

import json
import os
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import Engine

from cityid.cli import run as cli_run
from cityid.settings import Settings
from cityid.store import make_engine, migrate

PG_URL = os.environ.get("CITYID_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
IN_CI = os.environ.get("CI", "").lower() == "true"
ADMIN_PASSWORD = "correct horse battery staple"
PASSPHRASE = "test passphrase, not for production"
BACKENDS_RUN: Counter[str] = Counter()


def _pg_reachable() -> str | None:
    try:
        engine = make_engine(PG_URL, poolclass=sa.pool.NullPool)
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
        engine.dispose()
        return None
    except Exception as exc:  # any failure to connect
        return f"{type(exc).__name__}"


def _unavailable(reason: str) -> None:
    if IN_CI:
        pytest.fail(f"CI=true and {reason}")
    pytest.skip(reason)


SECOND_FACTOR_LINE = 'second_factor_required_roles = ["admin", "counsel", "records_officer"]'


def policy_without_second_factor() -> str:
    """The shipped policy with no role required to use TOTP (see the fixture below)."""
    from cityid.policy.loader import default_policy_text

    text = default_policy_text()
    assert SECOND_FACTOR_LINE in text
    return text.replace(SECOND_FACTOR_LINE, "second_factor_required_roles = []")


@pytest.fixture(autouse=True)
def _second_factor_optional_unless_marked(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The shipped policy makes admins, counsel and records officers set up TOTP at
    sign-in. Tests of other rooms sign those roles in with a password alone, so the data
    dirs they make get the policy without that requirement; tests of the second factor
    are marked `second_factor` and get the shipped policy as it is."""
    if request.node.get_closest_marker("second_factor"):
        return
    text = policy_without_second_factor()
    monkeypatch.setattr("cityid.datadir.default_policy_text", lambda: text)


@pytest.fixture(scope="session")
def pg_available() -> str | None:
    return _pg_reachable()


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh_database_url(
    request: pytest.FixtureRequest, tmp_path: Path, pg_available: str | None
) -> Iterator[str]:
    """An empty database (no tables) on each backend."""
    if request.param == "sqlite":
        BACKENDS_RUN["sqlite"] += 1
        yield f"sqlite:///{tmp_path / 'cityid-test.db'}"
        return
    if pg_available is not None:
        _unavailable(f"PostgreSQL at {PG_URL} does not answer ({pg_available})")
    schema = f"t_{uuid.uuid4().hex[:16]}"
    admin = make_engine(PG_URL, poolclass=sa.pool.NullPool)
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    BACKENDS_RUN["postgresql"] += 1
    try:
        yield f"{PG_URL}?options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def database_url(fresh_database_url: str) -> str:
    """A database on each backend, migrated to head."""
    engine = make_engine(fresh_database_url, poolclass=sa.pool.NullPool)
    migrate.upgrade(engine)
    engine.dispose()
    return fresh_database_url


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def settings_for(monkeypatch: pytest.MonkeyPatch) -> Any:
    """Settings (and the process environment, for subprocesses) for one data dir."""

    def make(data_dir: Path, database_url: str | None = None) -> Settings:
        monkeypatch.setenv("CITYID_DATA_DIR", str(data_dir))
        monkeypatch.setenv("CITYID_KEYSTORE_PASSPHRASE", PASSPHRASE)
        if database_url:
            monkeypatch.setenv("CITYID_DATABASE_URL", database_url)
        else:
            monkeypatch.delenv("CITYID_DATABASE_URL", raising=False)
        return Settings()

    return make


@pytest.fixture
def data_dir(tmp_path: Path, fresh_database_url: str, settings_for: Any) -> Path:
    """An initialised data dir on each database backend, with an `admin` user."""
    from cityid.datadir import init_data_dir

    directory = tmp_path / "data"
    settings = settings_for(directory, fresh_database_url)
    init_data_dir(directory, settings, admin_password=ADMIN_PASSWORD)
    return directory


class CliResult:
    def __init__(self, code: int, out: str, err: str) -> None:
        self.code = code
        self.out = out
        self.err = err

    @property
    def json(self) -> Any:
        return json.loads(self.out)


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Any:
    """Run `cityid ARGS...` in-process; returns exit code, stdout and stderr."""

    def invoke(*args: str) -> CliResult:
        capsys.readouterr()
        code = cli_run(list(args))
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return invoke


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if BACKENDS_RUN:
        ran = ", ".join(f"{name}: {count}" for name, count in sorted(BACKENDS_RUN.items()))
        terminalreporter.write_line(f"database tests set up per backend: {ran}")
