"""Enrollment latency and throughput with N applications already enrolled.

`measure(runtime, already_enrolled=N)` first tops the database up to N applications
with a fast bulk fill through the backlog import (real sealing, blind index and
document tokens, but no photos and one audit entry per batch: the fill sets the stage,
it is not measured),
then times `samples` full intakes, each its own transaction, as a clerk would make
them. Results are `[{"name", "value", "unit"}]`.
"""

from __future__ import annotations

import json
import statistics
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event

from cityid.devtools.synth.applicants import generate_applicants
from cityid.enrollment import service
from cityid.enrollment.repository import (
    EnrollmentKeys,
)
from cityid.enrollment.tables import applications
from cityid.retention.legacy_import import import_legacy
from cityid.runtime import Runtime
from cityid.staff.actor import Actor
from cityid.store.uow import UnitOfWork

BENCH_CLERK = Actor(user_id="bench-clerk", username="bench-clerk", role="clerk")
BENCH_FILLER = Actor(user_id="bench-fill", username="bench-fill", role="records_officer")


def enrolled_count(runtime: Runtime) -> int:
    with UnitOfWork(runtime.engine, read_only=True) as uow:
        return int(
            uow.conn.execute(sa.select(sa.func.count()).select_from(applications)).scalar_one()
        )


def fill(runtime: Runtime, target: int, *, seed: int = 1) -> int:
    """Top the database up to `target` applications; returns how many were added.

    The fill goes through the backlog import (worker processes, bulk inserts), so each
    row is real: sealed fields, blind index, keyed document tokens, eligibility points.
    """
    missing = target - enrolled_count(runtime)
    if missing <= 0:
        return 0
    today = runtime.today()
    with tempfile.TemporaryDirectory(prefix="cityid-bench-fill-") as tmp:
        backlog = Path(tmp) / "fill.jsonl"
        with backlog.open("w", encoding="utf-8") as out:
            for line in generate_applicants(
                missing, 0.0, seed=seed, policy=runtime.policy, today=today
            ):
                for unused in ("photo", "truth"):
                    line.pop(unused, None)
                line["enrolled_on"] = today.isoformat()
                line["status"] = "submitted"
                out.write(json.dumps(line) + "\n")
        report = import_legacy(runtime, BENCH_FILLER, backlog)
    return report.imported


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


def measure(
    runtime: Runtime,
    already_enrolled: int = 0,
    *,
    samples: int = 200,
    seed: int = 7,
    with_photos: bool = True,
) -> list[dict[str, Any]]:
    """Enrollment latency (p50, p99, ms) and throughput (applications/s) at size N."""
    fill(runtime, already_enrolled, seed=seed + 1)
    size = enrolled_count(runtime)
    today = runtime.today()
    lines = list(generate_applicants(samples, 0.0, seed=seed, policy=runtime.policy, today=today))
    latencies: list[float] = []
    started = time.perf_counter()
    with EnrollmentKeys.open(runtime.keystore) as keys:
        for line in lines:
            if not with_photos:
                line.pop("photo", None)
            begin = time.perf_counter()
            with UnitOfWork(runtime.engine) as uow:
                request = service.parse_request(line, runtime, today)
                service.intake(uow, runtime, BENCH_CLERK, request, keys=keys, today=today)
                uow.commit()
            latencies.append((time.perf_counter() - begin) * 1000)
    elapsed = time.perf_counter() - started
    label = f"{size:,} enrolled, {runtime.engine.dialect.name}"
    return [
        _result(f"enrollment latency p50 ({label})", statistics.median(latencies), "ms"),
        _result(f"enrollment latency p99 ({label})", _percentile(latencies, 0.99), "ms"),
        _result(f"enrollment throughput ({label})", len(lines) / elapsed, "applications/s"),
    ]


def _result(name: str, value: float, unit: str) -> dict[str, Any]:
    return {"name": name, "value": round(value, 2), "unit": unit}


@dataclass(frozen=True)
class StatementCount:
    """What one intake sends the database: statements (executemany counts once) and the
    rows those carry, plus each statement's first words, for finding the ones to cut."""

    statements: int
    executemany: int
    kinds: tuple[str, ...]


@contextmanager
def counting_statements(engine: sa.Engine) -> Iterator[list[tuple[str, bool]]]:
    """Every statement the engine sends while open, as (SQL, executemany)."""
    seen: list[tuple[str, bool]] = []

    def note(
        conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool
    ) -> None:
        seen.append((statement, many))

    event.listen(engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", note)


def _kind(statement: str) -> str:
    words = statement.split()
    if not words:
        return ""
    head = words[0].upper()
    if head in {"INSERT", "DELETE"} and len(words) > 2:
        return f"{head} {words[2]}"
    if head == "UPDATE" and len(words) > 1:
        return f"UPDATE {words[1]}"
    if head == "SELECT" and "FROM" in statement:
        return "SELECT " + statement.split("FROM", 1)[1].split()[0]
    return head


def statements_per_intake(runtime: Runtime, *, samples: int = 20, seed: int = 11) -> StatementCount:
    """Statements of a typical intake (with photo, each in its own unit of work; BEGIN,
    SAVEPOINT and COMMIT count): the median over `samples`, and that intake's list."""
    today = runtime.today()
    lines = list(generate_applicants(samples, 0.0, seed=seed, policy=runtime.policy, today=today))
    per: list[list[tuple[str, bool]]] = []
    with EnrollmentKeys.open(runtime.keystore) as keys:
        for line in lines:
            with counting_statements(runtime.engine) as seen, UnitOfWork(runtime.engine) as uow:
                request = service.parse_request(line, runtime, today)
                service.intake(uow, runtime, BENCH_CLERK, request, keys=keys, today=today)
                uow.commit()
            per.append(seen)
    typical = sorted(per, key=len)[len(per) // 2]
    return StatementCount(
        statements=len(typical),
        executemany=sum(many for _, many in typical),
        kinds=tuple(_kind(s) for s, _ in typical),
    )
