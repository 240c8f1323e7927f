"""The backlog import: worker processes give what one process gives; an interrupted import
resumes where it stopped, importing nothing twice."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from cityid.bootstrap import PROCESS_SERVICES, open_runtime
from cityid.enrollment.screening import INTAKE_SCREENER
from cityid.enrollment.tables import applications, document_copies
from cityid.retention import legacy_import
from cityid.retention.legacy_import import import_legacy
from cityid.runtime import Runtime
from cityid.store.uow import UnitOfWork
from tests.retention.retention_helpers import actors, copy_state, write_backlog

LINES = 23
BAD = (3, 11, 20)


def _counts(runtime: Runtime) -> tuple[int, int]:
    with UnitOfWork(runtime.engine, read_only=True) as uow:
        apps = uow.conn.execute(sa.select(sa.func.count()).select_from(applications)).scalar()
        copies = uow.conn.execute(sa.select(sa.func.count()).select_from(document_copies)).scalar()
    return int(apps or 0), int(copies or 0)


def test_worker_processes_import_what_one_process_does(data_dir: Path, tmp_path: Path) -> None:
    runtime = open_runtime(data_dir)
    backlog = tmp_path / "backlog.jsonl"
    write_backlog(backlog, LINES, bad_lines=BAD)

    report = import_legacy(
        runtime, actors().officer, backlog, batch_lines=4, commit_lines=4, workers=2
    )

    assert (report.lines, report.imported, report.invalid) == (LINES, LINES - len(BAD), len(BAD))
    invalid = [item["line"] for item in report.items if item["status"] == "invalid"]
    assert invalid == list(BAD)
    imported = [item["line"] for item in report.items if item["status"] == "imported"]
    assert imported == [n for n in range(1, LINES + 1) if n not in BAD]  # file order kept
    assert _counts(runtime) == (LINES - len(BAD), report.copies)
    # Every copy sealed by a worker opens with this process's keystore.
    state = copy_state(runtime)
    assert len(state) == report.copies and set(state.values()) == {"intact"}


class _Interrupted(Exception):
    pass


def test_an_interrupted_import_resumes_and_imports_nothing_twice(
    data_dir: Path, tmp_path: Path
) -> None:
    runtime = open_runtime(data_dir)
    officer = actors().officer
    backlog = tmp_path / "backlog.jsonl"
    write_backlog(backlog, LINES, bad_lines=BAD)

    def stop_after_two_batches(done: int, _total: int) -> None:
        if done >= 8:
            raise _Interrupted

    with pytest.raises(_Interrupted):
        import_legacy(
            runtime,
            officer,
            backlog,
            batch_lines=4,
            commit_lines=4,
            progress=stop_after_two_batches,
        )
    assert _counts(runtime)[0] == 8 - 1  # line 3 is bad

    resumed = import_legacy(runtime, officer, backlog, batch_lines=4, commit_lines=4)
    assert resumed.skipped_done == 8
    assert resumed.imported == LINES - len(BAD) - 7
    assert [i["line"] for i in resumed.items if i["status"] == "invalid"] == [11, 20]
    assert _counts(runtime)[0] == LINES - len(BAD)

    again = import_legacy(runtime, officer, backlog, batch_lines=4, commit_lines=4)
    assert (again.skipped_done, again.imported) == (LINES, 0)
    assert _counts(runtime)[0] == LINES - len(BAD)


def _services_in_worker() -> list[str]:
    """Run inside a worker: the name of every port and service its runtime can give."""
    runtime = legacy_import.worker_runtime()
    return [
        key.name
        for key in (INTAKE_SCREENER, *PROCESS_SERVICES)
        if runtime.services.get(key) is not None
    ]


def test_a_worker_process_has_every_service_of_the_main_process(
    data_dir: Path, tmp_path: Path
) -> None:
    """A worker opens its runtime through the composition root, as the door did: the
    intake screener (a port only the root binds) and every per-process service are there."""
    runtime = open_runtime(data_dir)
    expected = [key.name for key in (INTAKE_SCREENER, *PROCESS_SERVICES)]
    assert [
        k.name for k in (INTAKE_SCREENER, *PROCESS_SERVICES) if runtime.services.get(k) is not None
    ] == (expected)

    with legacy_import.worker_pool(runtime, actors().officer, tmp_path, 1) as pool:
        in_worker = pool.submit(_services_in_worker).result()

    assert in_worker == expected
