"""Disposition batches: plan, two approvals, execution in chunks, cohort keys, certificate.

Execution is a sequence of short transactions, each leaving the database consistent:

1. chunks: lock the holds, read them, take the next chunk of the plan's records, skip
   the held, delete the rest with their tombstones, one audit entry for the chunk (the
   root of a tree with a leaf per application), a receipt row per application, and
   move the batch's cursor, all in one transaction;
2. cohort keys: for every cohort the batch touched, re-wrap the survivors (held, or not
   yet due) under a fresh key and commit that, then destroy the old key in the keystore,
   then mark it destroyed. A key is destroyed only after its rows are gone and committed;
3. the certificate: a completion entry, a new checkpoint, the signed certificate.

Each step is idempotent and the batch row says how far it got, so a process killed at
any moment is resumed by running execute again, and running it twice destroys nothing
twice.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from cityid.audit import log as audit_log
from cityid.audit import service as audit_service
from cityid.crypto import SealedKey, rekey_records
from cityid.enrollment.tables import applications
from cityid.errors import BadInput, Forbidden, NotFound, Refused
from cityid.matching.index_store import remove_encodings
from cityid.retention import certificate as cert
from cityid.retention import receipts
from cityid.retention.faults import chunk_pause, crash_point
from cityid.retention.holds import ActiveHold, active_holds, covering_holds, lock_holds
from cityid.retention.schedule import keystore_backup_expiry
from cityid.retention.scope import RecordFacts
from cityid.retention.tables import (
    BY_CLASS,
    BY_RANK,
    RECORD_TABLES,
    RecordTable,
    destruction_receipts,
    disposition_approvals,
    disposition_batches,
    disposition_cohorts,
    disposition_items,
    tombstones,
)
from cityid.runtime import Runtime
from cityid.staff.actor import Actor
from cityid.staff.permissions import authorize
from cityid.store.bulk import insert_rows
from cityid.store.uow import UnitOfWork

APPROVER_ROLES = ("records_officer", "counsel")
ERASURE_REASONS = ("withdrawn", "applicant_request")
DIGEST_PAGE = 50_000
Progress = Callable[[int, int], None]


class NotApproved(Refused):
    code = "not_approved"


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _iso(moment: dt.datetime | None) -> str | None:
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.isoformat(timespec="seconds")


# --- plan ---------------------------------------------------------------------------------


def _facts_select(table: RecordTable, batch_id: str) -> sa.Select[Any]:
    """The plan snapshot's rows for one record table: id, class, application facts."""
    if table.table is applications:
        source: sa.FromClause = applications
    else:
        source = table.table.join(
            applications, applications.c.application_id == table.application_id
        )
    return sa.select(
        sa.literal(batch_id, sa.String(32)),
        sa.literal(table.rank, sa.Integer),
        table.id,
        sa.literal(table.record_class, sa.String(32)),
        applications.c.application_id,
        applications.c.enrolled_on,
        applications.c.centre,
    ).select_from(source)


_ITEM_COLUMNS = [
    "batch_id", "class_rank", "record_id", "record_class", "application_id", "enrolled_on",
    "centre",
]  # fmt: skip


def _new_batch(
    uow: UnitOfWork,
    actor: Actor,
    *,
    kind: str,
    rule: str,
    as_of: dt.date,
    classes: list[str],
    application_id: str | None = None,
) -> str:
    batch_id = f"rb-{secrets.token_hex(8)}"
    uow.conn.execute(
        disposition_batches.insert().values(
            batch_id=batch_id, kind=kind, rule=rule, as_of=as_of,
            record_classes=json.dumps(classes), application_id=application_id,
            status="planned", planned_by=actor.user_id, planned_at=_now(), due=0, blocked=0,
            blocked_by="{}", cursor_rank=-1, cursor_id="", chunks=0, destroyed=0,
            skipped_held=0, absent=0, counts="{}",
        )
    )  # fmt: skip
    return batch_id


def _count_blocked(uow: UnitOfWork, batch_id: str) -> tuple[int, int, dict[str, int]]:
    """(total, blocked, blocked_by) over the batch's snapshot against the active holds."""
    total = int(
        uow.conn.execute(
            sa.select(sa.func.count()).where(disposition_items.c.batch_id == batch_id)
        ).scalar_one()
    )
    holds = active_holds(uow)
    if not holds or not total:
        return total, 0, {}
    blocked = 0
    by_hold: Counter[str] = Counter()
    rows = uow.conn.execute(
        sa.select(disposition_items)
        .where(disposition_items.c.batch_id == batch_id)
        .execution_options(yield_per=DIGEST_PAGE)
    )
    for row in rows:
        table = BY_RANK[row.class_rank]
        found = covering_holds(holds, _facts(row), table.guarded_classes)
        if found:
            blocked += 1
            by_hold.update(found)
    return total, blocked, dict(by_hold)


def _facts(row: Any) -> RecordFacts:
    return RecordFacts(row.record_class, row.application_id, row.enrolled_on, row.centre)


def _finish_plan(uow: UnitOfWork, actor: Actor, batch_id: str, as_of: dt.date) -> dict[str, Any]:
    total, blocked, by_hold = _count_blocked(uow, batch_id)
    uow.conn.execute(
        disposition_batches.update()
        .where(disposition_batches.c.batch_id == batch_id)
        .values(due=total - blocked, blocked=blocked, blocked_by=json.dumps(by_hold))
    )
    audit_log.append(
        uow, actor, "retention.plan", [batch_id], reason="retention_schedule",
        extra={"due": total - blocked, "blocked": blocked, "holds": sorted(by_hold)},
    )  # fmt: skip
    return {
        "batch_id": batch_id,
        "due": total - blocked,
        "blocked": blocked,
        "blocked_by": by_hold,
        "total": total,
        "as_of": as_of.isoformat(),
        "status": "planned",
    }


def plan(
    uow: UnitOfWork,
    runtime: Runtime,
    actor: Actor,
    *,
    as_of: dt.date | None = None,
    record_classes: list[str] | None = None,
) -> dict[str, Any]:
    """Snapshot what is due as of a date, and what of it active holds block (and which)."""
    authorize(runtime.policy, actor, "retention.plan")
    as_of = as_of or runtime.today()
    classes = record_classes or [t.record_class for t in RECORD_TABLES]
    unknown = [name for name in classes if name not in BY_CLASS]
    if unknown:
        raise BadInput(f"retention does not manage record classes: {', '.join(unknown)}")
    batch_id = _new_batch(
        uow, actor, kind="schedule", rule="retention_schedule", as_of=as_of, classes=classes
    )
    for name in classes:
        table = BY_CLASS[name]
        due = _facts_select(table, batch_id).where(table.due_on.is_not(None), table.due_on <= as_of)
        uow.conn.execute(disposition_items.insert().from_select(_ITEM_COLUMNS, due))
    return _finish_plan(uow, actor, batch_id, as_of)


def plan_erasure(
    uow: UnitOfWork, runtime: Runtime, actor: Actor, application_id: str, *, reason: str
) -> dict[str, Any]:
    """Early erasure of one application (withdrawn, or at the applicant's request): a
    batch like any other, with the application and everything it holds, due now."""
    authorize(runtime.policy, actor, "retention.plan")
    if reason not in ERASURE_REASONS:
        raise BadInput(f"the erasure reason must be one of {', '.join(ERASURE_REASONS)}")
    row = uow.conn.execute(
        sa.select(applications.c.status).where(applications.c.application_id == application_id)
    ).first()
    if row is None:
        raise NotFound(f"no application {application_id}")
    if reason == "withdrawn" and row.status != "withdrawn":
        raise Refused(f"application {application_id} is not withdrawn", code="not_withdrawn")
    classes = [t.record_class for t in RECORD_TABLES]
    today = runtime.today()
    batch_id = _new_batch(
        uow, actor, kind="erasure", rule=f"erasure:{reason}", as_of=today, classes=classes,
        application_id=application_id,
    )  # fmt: skip
    for table in RECORD_TABLES:
        mine = _facts_select(table, batch_id).where(table.application_id == application_id)
        uow.conn.execute(disposition_items.insert().from_select(_ITEM_COLUMNS, mine))
    return _finish_plan(uow, actor, batch_id, today)


# --- approval -----------------------------------------------------------------------------


def _batch_row(uow: UnitOfWork, batch_id: str, *, for_update: bool = False) -> Any:
    query = sa.select(disposition_batches).where(disposition_batches.c.batch_id == batch_id)
    if for_update and uow.conn.dialect.name == "postgresql":
        query = query.with_for_update()
    row = uow.conn.execute(query).first()
    if row is None:
        raise NotFound(f"no disposition batch {batch_id}")
    return row


def _approvals(uow: UnitOfWork, batch_id: str) -> list[Any]:
    return list(
        uow.conn.execute(
            sa.select(disposition_approvals)
            .where(disposition_approvals.c.batch_id == batch_id)
            .order_by(disposition_approvals.c.at)
        )
    )


def approve(uow: UnitOfWork, runtime: Runtime, actor: Actor, batch_id: str) -> dict[str, Any]:
    """One of the two approvals: a records officer's and counsel's, by two people."""
    if actor.is_system:
        raise Forbidden("a disposition is approved by people, never by the system")
    authorize(runtime.policy, actor, "retention.approve")
    if actor.role not in APPROVER_ROLES:
        raise Forbidden("approvals come from a records officer and from counsel")
    batch = _batch_row(uow, batch_id, for_update=True)
    if batch.status != "planned":
        raise Refused(f"batch {batch_id} is {batch.status}, not awaiting approval")
    given = _approvals(uow, batch_id)
    if any(a.actor_id == actor.user_id for a in given):
        raise Refused(
            "the same person cannot approve twice: a second, different approver is needed",
            code="same_approver",
        )
    if any(a.role == actor.role for a in given):
        other = "counsel" if actor.role == "records_officer" else "a records officer"
        raise Refused(f"the second approval must come from {other}", code="same_role")
    uow.conn.execute(
        disposition_approvals.insert().values(
            batch_id=batch_id, actor_id=actor.user_id, role=actor.role, at=_now()
        )
    )
    status = "approved" if len(given) + 1 >= len(APPROVER_ROLES) else "planned"
    if status == "approved":
        uow.conn.execute(
            disposition_batches.update()
            .where(disposition_batches.c.batch_id == batch_id)
            .values(status="approved")
        )
    audit_log.append(
        uow, actor, "retention.approve", [batch_id], reason="two_person_rule",
        extra={"approvals": len(given) + 1},
    )  # fmt: skip
    return {
        "batch_id": batch_id,
        "status": status,
        "approvals": [a.actor_id for a in given] + [actor.user_id],
    }


# --- execution ----------------------------------------------------------------------------


@dataclass
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


def _execute_chunk(runtime: Runtime, actor: Actor, batch_id: str) -> ChunkResult:
    chunk_size = runtime.policy.retention.disposition_chunk_size
    with UnitOfWork(runtime.engine) as uow:
        batch = _batch_row(uow, batch_id, for_update=True)
        if batch.status != "executing":
            return ChunkResult(0, 0, 0, True)
        lock_holds(uow)
        holds = active_holds(uow)
        items = uow.conn.execute(_chunk_select(batch, holds, chunk_size)).all()
        if not items:
            uow.conn.execute(
                disposition_batches.update()
                .where(disposition_batches.c.batch_id == batch_id)
                .values(status="keys")
            )
            uow.commit()
            return ChunkResult(0, 0, 0, True)
        result = _destroy_items(uow, actor, batch, items, holds)
        last = items[-1]
        counts = Counter(json.loads(batch.counts))
        counts.update(result.pop("counts"))
        uow.conn.execute(
            disposition_batches.update()
            .where(disposition_batches.c.batch_id == batch_id)
            .values(
                cursor_rank=last.class_rank,
                cursor_id=last.record_id,
                chunks=batch.chunks + 1,
                destroyed=batch.destroyed + result["destroyed"],
                skipped_held=batch.skipped_held + result["held"],
                absent=batch.absent + result["absent"],
                counts=json.dumps(dict(sorted(counts.items()))),
            )
        )
        crash_point(runtime, "chunk-before-commit")
        uow.commit()
    crash_point(runtime, "chunk-after-commit")
    chunk_pause()
    return ChunkResult(result["destroyed"], result["held"], result["absent"], False)


def _destroy_items(
    uow: UnitOfWork, actor: Actor, batch: Any, items: Sequence[Any], holds: list[ActiveHold]
) -> dict[str, Any]:
    """Inside the chunk's transaction: judge each record, delete, tombstone, audit."""
    stamp = _now()
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
            # The 1:N index must forget them too, in every process (a removal marker).
            remove_encodings(uow, doomed)
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


def _survivors(uow: UnitOfWork, table: RecordTable, key_id: str) -> list[tuple[str, SealedKey]]:
    assert table.cohort_key_id is not None and table.wrapped_column is not None
    wrapped = table.table.c[table.wrapped_column]
    rows = uow.conn.execute(
        sa.select(table.id, wrapped).where(table.cohort_key_id == key_id).order_by(table.id)
    ).all()
    return [(row[0], SealedKey(key_id, bytes(row[1]))) for row in rows]


def _finish_cohort(runtime: Runtime, actor: Actor, batch_id: str, cohort: Any) -> None:
    """Re-key the cohort's survivors (committed first), then destroy the old key."""
    table = BY_CLASS[cohort.record_class]
    assert table.cohort_key_id is not None and table.wrapped_column is not None
    old = cohort.cohort_key_id
    keystore = runtime.keystore
    rekeyed, new_key_id = cohort.survivors_rekeyed, cohort.new_key_id
    for _attempt in range(5):
        with UnitOfWork(runtime.engine, read_only=True) as uow:
            survivors = _survivors(uow, table, old)
        if not survivors:
            break
        crash_point(runtime, "rekey-before-keystore")
        new_key_id, moved = rekey_records(keystore, old, survivors)
        crash_point(runtime, "rekey-before-commit")
        with UnitOfWork(runtime.engine) as uow:
            wrapped = table.table.c[table.wrapped_column]
            # One statement for all survivors (executemany), not a round trip each.
            uow.conn.execute(
                table.table.update()
                .where(table.id == sa.bindparam("rid"), table.cohort_key_id == old)
                .values({table.cohort_column: sa.bindparam("new_cohort"),
                         wrapped: sa.bindparam("new_wrapped")}),
                [{"rid": record_id, "new_cohort": sealed.cohort_key_id,
                  "new_wrapped": sealed.wrapped} for record_id, sealed in moved.items()],
            )  # fmt: skip
            rekeyed += len(moved)
            uow.conn.execute(
                disposition_cohorts.update()
                .where(
                    disposition_cohorts.c.batch_id == batch_id,
                    disposition_cohorts.c.cohort_key_id == old,
                )
                .values(survivors_rekeyed=rekeyed, new_key_id=new_key_id)
            )
            uow.commit()
        crash_point(runtime, "rekey-after-commit")
    else:
        raise Refused(f"cohort key {old} keeps gaining records; its destruction is postponed")
    crash_point(runtime, "key-before-destroy")
    keystore.destroy(old)
    crash_point(runtime, "key-after-destroy")
    with UnitOfWork(runtime.engine) as uow:
        uow.conn.execute(
            disposition_cohorts.update()
            .where(
                disposition_cohorts.c.batch_id == batch_id,
                disposition_cohorts.c.cohort_key_id == old,
            )
            .values(state="destroyed")
        )
        audit_log.append(
            uow, actor, "retention.key_destroy", [old], reason="crypto_erase",
            reason_ref=batch_id, extra={"survivors_rekeyed": rekeyed},
        )  # fmt: skip
        uow.commit()
    crash_point(runtime, "key-after-commit")


def _destroyed_ids_digest(uow: UnitOfWork, batch_id: str) -> tuple[str, int]:
    digest = cert.IdDigest()
    after = ""
    while True:
        page = (
            uow.conn.execute(
                sa.select(tombstones.c.record_id)
                .where(tombstones.c.batch_id == batch_id, tombstones.c.record_id > after)
                .order_by(tombstones.c.record_id)
                .limit(DIGEST_PAGE)
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


def _certify(runtime: Runtime, actor: Actor, batch_id: str) -> None:
    with UnitOfWork(runtime.engine) as uow:
        batch = _batch_row(uow, batch_id, for_update=True)
        if batch.status != "keys":
            return
        digest, count = _destroyed_ids_digest(uow, batch_id)
        counts = json.loads(batch.counts)
        keys = sorted(
            uow.conn.execute(
                sa.select(disposition_cohorts.c.cohort_key_id).where(
                    disposition_cohorts.c.batch_id == batch_id,
                    disposition_cohorts.c.state == "destroyed",
                )
            ).scalars()
        )
        completed = _now()
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
                {"actor_id": a.actor_id, "role": a.role, "at": _iso(a.at)}
                for a in _approvals(uow, batch_id)
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
            "completed_at": _iso(completed),
        }
        signed = cert.sign_certificate(
            body,
            runtime.policy.program.checkpoint_origin,
            runtime.keystore.signer(audit_service.CHECKPOINT_PURPOSE),
        )
        uow.conn.execute(
            disposition_batches.update()
            .where(disposition_batches.c.batch_id == batch_id)
            .values(status="completed", completed_at=completed, certificate=json.dumps(signed))
        )
        crash_point(runtime, "certificate-before-commit")
        uow.commit()


def _start(runtime: Runtime, actor: Actor, batch_id: str) -> str:
    with UnitOfWork(runtime.engine) as uow:
        batch = _batch_row(uow, batch_id, for_update=True)
        if batch.status == "planned":
            raise NotApproved(
                f"batch {batch_id} needs two approvals (records officer and counsel) first"
            )
        if batch.status == "approved":
            uow.conn.execute(
                disposition_batches.update()
                .where(disposition_batches.c.batch_id == batch_id)
                .values(status="executing", started_at=_now())
            )
            audit_log.append(
                uow, actor, "retention.execute", [batch_id], reason="disposition",
                extra={"due": batch.due},
            )  # fmt: skip
            uow.commit()
            crash_point(runtime, "started")
            return "executing"
        return str(batch.status)


def execute(
    runtime: Runtime, actor: Actor, batch_id: str, *, progress: Progress | None = None
) -> dict[str, Any]:
    """Run (or resume) an approved batch to its end; returns INTERFACE.md's summary."""
    authorize(runtime.policy, actor, "retention.execute")
    status = _start(runtime, actor, batch_id)
    if status == "executing":
        total = _planned_count(runtime, batch_id)
        done = 0
        while True:
            chunk = _execute_chunk(runtime, actor, batch_id)
            if chunk.done:
                break
            done += chunk.destroyed + chunk.held + chunk.absent
            if progress is not None:
                progress(done, total)
        status = "keys"
    if status == "keys":
        with UnitOfWork(runtime.engine, read_only=True) as uow:
            pending = uow.conn.execute(
                sa.select(disposition_cohorts)
                .where(
                    disposition_cohorts.c.batch_id == batch_id,
                    disposition_cohorts.c.state == "pending",
                )
                .order_by(disposition_cohorts.c.cohort_key_id)
            ).all()
        for cohort in pending:
            _finish_cohort(runtime, actor, batch_id, cohort)
        _certify(runtime, actor, batch_id)
    return summary(runtime, batch_id)


def _planned_count(runtime: Runtime, batch_id: str) -> int:
    with UnitOfWork(runtime.engine, read_only=True) as uow:
        return int(
            uow.conn.execute(
                sa.select(sa.func.count()).where(disposition_items.c.batch_id == batch_id)
            ).scalar_one()
        )


def summary(runtime: Runtime, batch_id: str) -> dict[str, Any]:
    with UnitOfWork(runtime.engine, read_only=True) as uow:
        batch = _batch_row(uow, batch_id)
        keys = sorted(
            uow.conn.execute(
                sa.select(disposition_cohorts.c.cohort_key_id).where(
                    disposition_cohorts.c.batch_id == batch_id,
                    disposition_cohorts.c.state == "destroyed",
                )
            ).scalars()
        )
        approvals = [
            {"actor_id": a.actor_id, "role": a.role, "at": _iso(a.at)}
            for a in _approvals(uow, batch_id)
        ]
    return {
        "batch_id": batch_id,
        "status": batch.status,
        "kind": batch.kind,
        "rule": batch.rule,
        "as_of": batch.as_of.isoformat(),
        "due": batch.due,
        "blocked": batch.blocked,
        "blocked_by": json.loads(batch.blocked_by),
        "approvals": approvals,
        "destroyed": batch.destroyed,
        "skipped_held": batch.skipped_held,
        "absent": batch.absent,
        "counts_by_class": json.loads(batch.counts),
        "cohort_keys_destroyed": keys,
        "planned_at": _iso(batch.planned_at),
        "completed_at": _iso(batch.completed_at),
    }


def list_batches(uow: UnitOfWork, runtime: Runtime, actor: Actor) -> list[dict[str, Any]]:
    authorize(runtime.policy, actor, "retention.read")
    rows = uow.conn.execute(
        sa.select(disposition_batches).order_by(disposition_batches.c.planned_at.desc()).limit(200)
    ).all()
    return [
        {
            "batch_id": row.batch_id,
            "kind": row.kind,
            "rule": row.rule,
            "status": row.status,
            "as_of": row.as_of.isoformat(),
            "due": row.due,
            "blocked": row.blocked,
            "blocked_by": json.loads(row.blocked_by),
            "destroyed": row.destroyed,
            "skipped_held": row.skipped_held,
            "approvals": [a.actor_id for a in _approvals(uow, row.batch_id)],
            "planned_at": _iso(row.planned_at),
        }
        for row in rows
    ]


def certificate_document(
    uow: UnitOfWork, runtime: Runtime, actor: Actor, batch_id: str
) -> dict[str, Any]:
    authorize(runtime.policy, actor, "retention.read")
    batch = _batch_row(uow, batch_id)
    if batch.certificate is None:
        raise Refused(
            f"batch {batch_id} is {batch.status}: no certificate yet", code="not_completed"
        )
    document: dict[str, Any] = json.loads(batch.certificate)
    return document


__all__ = [
    "approve",
    "certificate_document",
    "execute",
    "list_batches",
    "plan",
    "plan_erasure",
    "summary",
]
