"""Crypto-erasure of the cohorts a batch touched: re-wrap each cohort's survivors (held,
or not yet due) under a fresh key and commit that, then destroy the old key in the
keystore, then record it destroyed. A key is destroyed only after its rows are gone and
the survivors' new wrapping is committed, so a crash at any point loses nothing."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from cityid.audit import log as audit_log
from cityid.crypto import SealedKey, rekey_records
from cityid.errors import Refused
from cityid.retention.disposition.transactions import in_step, read
from cityid.retention.tables import BY_CLASS, RecordTable, disposition_cohorts
from cityid.runtime import Runtime
from cityid.staff.actor import Actor
from cityid.store.uow import UnitOfWork

REKEY_ATTEMPTS = 5  # a cohort still gaining records after this many passes is postponed


def pending_cohorts(uow: UnitOfWork, batch_id: str) -> list[Any]:
    return list(
        uow.conn.execute(
            sa.select(disposition_cohorts)
            .where(
                disposition_cohorts.c.batch_id == batch_id,
                disposition_cohorts.c.state == "pending",
            )
            .order_by(disposition_cohorts.c.cohort_key_id)
        )
    )


def _survivors(uow: UnitOfWork, table: RecordTable, key_id: str) -> list[tuple[str, SealedKey]]:
    assert table.cohort_key_id is not None and table.wrapped_column is not None
    wrapped = table.table.c[table.wrapped_column]
    rows = uow.conn.execute(
        sa.select(table.id, wrapped).where(table.cohort_key_id == key_id).order_by(table.id)
    ).all()
    return [(row[0], SealedKey(key_id, bytes(row[1]))) for row in rows]


def _set_cohort(uow: UnitOfWork, batch_id: str, key_id: str, **values: Any) -> None:
    uow.conn.execute(
        disposition_cohorts.update()
        .where(
            disposition_cohorts.c.batch_id == batch_id,
            disposition_cohorts.c.cohort_key_id == key_id,
        )
        .values(**values)
    )


def _store_rewrapped(
    uow: UnitOfWork, table: RecordTable, old: str, moved: dict[str, SealedKey]
) -> None:
    assert table.cohort_key_id is not None and table.cohort_column is not None
    assert table.wrapped_column is not None
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


def _rekey_survivors(runtime: Runtime, batch_id: str, cohort: Any) -> int:
    """Move every survivor off the old key (committed); returns how many were moved in all."""
    table = BY_CLASS[cohort.record_class]
    old = cohort.cohort_key_id
    rekeyed = cohort.survivors_rekeyed
    for _attempt in range(REKEY_ATTEMPTS):
        survivors = read(runtime, lambda uow: _survivors(uow, table, old))
        if not survivors:
            return int(rekeyed)
        runtime.faults.reached("rekey-before-keystore")
        new_key_id, moved = rekey_records(runtime.keystore, old, survivors)
        rekeyed += len(moved)

        def store(
            uow: UnitOfWork,
            moved: dict[str, SealedKey] = moved,
            count: int = rekeyed,
            new_key_id: str = new_key_id,
        ) -> None:
            _store_rewrapped(uow, table, old, moved)
            _set_cohort(uow, batch_id, old, survivors_rekeyed=count, new_key_id=new_key_id)

        in_step(runtime, "rekey", store)  # fmt: skip
    raise Refused(f"cohort key {old} keeps gaining records; its destruction is postponed")


def finish_cohort(runtime: Runtime, actor: Actor, batch_id: str, cohort: Any) -> None:
    """Re-key the cohort's survivors (committed first), then destroy the old key."""
    old = cohort.cohort_key_id
    rekeyed = _rekey_survivors(runtime, batch_id, cohort)
    runtime.faults.reached("key-before-destroy")
    runtime.keystore.destroy(old)
    runtime.faults.reached("key-after-destroy")

    def record(uow: UnitOfWork) -> None:
        _set_cohort(uow, batch_id, old, state="destroyed")
        audit_log.append(
            uow, actor, "retention.key_destroy", [old], reason="crypto_erase",
            reason_ref=batch_id, extra={"survivors_rekeyed": rekeyed},
        )  # fmt: skip

    in_step(runtime, "key", record)
