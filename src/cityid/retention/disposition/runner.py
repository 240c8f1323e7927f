"""Executing a batch: start it, run its chunks, erase its cohort keys, certify it.

Every step runs in a transaction the runner opens and commits (`transactions.in_step`);
the batch row records how far it got, so `execute` resumes a killed run and a second run
destroys nothing twice."""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa

from cityid.audit import log as audit_log
from cityid.retention.disposition.batches import NotApproved, batch_row, now, set_batch, summary
from cityid.retention.disposition.certify import certify
from cityid.retention.disposition.chunks import destroy_next_chunk
from cityid.retention.disposition.cohort_keys import finish_cohort, pending_cohorts
from cityid.retention.disposition.transactions import in_step, read
from cityid.retention.results import BatchSummary
from cityid.retention.tables import disposition_items
from cityid.runtime import Runtime
from cityid.staff.actor import Actor
from cityid.staff.permissions import authorize
from cityid.store.uow import UnitOfWork

Progress = Callable[[int, int], None]


def _start(uow: UnitOfWork, actor: Actor, batch_id: str) -> str:
    """An approved batch becomes executing (audited); any later state is returned as is."""
    batch = batch_row(uow, batch_id, for_update=True)
    if batch.status == "planned":
        raise NotApproved(
            f"batch {batch_id} needs two approvals (records officer and counsel) first"
        )
    if batch.status != "approved":
        return str(batch.status)
    set_batch(uow, batch_id, status="executing", started_at=now())
    audit_log.append(
        uow, actor, "retention.execute", [batch_id], reason="disposition",
        extra={"due": batch.due},
    )  # fmt: skip
    return "executing"


def _planned_count(uow: UnitOfWork, batch_id: str) -> int:
    return int(
        uow.conn.execute(
            sa.select(sa.func.count()).where(disposition_items.c.batch_id == batch_id)
        ).scalar_one()
    )


def _run_chunks(runtime: Runtime, actor: Actor, batch_id: str, progress: Progress | None) -> None:
    total = read(runtime, lambda uow: _planned_count(uow, batch_id))
    done = 0
    while True:
        chunk = in_step(
            runtime, "chunk", lambda uow: destroy_next_chunk(uow, runtime, actor, batch_id)
        )
        if chunk.done:
            return
        runtime.faults.chunk_committed()
        done += chunk.destroyed + chunk.held + chunk.absent
        if progress is not None:
            progress(done, total)


def execute(
    runtime: Runtime, actor: Actor, batch_id: str, *, progress: Progress | None = None
) -> BatchSummary:
    """Run (or resume) an approved batch to its end; returns the interface's summary."""
    authorize(runtime.policy, actor, "retention.execute")
    status = in_step(runtime, "started", lambda uow: _start(uow, actor, batch_id))
    if status == "executing":
        _run_chunks(runtime, actor, batch_id, progress)
        status = "keys"
    if status == "keys":
        for cohort in read(runtime, lambda uow: pending_cohorts(uow, batch_id)):
            finish_cohort(runtime, actor, batch_id, cohort)
        in_step(runtime, "certificate", lambda uow: certify(uow, runtime, actor, batch_id))
    return summary(runtime, batch_id)
