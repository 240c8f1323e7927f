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

import base64
import binascii
import datetime as dt
import hashlib
import json
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
from cityid.crypto.sealing import RecordKeyBatch, SealedKey, seal_field
from cityid.enrollment import cohorts
from cityid.enrollment.applicant import InvalidApplicant, parse_applicant
from cityid.enrollment.document_token import document_token
from cityid.enrollment.eligibility import decide
from cityid.enrollment.repository import (
    EnrollmentKeys,
    address_key,
    blind_index,
    document_token_purpose,
    new_id,
    new_reference,
    personal_fields,
)
from cityid.enrollment.service import check_photo
from cityid.enrollment.tables import applications, document_attestations, document_copies
from cityid.errors import BadInput
from cityid.retention.schedule import enrollment_month
from cityid.retention.tables import legacy_imports
from cityid.runtime import Runtime
from cityid.settings import Settings
from cityid.staff.actor import Actor
from cityid.staff.permissions import authorize
from cityid.store.bulk import insert_rows
from cityid.store.uow import UnitOfWork
from cityid.vocabulary import ADDRESS_KEY_PURPOSE, BLIND_INDEX_PURPOSE

BATCH_LINES = 2000  # lines a worker turns into rows at a time
COMMIT_LINES = 20_000  # lines stored per transaction: fewer, fuller index page writes
PARALLEL_FROM_LINES = 20_000  # below this, starting worker processes costs more than it saves
MAX_ITEMS_LISTED = 10_000
DATE_CACHE_SIZE = 50_000
STATUSES = ("submitted", "approved", "issued", "rejected", "withdrawn")
Progress = Callable[[int, int], None]


class BadLine(BadInput):
    code = "bad_line"


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


@dataclass
class _Rows:
    applications: list[dict[str, Any]] = field(default_factory=list)
    attestations: list[dict[str, Any]] = field(default_factory=list)
    copies: list[dict[str, Any]] = field(default_factory=list)


# (application due, application period, copy due, copy period, attestation due)
_Dates = tuple[dt.date | None, str, dt.date, str, dt.date | None]


class _LineImporter:
    """Turns one line into rows; shares the sealer and hashers across the whole file."""

    def __init__(self, runtime: Runtime, actor: Actor, keys: EnrollmentKeys, base: Path) -> None:
        self.runtime = runtime
        self.policy = runtime.policy
        self.actor = actor
        self.keys = keys
        self.base = base
        self.blind = keys.hasher(BLIND_INDEX_PURPOSE)
        self.address = keys.hasher(ADDRESS_KEY_PURPOSE)
        self.token = keys.hasher(document_token_purpose())
        self.record_keys = RecordKeyBatch(keys.keystore)
        self._date_cache: dict[tuple[dt.date, dt.date | None], _Dates] = {}

    def _enrolled_on(self, data: dict[str, Any]) -> dt.date:
        try:
            return dt.date.fromisoformat(str(data["enrolled_on"]))
        except KeyError:
            raise BadLine("enrolled_on: required") from None
        except ValueError:
            raise BadLine("enrolled_on: must be a date YYYY-MM-DD") from None

    def _copy(self, raw_doc: Any) -> bytes | None:
        if not isinstance(raw_doc, dict):
            return None
        if raw_doc.get("copy_b64") is not None:
            try:
                return base64.b64decode(str(raw_doc["copy_b64"]), validate=True)
            except (binascii.Error, ValueError):
                raise BadLine("documents: copy_b64 is not base64") from None
        name = raw_doc.get("copy_file")
        if name is None:
            return None
        path = (self.base / str(name)).resolve()
        if self.base not in path.parents:
            raise BadLine("documents: copy_file must be a file beside the JSON lines file")
        try:
            return path.read_bytes()
        except OSError:
            raise BadLine("documents: copy_file cannot be read") from None

    def _dates(self, enrolled_on: dt.date, card_expires_on: dt.date | None) -> _Dates:
        """Due dates and cohort periods: the same few hundred dates recur across a file."""
        key = (enrolled_on, card_expires_on)
        found = self._date_cache.get(key)
        if found is not None:
            return found
        policy = self.policy
        app_due = (
            cohorts.due_after_card(policy, "application", card_expires_on)
            if card_expires_on
            else None
        )
        period = (
            cohorts.period_of(app_due, policy.schedule_for("application"))
            if app_due
            else cohorts.application_period(enrolled_on)
        )
        attestation_due = (
            cohorts.due_after_card(policy, "document_attestation", card_expires_on)
            if card_expires_on
            else None
        )
        found = (
            app_due,
            period,
            cohorts.document_copy_due(policy, enrolled_on),
            enrollment_month(enrolled_on),
            attestation_due,
        )
        if len(self._date_cache) >= DATE_CACHE_SIZE:
            self._date_cache.clear()  # a bound on memory; the common dates come back at once
        self._date_cache[key] = found
        return found

    def rows(self, text: str, out: _Rows) -> tuple[str, int]:
        try:
            data = json.loads(text)
        except (json.JSONDecodeError, RecursionError):
            raise BadLine("(line): not valid JSON") from None
        if not isinstance(data, dict):
            raise BadLine("(line): not a JSON object")
        enrolled_on = self._enrolled_on(data)
        applicant = parse_applicant(data, self.policy, enrolled_on)
        raw_docs = data.get("documents") or []
        scans = [self._copy(doc) for doc in raw_docs]
        photo = check_photo(applicant)
        decision = decide(applicant, self.policy, enrolled_on)
        status = data.get("status") if data.get("status") in STATUSES else "approved"
        expires = data.get("card_expires_on")
        card_expires_on = dt.date.fromisoformat(expires) if isinstance(expires, str) else None

        application_id = new_id("app")
        app_due, period, copy_due, copy_period, attestation_due = self._dates(
            enrolled_on, card_expires_on
        )
        opened = self.record_keys.new_key("application", period, application_id)
        plain = personal_fields(applicant)
        if photo is not None:
            plain["photo"] = photo.portrait_jpeg
            plain["face"] = photo.face_webp
        stamp = dt.datetime.now(dt.UTC)
        row: dict[str, Any] = {
            "application_id": application_id,
            "reference": new_reference(),
            "status": status,
            "app_type": "new",
            "previous_application_id": None,
            "centre": applicant.centre,
            "clerk_id": self.actor.user_id,
            "created_at": stamp,
            "updated_at": stamp,
            "enrolled_on": enrolled_on,
            "cohort_key_id": None,  # both filled in when the batch's keys are wrapped
            "wrapped_key": None,
            "due_on": app_due,
            "card_expires_on": card_expires_on,
            "blind_index": blind_index(
                self.blind, applicant.family_name, applicant.given_name, applicant.date_of_birth
            ),
            "blind_key_id": self.blind.key_id,
            "address_key": address_key(self.address, applicant),
            "identity_points": decision.identity_points,
            "residency_points": decision.residency_points,
            "total_points": decision.total_points,
            "notes": json.dumps(decision.notes),
            "flags": "[]",
        }
        for name in ("given_name", "family_name", "date_of_birth", "address", "contact",
                     "options", "language", "photo", "face"):  # fmt: skip
            value = plain.get(name)
            row[f"s_{name}"] = (
                None if value is None else seal_field(opened, application_id, name, value)
            )
        out.applications.append(row)
        copies = 0
        for points, doc, scan in zip(
            decision.document_points, applicant.documents, scans, strict=True
        ):
            attestation_id = new_id("att")
            out.attestations.append(
                {
                    "attestation_id": attestation_id,
                    "application_id": application_id,
                    "position": points.index,
                    "doc_type": doc.type,
                    "issuing_country": doc.issuing_country,
                    "identity_points": points.identity_points,
                    "residency_points": points.residency_points,
                    "points": points.points,
                    "outcome": "counted" if points.counted else "not_counted",
                    "mrz_checked": False,
                    "verifier_id": self.actor.user_id,
                    "verified_at": stamp,
                    "token": document_token(
                        self.token, doc.type, doc.issuing_country, doc.number
                    ).hex(),
                    "token_key_id": self.token.key_id,
                    "copy_status": "retained" if scan is not None else "not_retained",
                    "due_on": attestation_due,
                }
            )
            if scan is None:
                continue
            copy_id = new_id("doc")
            copy_key = self.record_keys.new_key("document_copy", copy_period, copy_id)
            out.copies.append(
                {
                    "copy_id": copy_id,
                    "attestation_id": attestation_id,
                    "application_id": application_id,
                    "enrolled_on": enrolled_on,
                    "cohort_key_id": None,
                    "wrapped_key": None,
                    "due_on": copy_due,
                    "s_image": seal_field(copy_key, copy_id, "image", scan),
                    "created_at": stamp,
                }
            )
            copies += 1
        return application_id, copies


def _fill_keys(sealed: dict[str, SealedKey], rows: _Rows) -> None:
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
    rows: _Rows
    items: list[dict[str, Any]]
    copies: int


def _build_batch(importer: _LineImporter, batch: list[tuple[int, str]]) -> _Built:
    rows = _Rows()
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
            importer = _LineImporter(runtime, actor, keys, base)
            for batch in batches:
                yield _build_batch(importer, batch)
        return
    # "spawn": a fresh interpreter per worker, so no keystore session or lock is inherited.
    with ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_worker_start,
        initargs=(runtime.data_dir, runtime.settings, actor, base),
    ) as pool:
        in_flight: deque[Future[_Built]] = deque()
        for batch in batches:
            in_flight.append(pool.submit(_worker_build, batch))
            if len(in_flight) > 2 * workers:
                yield in_flight.popleft().result()
        while in_flight:
            yield in_flight.popleft().result()


_worker_importer: _LineImporter | None = None


def _worker_start(data_dir: Path, settings: Settings, actor: Actor, base: Path) -> None:
    global _worker_importer
    worker_runtime = Runtime.open(data_dir, settings)
    keys = EnrollmentKeys.open(worker_runtime.keystore)
    _worker_importer = _LineImporter(worker_runtime, actor, keys, base)


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
