"""Enrollment latency and throughput with N applications already enrolled.

`measure(runtime, already_enrolled=N)` first tops the database up to N applications
with a fast bulk fill (real sealing, blind index and document tokens, but no photo
processing and no audit entry per row: the fill sets the stage, it is not measured),
then times `samples` full intakes, each its own transaction, as a clerk would make
them. Results are `[{"name", "value", "unit"}]`.
"""

from __future__ import annotations

import statistics
import time
from typing import Any

import sqlalchemy as sa

from cityid.enrollment import cohorts, service
from cityid.enrollment.repository import (
    ADDRESS_KEY_PURPOSE,
    BLIND_INDEX_PURPOSE,
    EnrollmentKeys,
    address_key,
    blind_index,
    document_token_purpose,
    new_id,
    new_reference,
    now,
    personal_fields,
)
from cityid.enrollment.synth import generate_applicants
from cityid.enrollment.tables import applications, document_attestations
from cityid.matching.document_token import document_token
from cityid.runtime import Runtime
from cityid.staff.actor import Actor
from cityid.store.uow import UnitOfWork

BENCH_CLERK = Actor(user_id="bench-clerk", username="bench-clerk", role="clerk")
_FILL_CHUNK = 2_000


def enrolled_count(runtime: Runtime) -> int:
    with UnitOfWork(runtime.engine, read_only=True) as uow:
        return int(
            uow.conn.execute(sa.select(sa.func.count()).select_from(applications)).scalar_one()
        )


def fill(runtime: Runtime, target: int, *, seed: int = 1, progress: Any = None) -> int:
    """Bulk-insert synthetic applications until there are `target`; returns how many added."""
    missing = target - enrolled_count(runtime)
    if missing <= 0:
        return 0
    today = runtime.today()
    policy = runtime.policy
    lines = generate_applicants(missing, 0.0, seed=seed, policy=policy, today=today)
    added = 0
    with EnrollmentKeys.open(runtime.keystore) as keys:
        blind = keys.hasher(BLIND_INDEX_PURPOSE)
        address = keys.hasher(ADDRESS_KEY_PURPOSE)
        token = keys.hasher(document_token_purpose())
        period = cohorts.application_period(today)
        apps: list[dict[str, Any]] = []
        docs: list[dict[str, Any]] = []
        for line in lines:
            line.pop("photo", None)
            try:
                request = service.parse_request(line, runtime, today)
            except Exception:  # noqa: S112 (a generated line the rules refuse: skip it)
                continue
            applicant = request.applicant
            app_id = new_id("app")
            sealed = keys.sealer.new_record_key("application", period, app_id)
            stamp = now()
            apps.append(
                {
                    "application_id": app_id, "reference": new_reference(),
                    "status": "submitted", "app_type": "new", "previous_application_id": None,
                    "centre": applicant.centre, "clerk_id": BENCH_CLERK.user_id,
                    "created_at": stamp, "updated_at": stamp, "enrolled_on": today,
                    "cohort_key_id": sealed.cohort_key_id, "wrapped_key": sealed.wrapped,
                    "due_on": None, "card_expires_on": None,
                    "s_photo": None, "s_face": None,
                    **{
                        f"s_{name}": None if value is None
                        else keys.sealer.seal_field(sealed, app_id, name, value)
                        for name, value in personal_fields(applicant).items()
                    },
                    "blind_index": blind_index(
                        blind, applicant.family_name, applicant.given_name,
                        applicant.date_of_birth,
                    ),
                    "blind_key_id": blind.key_id,
                    "address_key": address_key(address, applicant),
                    "identity_points": 3, "residency_points": 1, "total_points": 4,
                    "notes": "[]", "flags": "[]",
                }
            )  # fmt: skip
            for position, doc in enumerate(applicant.documents):
                docs.append(
                    {
                        "attestation_id": new_id("att"), "application_id": app_id,
                        "position": position, "doc_type": doc.type,
                        "issuing_country": doc.issuing_country, "identity_points": 0,
                        "residency_points": 0, "points": 0, "outcome": "counted",
                        "mrz_checked": False, "verifier_id": BENCH_CLERK.user_id,
                        "verified_at": stamp,
                        "token": document_token(
                            token, doc.type, doc.issuing_country, doc.number
                        ).hex(),
                        "token_key_id": token.key_id, "copy_status": "not_retained",
                        "due_on": None,
                    }
                )  # fmt: skip
            if len(apps) >= _FILL_CHUNK:
                added += _flush(runtime, apps, docs)
                keys.sealer.close()  # forget the chunk's data keys
                if progress is not None:
                    progress(added)
        added += _flush(runtime, apps, docs)
    return added


def _flush(runtime: Runtime, apps: list[dict[str, Any]], docs: list[dict[str, Any]]) -> int:
    count = len(apps)
    if count:
        with UnitOfWork(runtime.engine) as uow:
            uow.conn.execute(applications.insert(), apps)
            if docs:
                uow.conn.execute(document_attestations.insert(), docs)
            uow.commit()
    apps.clear()
    docs.clear()
    return count


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
    lines = list(
        generate_applicants(samples, 0.0, seed=seed, policy=runtime.policy, today=today)
    )
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
