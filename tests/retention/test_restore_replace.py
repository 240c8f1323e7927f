"""`cityid backup restore FILE --replace` over a live database, on SQLite and PostgreSQL:
the new database is built beside the old one and swapped in whole, so a restore killed
half-way (SIGKILL at a fault point, as the crash tests do) leaves the old one usable."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from cityid.bootstrap import open_runtime
from cityid.devtools.faults import CRASH_ENV
from cityid.errors import Unauthenticated
from cityid.operations import accounts
from cityid.operations.backup import create_backup
from cityid.operations.tables import staff_tables
from cityid.runtime import Runtime
from cityid.staff.actor import Actor
from cityid.store import migrate
from cityid.store.schema import metadata
from cityid.store.uow import UnitOfWork
from tests.conftest import ADMIN_PASSWORD

PASSWORD = "a long passphrase for staff 3"
BY = Actor("test", "test", "admin")


def _add(runtime: Runtime, username: str) -> None:
    with UnitOfWork(runtime.engine) as uow:
        accounts.add_user(uow, runtime.policy, username=username, role="clerk",
                          password=PASSWORD, by=BY)  # fmt: skip
        uow.commit()


def _usernames(data_dir: Path) -> set[str]:
    runtime = open_runtime(data_dir)
    try:
        with UnitOfWork(runtime.engine, read_only=True) as uow:
            users = staff_tables.staff_users
            names = set(uow.conn.execute(sa.select(users.c.username)).scalars())
            # usable: a sign-in works and writes
            accounts.authenticate(uow, runtime.policy, "admin", ADMIN_PASSWORD)
        assert migrate.is_at_head(runtime.engine)
        return names
    finally:
        runtime.close()


def _live_with_backup(data_dir: Path, tmp_path: Path) -> Path:
    """A data dir with `before` in its backup and `after` added since."""
    runtime = open_runtime(data_dir)
    _add(runtime, "before")
    backup = tmp_path / "backup.db"
    create_backup(runtime.engine, backup)
    _add(runtime, "after")
    runtime.close()
    return backup


def _restore(
    data_dir: Path, backup: Path, crash_at: int | None = None
) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    if crash_at is not None:
        env[CRASH_ENV] = str(crash_at)
    return subprocess.run(
        [sys.executable, "-m", "cityid", "--json", "backup", "restore", str(backup),
         "--replace", "--data-dir", str(data_dir)],
        env=env, capture_output=True, text=True, timeout=180,
    )  # fmt: skip


def _schemas_left(data_dir: Path) -> list[str]:
    runtime = open_runtime(data_dir)
    try:
        if runtime.engine.dialect.name != "postgresql":
            database = Path(str(runtime.engine.url.database))
            return [p.name for p in database.parent.glob(database.name + ".restoring*")]
        with runtime.engine.connect() as conn:
            current = conn.exec_driver_sql("SELECT current_schema()").scalar_one()
            return list(
                conn.execute(
                    sa.text("SELECT nspname FROM pg_namespace WHERE nspname LIKE :p"),
                    {"p": f"{current}\\_%"},
                ).scalars()
            )
    finally:
        runtime.close()


def test_restore_replace_over_a_live_database(data_dir: Path, tmp_path: Path) -> None:
    backup = _live_with_backup(data_dir, tmp_path)
    assert {"before", "after"} <= _usernames(data_dir)
    done = _restore(data_dir, backup)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "OperationalError" not in done.stdout + done.stderr
    names = _usernames(data_dir)
    assert "before" in names and "after" not in names, "the backup's accounts, not today's"
    assert _schemas_left(data_dir) == [], "no staging schema or file is left behind"
    again = _restore(data_dir, backup)  # and again over the restored one
    assert again.returncode == 0, again.stderr


def _fault_points(_data_dir: Any) -> int:
    import cityid.operations.tables  # noqa: F401

    return len(metadata.sorted_tables)


@pytest.mark.parametrize("where", ["mid-copy", "before-swap"])
def test_a_restore_killed_half_way_leaves_the_old_database_usable(
    data_dir: Path, tmp_path: Path, where: str
) -> None:
    backup = _live_with_backup(data_dir, tmp_path)
    # One fault point per table copied, then one when the new database is complete.
    crash_at = 3 if where == "mid-copy" else _fault_points(data_dir) + 1
    killed = _restore(data_dir, backup, crash_at=crash_at)
    assert killed.returncode == -9, killed.stdout + killed.stderr
    names = _usernames(data_dir)
    assert {"before", "after"} <= names, "the old database, whole and usable"
    runtime = open_runtime(data_dir)
    with UnitOfWork(runtime.engine) as uow, pytest.raises(Unauthenticated):
        accounts.authenticate(uow, runtime.policy, "after", "wrong password here")
    runtime.close()
    done = _restore(data_dir, backup)  # the next restore clears what the killed one left
    assert done.returncode == 0, done.stderr
    assert "after" not in _usernames(data_dir)
    assert _schemas_left(data_dir) == []
