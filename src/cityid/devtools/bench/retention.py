"""`cityid bench` retention suite: backlog import rate, and destroying document copies
(1% held, certificate included) beside a naive DELETE + VACUUM of the same rows.

Measured in a throw-away SQLite data dir at `size` backlog records, each with one small
document copy: by default the target's 1,000,000, so the "_1m_" figures are measured.
A smaller `--size` is a quick look: its "_1m_" figures are scaled up linearly (which
flatters the larger run), and `retention_scale_to_1m` says by how much.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import secrets
import shutil
import sqlite3
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cityid.retention.legacy_import import ImportReport
    from cityid.runtime import Runtime
    from cityid.staff.actor import Actor

TARGET_RECORDS = 1_000_000


def _write_backlog(path: Path, applications: int, seed: int = 1) -> None:
    """Backlog lines of synthetic applicants, each with one 512-byte "scan" of a document."""
    from cityid.devtools.synth.applicants import generate_applicants

    scan = base64.b64encode(bytes(range(256)) * 2).decode()  # a small 512-byte "scan"
    with path.open("w", encoding="utf-8") as out:
        lines = generate_applicants(applications, seed=seed, today=dt.date(2016, 11, 30))
        for number, line in enumerate(lines, start=1):
            line.pop("truth", None)
            line["enrolled_on"] = dt.date(2015 + number % 2, 1 + number % 12, 1).isoformat()
            line["documents"][0]["copy_b64"] = scan
            out.write(json.dumps(line) + "\n")


def _timed_import(
    runtime: Runtime, officer: Actor, data_dir: Path, records: int
) -> tuple[ImportReport, float]:
    """Import `records` backlog lines after a warm-up; the report and the lines per second."""
    from cityid.retention import legacy_import

    backlog = data_dir.parent / "backlog.jsonl"
    _write_backlog(backlog, records)

    # Warm-up: the cohort keys (two classes x 24 months) exist before the timed import, as
    # they would after the first minutes of a million-line import.
    warm = data_dir.parent / "warm.jsonl"
    _write_backlog(warm, 48, seed=2)
    legacy_import.import_legacy(runtime, officer, warm)
    start = time.perf_counter()
    report = legacy_import.import_legacy(runtime, officer, backlog)
    import_seconds = time.perf_counter() - start
    return report, report.imported / import_seconds


def _approved_batch(runtime: Runtime, officer: Actor, counsel: Actor) -> str:
    """Hold 1% of the copies, then plan and approve (twice) the disposition of the rest."""
    import sqlalchemy as sa

    from cityid.retention import disposition, holds
    from cityid.retention.tables import document_copies as copies_table
    from cityid.store.uow import UnitOfWork

    with UnitOfWork(runtime.engine) as uow:
        ids = (
            uow.conn.execute(
                sa.select(copies_table.c.application_id)
                .distinct()
                .order_by(copies_table.c.application_id)
            )
            .scalars()
            .all()
        )
        held_apps = ids[: max(1, len(ids) // 100)]  # 1% of the copies held
        holds.place_hold(uow, runtime, counsel, authority="bench", docket="bench-1",
                         reason="bench", scope={"application_ids": list(held_apps)})  # fmt: skip
        batch = disposition.plan(uow, runtime, officer, as_of=dt.date(2017, 5, 1))
        disposition.approve(uow, runtime, officer, batch.batch_id)
        disposition.approve(uow, runtime, counsel, batch.batch_id)
        uow.commit()
    return batch.batch_id


def _timed_destroy(runtime: Runtime, batch_id: str) -> tuple[float, float, int]:
    """Execute the batch: total seconds, seconds until the last chunk, copies destroyed."""
    from cityid.retention import disposition
    from cityid.staff.actor import Actor

    chunks_done = [0.0]

    def note(_done: int, _total: int) -> None:
        chunks_done[0] = time.perf_counter()

    start = time.perf_counter()
    result = disposition.execute(runtime, Actor.system(), batch_id, progress=note)
    destroy_seconds = time.perf_counter() - start
    return destroy_seconds, chunks_done[0] - start, int(result.destroyed)


def _timed_naive_delete(naive_db: Path) -> float:
    """The same rows by DELETE + VACUUM, the yardstick."""
    start = time.perf_counter()
    conn = sqlite3.connect(naive_db)
    conn.execute("DELETE FROM document_copies WHERE due_on <= '2017-05-01'")
    conn.commit()
    conn.execute("VACUUM")
    conn.close()
    return time.perf_counter() - start


def measure(data_dir: Path, size: int) -> list[dict[str, Any]]:
    from cityid.bootstrap import open_runtime
    from cityid.datadir import init_data_dir
    from cityid.devtools.bench.scratch import bench_settings
    from cityid.staff.actor import Actor

    records = size or TARGET_RECORDS
    settings = bench_settings(data_dir)
    init_data_dir(data_dir, settings, admin_password=secrets.token_urlsafe(24))
    runtime = open_runtime(data_dir, settings)
    officer = Actor("bench-officer", "bench-officer", "records_officer")
    counsel = Actor("bench-counsel", "bench-counsel", "counsel")
    report, rate = _timed_import(runtime, officer, data_dir, records)
    batch_id = _approved_batch(runtime, officer, counsel)
    runtime.engine.dispose()
    naive_db = data_dir.parent / "naive.db"
    shutil.copyfile(data_dir / "cityid.db", naive_db)

    destroy_seconds, chunk_seconds, destroyed = _timed_destroy(runtime, batch_id)
    # Chunks scale with the records; keys, re-keying and the certificate with the cohorts.
    tail_seconds = destroy_seconds - chunk_seconds
    naive_seconds = _timed_naive_delete(naive_db)
    runtime.close()
    scale = TARGET_RECORDS / max(destroyed, 1)
    return [
        {"name": "retention_import_lines_per_s", "value": round(rate, 1), "unit": "lines/s"},
        {"name": "retention_import_copies_measured", "value": report.copies, "unit": "copies"},
        {"name": "retention_scale_to_1m", "value": round(scale, 2), "unit": "x"},
        {"name": "retention_import_1m_s",
         "value": round(TARGET_RECORDS / rate, 1), "unit": "s"},
        {"name": "retention_destroyed_measured", "value": destroyed, "unit": "copies"},
        {"name": "retention_destroy_measured_s", "value": round(destroy_seconds, 2), "unit": "s"},
        {"name": "retention_naive_delete_vacuum_measured_s", "value": round(naive_seconds, 2),
         "unit": "s"},
        {"name": "retention_destroy_keys_certificate_measured_s",
         "value": round(tail_seconds, 2), "unit": "s"},
        {"name": "retention_destroy_1m_s",
         "value": round(chunk_seconds * scale + tail_seconds, 1), "unit": "s"},
        {"name": "retention_naive_delete_vacuum_1m_s",
         "value": round(naive_seconds * scale, 1), "unit": "s"},
    ]  # fmt: skip
