"""Execution killed at random points resumes to the same end; a concurrent hold wins.

Each run copies one prepared data dir (a planned, approved batch over a backlog with a
few applications under a hold), runs `execute` in a forked process with the fault hook
`CITYID_RETENTION_CRASH_AT=k` (SIGKILL at the k-th crash point), checks the state the
kill left, resumes, and compares with an uninterrupted run.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import shutil
import signal
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from cityid.bootstrap import open_runtime
from cityid.devtools.faults import CRASH_ENV, PAUSE_ENV, CrashAndPause, from_environment
from cityid.retention import disposition, holds, legacy_import
from cityid.retention.tables import tombstones
from cityid.runtime import Runtime
from cityid.settings import Settings
from cityid.staff.actor import Actor
from cityid.store import make_engine
from cityid.store.uow import UnitOfWork
from tests.conftest import PG_URL
from tests.retention.retention_helpers import (
    actors,
    application_ids,
    copies_of,
    copy_state,
    set_chunk_size,
)

# 20 killed runs in the suite: most on SQLite, the rest on PostgreSQL.
SQLITE_RUNS = 15
PG_RUNS = 5


def _prepare(data_dir: Path, tmp_path: Path, *, held_apps: int, chunk: int) -> tuple[str, set[str]]:
    """Backlog, a hold on `held_apps` applications, a planned and approved batch."""
    from tests.retention.retention_helpers import write_backlog

    set_chunk_size(data_dir, chunk)
    runtime = open_runtime(data_dir)
    staff = actors()
    tmp_path.mkdir(parents=True, exist_ok=True)
    backlog = tmp_path / "backlog.jsonl"
    write_backlog(backlog, 12)
    legacy_import.import_legacy(runtime, staff.officer, backlog)
    held: set[str] = set()
    with UnitOfWork(runtime.engine) as uow:
        if held_apps:
            chosen = application_ids(runtime)[:held_apps]
            holds.place_hold(
                uow, runtime, staff.counsel, authority="Court", docket="77-1",
                reason="test", scope={"application_ids": chosen},
            )  # fmt: skip
            held = {copy for app in chosen for copy in copies_of(runtime, app)}
        batch = disposition.plan(uow, runtime, staff.officer, as_of=dt.date(2017, 5, 1))
        disposition.approve(uow, runtime, staff.officer, batch.batch_id)
        disposition.approve(uow, runtime, staff.counsel, batch.batch_id)
        uow.commit()
    runtime.close()
    return batch.batch_id, held


class Clones:
    """Copies of the prepared data dir (and, on PostgreSQL, of its database)."""

    def __init__(self, template: Path, database_url: str, tmp_path: Path) -> None:
        self.template = template
        self.tmp_path = tmp_path
        self.postgres = database_url.startswith("postgresql")
        self.database_url = database_url
        self.schemas: list[str] = []
        self.source_schema = database_url.rsplit("%3D", 1)[-1] if self.postgres else ""

    def make(self, name: str) -> tuple[Path, Settings]:
        target = self.tmp_path / name
        shutil.copytree(self.template, target)
        if not self.postgres:
            shutil.copyfile(self.database_url.removeprefix("sqlite:///"), target / "cityid.db")
            return target, Settings(data_dir=target, database_url=None)
        schema = f"t_{uuid.uuid4().hex[:16]}"
        self.schemas.append(schema)
        admin = make_engine(PG_URL, poolclass=sa.pool.NullPool)
        with admin.begin() as conn:  # a copy of the schema: tables, rows, defaults
            conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
            names = conn.execute(
                sa.text("SELECT tablename FROM pg_tables WHERE schemaname = :s"),
                {"s": self.source_schema},
            ).scalars()
            for name in list(names):
                new, old = f'"{schema}"."{name}"', f'"{self.source_schema}"."{name}"'
                conn.execute(sa.text(f"CREATE TABLE {new} (LIKE {old} INCLUDING ALL)"))
                conn.execute(sa.text(f"INSERT INTO {new} SELECT * FROM {old}"))
        admin.dispose()
        url = f"{PG_URL}?options=-csearch_path%3D{schema}"
        return target, Settings(data_dir=target, database_url=url)

    def drop(self) -> None:
        if not self.schemas:
            return
        admin = make_engine(PG_URL, poolclass=sa.pool.NullPool)
        with admin.begin() as conn:
            for schema in self.schemas:
                conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


def _in_child(work: Callable[[], None], env: dict[str, str]) -> int:
    """Run `work` in a forked process; returns its wait status."""
    pid = os.fork()
    if pid == 0:  # the child: never returns into pytest
        code = 0
        try:
            os.environ.update(env)
            work()
        except BaseException:
            code = 3
        os._exit(code)
    _, status = os.waitpid(pid, 0)
    return status


def _execute(data_dir: Path, settings: Settings, batch_id: str) -> Callable[[], None]:
    def work() -> None:
        runtime = open_runtime(data_dir, settings, faults=from_environment())
        disposition.execute(runtime, Actor.system(), batch_id)

    return work


def _final(runtime: Runtime, batch_id: str) -> dict[str, Any]:
    result = disposition.summary(runtime, batch_id)
    with UnitOfWork(runtime.engine, read_only=True) as uow:
        document = disposition.certificate_document(
            uow, runtime, Actor("x", "x", "records_officer"), batch_id
        )
    body = document["certificate"]
    return {
        "copies": copy_state(runtime),
        "status": result.status,
        "destroyed": result.destroyed,
        "skipped_held": result.skipped_held,
        "keys": result.cohort_keys_destroyed,
        "digest": body["destroyed_ids_sha256"],
        "counts": body["counts_by_class"],
    }


def _check_consistent(runtime: Runtime, held: set[str]) -> None:
    """After a kill: nothing held destroyed, nothing half destroyed."""
    state = copy_state(runtime)
    assert "HALF" not in state.values()
    # A row whose key is gone but which has no tombstone would be half destroyed.
    assert "destroyed" not in state.values()
    assert all(state[copy] == "intact" for copy in held)


def test_killed_execution_resumes_to_the_same_end(
    data_dir: Path, database_url: str, tmp_path: Path
) -> None:
    batch_id, held = _prepare(data_dir, tmp_path / "work", held_apps=2, chunk=4)
    clones = Clones(data_dir, database_url, tmp_path)
    try:
        reference_dir, reference_settings = clones.make("reference")
        hooks = CrashAndPause()  # counts the crash points of an uninterrupted run
        counting = open_runtime(reference_dir, reference_settings, faults=hooks)
        disposition.execute(counting, Actor.system(), batch_id)
        points = hooks.reached_count
        expected = _final(counting, batch_id)
        counting.close()
        assert expected["skipped_held"] == len(held) > 0
        assert expected["destroyed"] > 0 and expected["keys"]
        assert points > 10

        runs = PG_RUNS if clones.postgres else SQLITE_RUNS
        chosen = random.Random(20161205).sample(range(1, points + 1), min(runs, points))
        for run, crash_at in enumerate(chosen):
            run_dir, settings = clones.make(f"run-{run}")
            status = _in_child(_execute(run_dir, settings, batch_id), {CRASH_ENV: str(crash_at)})
            assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL, crash_at
            runtime = open_runtime(run_dir, settings)
            _check_consistent(runtime, held)
            disposition.execute(runtime, Actor.system(), batch_id)
            disposition.execute(runtime, Actor.system(), batch_id)  # twice: nothing more
            assert _final(runtime, batch_id) == expected, f"crash at point {crash_at}"
            runtime.close()
    finally:
        clones.drop()


def test_a_hold_placed_during_execution_wins(
    data_dir: Path, database_url: str, tmp_path: Path
) -> None:
    batch_id, _ = _prepare(data_dir, tmp_path / "work", held_apps=0, chunk=3)
    settings = Settings(data_dir=data_dir, database_url=database_url)
    runtime = open_runtime(data_dir, settings)
    total = len(copy_state(runtime))
    counsel = Actor("counsel-1", "counsel-1", "counsel")

    pid = os.fork()
    if pid == 0:
        code = 0
        try:
            os.environ[PAUSE_ENV] = "0.05"
            _execute(data_dir, settings, batch_id)()
        except BaseException:
            code = 3
        os._exit(code)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with UnitOfWork(runtime.engine, read_only=True) as uow:
                started = uow.conn.execute(sa.select(sa.func.count()).select_from(tombstones))
                if started.scalar_one() > 0:
                    break
            time.sleep(0.01)
        with UnitOfWork(runtime.engine) as uow:
            holds.place_hold(
                uow, runtime, counsel, authority="Court", docket="88-2", reason="stop",
                scope={"all": True},
            )  # fmt: skip
            uow.commit()
        with UnitOfWork(runtime.engine, read_only=True) as uow:
            destroyed_when_held = set(uow.conn.execute(sa.select(tombstones.c.record_id)).scalars())
    finally:
        _, status = os.waitpid(pid, 0)
    assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0
    assert 0 < len(destroyed_when_held) < total, "the hold did not land mid-execution"
    state = copy_state(runtime)
    destroyed = {copy for copy, what in state.items() if what == "tombstoned"}
    assert destroyed == destroyed_when_held
    assert all(what == "intact" for copy, what in state.items() if copy not in destroyed)
    result = disposition.summary(runtime, batch_id)
    assert result.skipped_held == total - len(destroyed)
    runtime.close()


@pytest.fixture(autouse=True)
def _no_leftover_hooks() -> Any:
    yield
    for name in (CRASH_ENV, PAUSE_ENV):
        os.environ.pop(name, None)
