"""The backlog: applications with document copies, imported into retain-mode cohorts.

Each line is an applicant line (as `cityid enroll` reads) plus `enrolled_on`, and
documents carrying their scanned copy as `copy_b64` or as `copy_file` (a path beside
the JSON lines file). Copies join the cohort of their enrollment month
("document_copy/2016-03"), whatever the document mode is today: these copies were kept
under the old rules and retention now decides their end.

Fast: keyed hashers opened once, record keys wrapped a batch at a time (one keystore
call per cohort), rows inserted in batches of thousands, one audit entry per batch, and
large files turned into rows by worker processes while this one stores them.
Resumable: a batch's rows and the file's progress (keyed by the file's SHA-256) commit
together, so a rerun skips what is done. Lines that
cannot be read are reported by number and stored nowhere. The backlog's people were
enrolled long ago: they are not screened again here (a separate matching job does).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import multiprocessing
import operator
import os
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from cityid.audit import log as audit_log
from cityid.crypto.sealing import SealedKey
from cityid.enrollment.applicant import InvalidApplicant
from cityid.enrollment.repository import EnrollmentKeys
from cityid.enrollment.tables import applications, document_attestations, document_copies
from cityid.errors import BadInput
from cityid.retention.legacy_rows import LineImporter, Rows
from cityid.retention.tables import legacy_imports
from cityid.runtime import Runtime
from cityid.settings import Settings
from cityid.staff.actor import Actor
from cityid.staff.permissions import authorize
from cityid.store.bulk import insert_rows
from cityid.store.uow import UnitOfWork

BATCH_LINES = 2000  # lines a worker turns into rows at a time
COMMIT_LINES = 20_000  # lines stored per transaction: fewer, fuller index page writes
PARALLEL_FROM_LINES = 20_000  # below this, starting worker processes costs more than it saves
MAX_ITEMS_LISTED = 10_000
Progress = Callable[[int, int], None]


@dataclass
class ImportReport:
    file_digest: str
    lines: int = 0
    skipped_done: int = 0
    imported: int = 0
    invalid: int = 0
    copies: int = 0
    items: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        listed = [i for i in self.items if i["status"] != "imported"]
        if self.imported <= MAX_ITEMS_LISTED:
            listed = self.items
        return {
            "enrolled": self.imported,
            "flagged": 0,
            "rejected": 0,
            "invalid": self.invalid,
            "copies": self.copies,
            "skipped_already_imported": self.skipped_done,
            "file_digest": self.file_digest,
            "items": listed,
            "items_complete": len(listed) == len(self.items),
        }


def file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def count_lines(path: Path) -> int:
    with path.open("rb") as handle:
        return sum(1 for raw in handle if raw.strip())


def _lines(path: Path) -> Iterator[tuple[int, str]]:
    with path.open("r", encoding="utf-8") as handle:
        for number, text in enumerate(handle, start=1):
            if text.strip():
                yield number, text


def _fill_keys(sealed: dict[str, SealedKey], rows: Rows) -> None:
    for table_rows, id_column in ((rows.applications, "application_id"), (rows.copies, "copy_id")):
        for row in table_rows:
            key = sealed[row[id_column]]
            row["cohort_key_id"], row["wrapped_key"] = key.cohort_key_id, key.wrapped


def _problem(exc: Exception) -> list[str]:
    if isinstance(exc, InvalidApplicant):
        return [f"{name}: {message}" for name, message in exc.field_errors]
    if isinstance(exc, BadInput):
        return [exc.message]
    return ["the line could not be read"]


def _progress_row(uow: UnitOfWork, digest: str) -> Any:
    return uow.conn.execute(
        sa.select(legacy_imports).where(legacy_imports.c.file_digest == digest)
    ).first()


def import_legacy(
    runtime: Runtime,
    actor: Actor,
    path: Path,
    *,
    progress: Progress | None = None,
    batch_lines: int = BATCH_LINES,
    commit_lines: int = COMMIT_LINES,
    workers: int | None = None,
) -> ImportReport:
    """Import (or resume importing) a backlog file; every `commit_lines` lines commit together.

    Large files are turned into rows by `workers` processes (default: one per core), and
    the batches are still stored one after another in file order, so resuming works the
    same way; a small file is done in this process, as is any file with `workers=0`.
    """
    authorize(runtime.policy, actor, "import.legacy")
    path = path.resolve()
    try:
        digest = file_digest(path)
        total = count_lines(path)
    except OSError as exc:
        raise BadInput(f"cannot read {path}: {exc.strerror or exc}") from None
    if workers is None:
        workers = (os.cpu_count() or 1) if total >= PARALLEL_FROM_LINES else 0
    report = ImportReport(file_digest=digest)
    done_through = _start(runtime, digest)

    def pending() -> Iterator[list[tuple[int, str]]]:
        batch: list[tuple[int, str]] = []
        try:
            for number, text in _lines(path):
                report.lines += 1
                if number <= done_through:
                    report.skipped_done += 1
                    continue
                batch.append((number, text))
                if len(batch) >= batch_lines:
                    yield batch
                    batch = []
        except UnicodeDecodeError:
            raise BadInput(f"{path} is not UTF-8 text") from None
        if batch:
            yield batch

    group: list[_Built] = []
    for built in _built_batches(runtime, actor, path.parent, pending(), workers):
        group.append(built)
        if sum(b.lines for b in group) >= commit_lines:
            _store_batches(runtime, actor, digest, group, report)
            group = []
            if progress is not None:
                progress(report.lines, total)
    if group:
        _store_batches(runtime, actor, digest, group, report)
    with UnitOfWork(runtime.engine) as uow:
        uow.conn.execute(
            legacy_imports.update()
            .where(legacy_imports.c.file_digest == digest)
            .values(finished_at=dt.datetime.now(dt.UTC))
        )
        if uow.conn.dialect.name == "postgresql" and report.imported:
            # Fresh statistics, or the planner keeps the plans it made for empty tables
            # until autovacuum comes round (seconds per intake at a million rows).
            for table in (applications, document_attestations, document_copies):
                uow.conn.exec_driver_sql(f"ANALYZE {table.name}")
        uow.commit()
    if progress is not None:
        progress(report.lines, total)
    return report


def _start(runtime: Runtime, digest: str) -> int:
    """The last line number already imported from this file (0 for a new file)."""
    with UnitOfWork(runtime.engine) as uow:
        found = _progress_row(uow, digest)
        if found is not None:
            return int(found.lines_done)
        now = dt.datetime.now(dt.UTC)
        uow.conn.execute(
            legacy_imports.insert().values(
                file_digest=digest, lines_done=0, imported=0, invalid=0,
                started_at=now, updated_at=now, finished_at=None,
            )
        )  # fmt: skip
        uow.commit()
        return 0


@dataclass
class _Built:
    """One batch turned into rows, ready to store: nothing here has touched the database."""

    last_line: int
    lines: int
    rows: Rows
    items: list[dict[str, Any]]
    copies: int


def _build_batch(importer: LineImporter, batch: list[tuple[int, str]]) -> _Built:
    rows = Rows()
    items: list[dict[str, Any]] = []
    copies = 0
    for number, text in batch:
        mark = (len(rows.applications), len(rows.attestations), len(rows.copies))
        try:
            application_id, made = importer.rows(text, rows)
        except (InvalidApplicant, BadInput, ValueError) as exc:
            # Drop whatever the failed line half-built.
            importer.record_keys.discard(
                [r["application_id"] for r in rows.applications[mark[0] :]]
                + [r["copy_id"] for r in rows.copies[mark[2] :]]
            )
            del rows.applications[mark[0] :], rows.attestations[mark[1] :], rows.copies[mark[2] :]
            items.append({"line": number, "application_id": None, "status": "invalid",
                          "flags": [], "reasons": _problem(exc)})  # fmt: skip
            continue
        copies += made
        items.append({"line": number, "application_id": application_id, "status": "imported",
                      "flags": [], "reasons": []})  # fmt: skip
    _fill_keys(importer.record_keys.wrap(), rows)
    return _Built(batch[-1][0], len(batch), rows, items, copies)


def _built_batches(
    runtime: Runtime,
    actor: Actor,
    base: Path,
    batches: Iterator[list[tuple[int, str]]],
    workers: int,
) -> Iterator[_Built]:
    """Each batch as rows, in file order: built here, or by worker processes."""
    if workers <= 0:
        with EnrollmentKeys.open(runtime.keystore) as keys:
            importer = LineImporter(runtime, actor, keys, base)
            for batch in batches:
                yield _build_batch(importer, batch)
        return
    with worker_pool(runtime, actor, base, workers) as pool:
        in_flight: deque[Future[_Built]] = deque()
        for batch in batches:
            in_flight.append(pool.submit(_worker_build, batch))
            if len(in_flight) > 2 * workers:
                yield in_flight.popleft().result()
        while in_flight:
            yield in_flight.popleft().result()


def worker_pool(runtime: Runtime, actor: Actor, base: Path, workers: int) -> ProcessPoolExecutor:
    """`workers` processes that turn batches into rows, each with its own runtime opened
    the way `runtime` was (`Runtime.worker_opener`: through the composition root, so with
    the same ports and services as this process)."""
    # "spawn": a fresh interpreter per worker, so no keystore session or lock is inherited.
    return ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_worker_start,
        initargs=(runtime.worker_opener(), runtime.data_dir, runtime.settings, actor, base),
    )


_worker_importer: LineImporter | None = None


def worker_runtime() -> Runtime:
    """In a worker process of `worker_pool`: the runtime it opened."""
    assert _worker_importer is not None, "the worker was not started"
    return _worker_importer.runtime


def _worker_start(
    opener: Callable[[Path, Settings], Runtime],
    data_dir: Path,
    settings: Settings,
    actor: Actor,
    base: Path,
) -> None:
    global _worker_importer
    worker_runtime = opener(data_dir, settings)
    keys = EnrollmentKeys.open(worker_runtime.keystore)
    _worker_importer = LineImporter(worker_runtime, actor, keys, base)


def _worker_build(batch: list[tuple[int, str]]) -> _Built:
    assert _worker_importer is not None, "the worker was not started"
    return _build_batch(_worker_importer, batch)


def _store_batches(
    runtime: Runtime, actor: Actor, digest: str, group: list[_Built], report: ImportReport
) -> None:
    """Batches' rows, an audit entry per batch and the file's progress, in one transaction.

    Several batches share a commit because each commit rewrites every index page it
    touched, and at a million rows a batch's random keys touch a page each.
    """
    ref = f"import:{digest[:16]}"
    events = []
    imported = invalid = 0
    with UnitOfWork(runtime.engine) as uow:
        for table, pick in (
            (applications, operator.attrgetter("applications")),
            (document_attestations, operator.attrgetter("attestations")),
            (document_copies, operator.attrgetter("copies")),
        ):
            table_rows = [row for built in group for row in pick(built.rows)]
            if table_rows:
                # The table's own column order: the rows go to the driver as they are.
                columns = tuple(c.key for c in table.c if c.key in table_rows[0])
                if len(columns) != len(table_rows[0]):
                    raise ValueError(f"rows for {table.name} name unknown columns")
                values = list(map(operator.itemgetter(*columns), table_rows))
                insert_rows(uow.conn, table, columns, values)
        for built in group:
            ids = [i["application_id"] for i in built.items if i["application_id"]]
            bad = len(built.items) - len(ids)
            imported, invalid = imported + len(ids), invalid + bad
            events.append(
                audit_log.Event(
                    actor, "application.import", ids or [ref], reason="legacy_import",
                    reason_ref=ref, extra={"lines": built.lines, "imported": len(ids),
                                           "invalid": bad, "copies": built.copies},
                )
            )  # fmt: skip
        audit_log.append_many(uow, events)
        uow.conn.execute(
            legacy_imports.update()
            .where(legacy_imports.c.file_digest == digest)
            .values(
                lines_done=group[-1].last_line,
                imported=legacy_imports.c.imported + imported,
                invalid=legacy_imports.c.invalid + invalid,
                updated_at=dt.datetime.now(dt.UTC),
            )
        )
        uow.commit()
    report.imported += imported
    report.invalid += invalid
    for built in group:
        report.copies += built.copies
        report.items.extend(built.items)
