"""One chunk of a batch's execution: judge each record against the holds (locked and
re-read inside the destroying transaction), delete the unheld with their tombstones,
one audit entry for the chunk and a receipt row per application."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from cityid.audit import log as audit_log
from cityid.matching.index_store import remove_encodings
from cityid.notices.forgetting import forget_subjects
from cityid.retention import receipts
from cityid.retention.disposition.batches import batch_row, now, set_batch
from cityid.retention.holds import ActiveHold, active_holds, lock_holds
from cityid.retention.tables import (
    BY_RANK,
    RECORD_TABLES,
    RecordTable,
    destruction_receipts,
    disposition_cohorts,
    disposition_items,
    tombstones,
)
from cityid.runtime import Runtime
from cityid.staff.actor import Actor
from cityid.store.bulk import insert_rows
from cityid.store.uow import UnitOfWork


@dataclass(frozen=True)
class ChunkResult:
    destroyed: int
    held: int
    absent: int
    done: bool


def _item_after_cursor(batch: Any) -> Any:
    # A row-value comparison, so both databases walk the primary key index from the cursor.
    items = disposition_items.c
    return sa.tuple_(items.class_rank, items.record_id) > sa.tuple_(
        sa.literal(batch.cursor_rank), sa.literal(batch.cursor_id)
    )


def _item_columns(holds: list[ActiveHold]) -> list[Any]:
    """The snapshot columns a chunk reads: enrollment dates and centres only when an active
    hold looks at them (no hold ever reads them otherwise), as parsing dates is not free."""
    items = disposition_items.c
    scopes = [hold.scope for hold in holds]
    dates = any(s.enrolled_from is not None or s.enrolled_to is not None for s in scopes)
    centres = any(s.centres is not None for s in scopes)
    return [
        items.class_rank,
        items.record_id,
        items.record_class,
        items.application_id,
        items.enrolled_on if dates else sa.null().label("enrolled_on"),
        items.centre if centres else sa.null().label("centre"),
    ]


def _chunk_select(batch: Any, holds: list[ActiveHold], chunk_size: int) -> sa.Select[Any]:
    """The next chunk of the snapshot, each item with its record as it is now (looked up
    by primary key in the same statement): `found_id` is None for a record already gone,
    `found_cohort` is its cohort key."""
    items = disposition_items.c
    source: sa.FromClause = disposition_items
    found: list[Any] = []
    cohort_keys: list[Any] = []
    for table in RECORD_TABLES:
        record = table.table.alias(f"record_{table.rank}")
        record_id = record.c[table.id_column]
        source = source.outerjoin(
            record, sa.and_(items.class_rank == table.rank, record_id == items.record_id)
        )
        found.append(record_id)
        if table.cohort_column is not None:
            cohort_keys.append(record.c[table.cohort_column])
    return (
        sa.select(
            *_item_columns(holds),
            sa.func.coalesce(*found).label("found_id"),
            sa.func.coalesce(*cohort_keys).label("found_cohort"),
        )
        .select_from(source)
        .where(items.batch_id == batch.batch_id, _item_after_cursor(batch))
        .order_by(items.class_rank, items.record_id)
        .limit(chunk_size)
    )


def destroy_next_chunk(
    uow: UnitOfWork, runtime: Runtime, actor: Actor, batch_id: str
) -> ChunkResult:
    """Inside the runner's transaction: destroy the next chunk of an executing batch and
    move its cursor; `done` once the snapshot is exhausted (the batch moves to "keys")."""
    batch = batch_row(uow, batch_id, for_update=True)
    if batch.status != "executing":
        return ChunkResult(0, 0, 0, True)
    lock_holds(uow)
    holds = active_holds(uow)
    chunk_size = runtime.policy.retention.disposition_chunk_size
    items = uow.conn.execute(_chunk_select(batch, holds, chunk_size)).all()
    if not items:
        set_batch(uow, batch_id, status="keys")
        return ChunkResult(0, 0, 0, True)
    result = _destroy_items(uow, actor, batch, items, holds)
    last = items[-1]
    counts = Counter(json.loads(batch.counts))
    counts.update(result.pop("counts"))
    set_batch(
        uow, batch_id,
        cursor_rank=last.class_rank,
        cursor_id=last.record_id,
        chunks=batch.chunks + 1,
        destroyed=batch.destroyed + result["destroyed"],
        skipped_held=batch.skipped_held + result["held"],
        absent=batch.absent + result["absent"],
        counts=json.dumps(dict(sorted(counts.items()))),
    )  # fmt: skip
    return ChunkResult(result["destroyed"], result["held"], result["absent"], False)


def _destroy_items(
    uow: UnitOfWork, actor: Actor, batch: Any, items: Sequence[Any], holds: list[ActiveHold]
) -> dict[str, Any]:
    """Inside the chunk's transaction: judge each record, delete, tombstone, audit."""
    stamp = now()
    batch_id = batch.batch_id
    destroyed = held = absent = 0
    counts: Counter[str] = Counter()
    per_application: dict[str, dict[str, int]] = defaultdict(dict)
    by_rank: dict[int, list[Any]] = defaultdict(list)
    for item in items:
        by_rank[item.class_rank].append(item)
    for rank in sorted(by_rank):
        table = BY_RANK[rank]
        group = by_rank[rank]
        cohort_col = table.cohort_key_id
        # The chunk's select looked each record up: None if it is gone already.
        existing = {i.record_id: i.found_cohort for i in group if i.found_id is not None}
        doomed: list[str] = []
        # `covering_holds` for each record, with each hold's class test done once.
        tests = [hold.scope.covers_any_of(table.guarded_classes) for hold in holds]
        for item in group:
            if item.record_id not in existing:
                absent += 1  # gone already (another batch, or a parent's cascade)
            elif tests and any(
                test(item.application_id, item.enrolled_on, item.centre) for test in tests
            ):
                held += 1
            else:
                doomed.append(item.record_id)
                if item.application_id is not None:
                    mine = per_application[item.application_id]
                    mine[table.record_class] = mine.get(table.record_class, 0) + 1
        if not doomed:
            continue
        uow.conn.execute(table.table.delete().where(table.id.in_(doomed)))
        if table.record_class == "application":
            # The 1:N index must forget them too, in every process (a removal marker),
            # and the outbox its notices waiting to go to them.
            remove_encodings(uow, doomed)
            forget_subjects(uow, doomed)
        insert_rows(
            uow.conn, tombstones, ("record_id", "record_class", "batch_id", "destroyed_at"),
            [(rid, table.record_class, batch_id, stamp) for rid in doomed],
        )  # fmt: skip
        if cohort_col is not None:
            _note_cohorts(uow, batch_id, table, {str(existing[rid]) for rid in doomed})
        destroyed += len(doomed)
        counts[table.record_class] += len(doomed)
    # One entry for the chunk; each application's part is a leaf of the tree whose root
    # the entry carries, and its receipt proves the leaf into the entry, the entry into
    # the log. (An entry per application cost a third of the destruction's time.)
    application_ids = sorted(per_application)
    leaves = [
        receipts.destruction_leaf(application_id, per_application[application_id])
        for application_id in application_ids
    ]
    index = audit_log.append(
        uow, actor, receipts.DESTROY_ACTION, [batch_id], reason="disposition",
        extra={"chunk": batch.chunks + 1, "destroyed": destroyed, "held": held,
               "absent": absent, "applications": len(leaves),
               "applications_root": receipts.leaves_root(leaves).hex()},
    )  # fmt: skip
    insert_rows(
        uow.conn, destruction_receipts,
        ("application_id", "audit_index", "batch_id", "position", "leaf"),
        [(application_id, index, batch_id, position, leaf)
         for position, (application_id, leaf)
         in enumerate(zip(application_ids, leaves, strict=True))],
    )  # fmt: skip
    return {"destroyed": destroyed, "held": held, "absent": absent, "counts": counts}


def _note_cohorts(uow: UnitOfWork, batch_id: str, table: RecordTable, keys: set[str]) -> None:
    known = {
        row.cohort_key_id
        for row in uow.conn.execute(
            sa.select(disposition_cohorts.c.cohort_key_id).where(
                disposition_cohorts.c.batch_id == batch_id,
                disposition_cohorts.c.cohort_key_id.in_(sorted(keys)),
            )
        )
    }
    fresh = sorted(keys - known)
    if fresh:
        uow.conn.execute(
            disposition_cohorts.insert(),
            [
                {"batch_id": batch_id, "cohort_key_id": key, "record_class": table.record_class,
                 "state": "pending", "survivors_rekeyed": 0, "new_key_id": None}
                for key in fresh
            ],
        )  # fmt: skip
