"""The end of a batch: a completion entry, a fresh checkpoint that includes it, and the
signed certificate of destruction (no personal data: counts, key ids, a digest of ids)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import sqlalchemy as sa

from cityid.audit import log as audit_log
from cityid.audit import service as audit_service
from cityid.retention import certificate as cert
from cityid.retention.disposition.batches import (
    PAGE,
    approvals,
    batch_row,
    destroyed_cohort_keys,
    iso,
    now,
    set_batch,
)
from cityid.retention.schedule import keystore_backup_expiry
from cityid.retention.tables import tombstones
from cityid.runtime import Runtime
from cityid.staff.actor import Actor
from cityid.store.uow import UnitOfWork


def _destroyed_ids_digest(uow: UnitOfWork, batch_id: str) -> tuple[str, int]:
    digest = cert.IdDigest()
    after = ""
    while True:
        page = (
            uow.conn.execute(
                sa.select(tombstones.c.record_id)
                .where(tombstones.c.batch_id == batch_id, tombstones.c.record_id > after)
                .order_by(tombstones.c.record_id)
                .limit(PAGE)
            )
            .scalars()
            .all()
        )
        if not page:
            return digest.hexdigest(), digest.count
        digest.update(page)
        after = page[-1]


def _rule(runtime: Runtime, batch: Any, counts: dict[str, int]) -> dict[str, Any]:
    if batch.kind == "erasure":
        return {"kind": "erasure", "reason": batch.rule.split(":", 1)[1]}
    schedules = []
    for name in sorted(counts):
        schedule = runtime.policy.schedule_for(name)
        if schedule is not None:
            schedules.append(
                {key: (value.isoformat() if isinstance(value, dt.date) else value)
                 for key, value in schedule.model_dump().items() if value is not None}
            )  # fmt: skip
    return {"kind": "schedule", "schedules": schedules}


def certify(uow: UnitOfWork, runtime: Runtime, actor: Actor, batch_id: str) -> None:
    """Inside the runner's transaction: complete a batch whose keys are all destroyed
    (status "keys"); a batch in any other state is left as it is."""
    batch = batch_row(uow, batch_id, for_update=True)
    if batch.status != "keys":
        return
    digest, count = _destroyed_ids_digest(uow, batch_id)
    counts = json.loads(batch.counts)
    keys = destroyed_cohort_keys(uow, batch_id)
    completed = now()
    audit_log.append(
        uow, actor, "retention.complete", [batch_id], reason="disposition",
        extra={"destroyed": count, "skipped_held": batch.skipped_held,
               "keys_destroyed": len(keys), "ids_sha256": digest},
    )  # fmt: skip
    checkpoint = audit_service.create_checkpoint(runtime, uow)
    body = {
        "program": runtime.policy.program.checkpoint_origin,
        "batch_id": batch_id,
        "as_of": batch.as_of.isoformat(),
        "rule": _rule(runtime, batch, counts),
        "approvers": [
            {"actor_id": a.actor_id, "role": a.role, "at": iso(a.at)}
            for a in approvals(uow, batch_id)
        ],
        "counts_by_class": counts,
        "destroyed": count,
        "skipped_held": batch.skipped_held,
        "cohort_keys_destroyed": keys,
        "destroyed_ids_sha256": digest,
        "destroyed_ids_digest_method": "sha256 of each id + LF, ids sorted bytewise",
        "audit_checkpoint": {"size": checkpoint.size, "note": checkpoint.note},
        "keystore_backup_expires": keystore_backup_expiry(
            runtime.policy, completed.date()
        ).isoformat(),
        "completed_at": iso(completed),
    }
    signed = cert.sign_certificate(
        body,
        runtime.policy.program.checkpoint_origin,
        runtime.keystore.signer(audit_service.CHECKPOINT_PURPOSE),
    )
    set_batch(
        uow, batch_id, status="completed", completed_at=completed, certificate=json.dumps(signed)
    )
