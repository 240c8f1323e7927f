"""A backup restored after a destruction, with today's keystore: destroyed stays destroyed.

The backup is taken before the destruction, so it still holds the destroyed rows; their
cohort keys are gone from the keystore, so they open as "destroyed" and never as data.
Everything the destruction did not touch opens as before.
"""

from __future__ import annotations

import datetime as dt
import shutil
import uuid
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from cityid.bootstrap import open_runtime
from cityid.enrollment import lookup
from cityid.errors import Refused
from cityid.operations.backup import create_backup, restore_backup
from cityid.retention import disposition, legacy_import
from cityid.settings import Settings
from cityid.staff.actor import Actor
from cityid.store import make_engine
from cityid.store.uow import UnitOfWork
from tests.conftest import PG_URL
from tests.retention.retention_helpers import actors, application_ids, copy_state, write_backlog


def _second_database(database_url: str, tmp_path: Path) -> tuple[str, Any]:
    if database_url.startswith("sqlite"):
        return f"sqlite:///{tmp_path / 'restored.db'}", lambda: None
    schema = f"t_{uuid.uuid4().hex[:16]}"
    admin = make_engine(PG_URL, poolclass=sa.pool.NullPool)
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))

    def drop() -> None:
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()

    return f"{PG_URL}?options=-csearch_path%3D{schema}", drop


def test_a_restored_backup_keeps_destroyed_records_destroyed(
    data_dir: Path, database_url: str, tmp_path: Path, cli: Any
) -> None:
    runtime = open_runtime(data_dir)
    staff = actors()
    backlog = tmp_path / "backlog.jsonl"
    write_backlog(backlog, 10)
    legacy_import.import_legacy(runtime, staff.officer, backlog)
    before = copy_state(runtime)
    assert set(before.values()) == {"intact"}

    backup = tmp_path / "before.cityid-backup"
    made = cli("--json", "--data-dir", str(data_dir), "backup", "create", "--out", str(backup))
    assert made.code == 1  # the system actor may not take backups
    result = create_backup(runtime.engine, backup)
    assert Path(result.file).stat().st_size > 0

    with UnitOfWork(runtime.engine) as uow:
        batch = disposition.plan(uow, runtime, staff.officer, as_of=dt.date(2017, 5, 1))
        disposition.approve(uow, runtime, staff.officer, batch.batch_id)
        disposition.approve(uow, runtime, staff.counsel, batch.batch_id)
        uow.commit()
    disposition.execute(runtime, Actor.system(), batch.batch_id)
    assert set(copy_state(runtime).values()) == {"tombstoned"}

    # Restore into another data dir that shares today's keystore (copied after the
    # destruction), with its own database.
    restored_dir = tmp_path / "restored"
    shutil.copytree(data_dir, restored_dir, ignore=shutil.ignore_patterns("cityid.db*"))
    url, drop = _second_database(database_url, tmp_path)
    try:
        settings = Settings(data_dir=restored_dir, database_url=url)
        restored = open_runtime(restored_dir, settings)
        steps: list[tuple[str, int, int]] = []
        restore_backup(backup, restored.engine, progress=lambda *step: steps.append(step))
        assert steps[0][1] == 0 and steps[-1][1] == steps[-1][2] > 1  # the bar's ticks
        with pytest.raises(Refused):
            restore_backup(backup, restored.engine)  # never over data without --replace
        after = copy_state(restored)
        assert after.keys() == before.keys()
        assert set(after.values()) == {"destroyed"}
        reader = Actor("clerk-1", "clerk-1", "supervisor")
        for application_id in application_ids(restored):
            with UnitOfWork(restored.engine) as uow:
                shown = lookup.show(uow, restored, reader, application_id, purpose="audit")
            assert shown.applicant.family_name or shown.applicant.given_name
        restored.close()
    finally:
        drop()
    runtime.close()
