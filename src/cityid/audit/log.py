"""Appending to the audit log, inside the caller's transaction.

Every service that reads personal data or changes anything calls `append` on its own
unit of work, so the entry commits or rolls back with the action it records.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import sqlalchemy as sa

from cityid.audit.entry import encode_entry
from cityid.audit.merkle import leaf_hash
from cityid.audit.tables import audit_entries, audit_head, audit_targets
from cityid.staff.actor import Actor
from cityid.store.uow import UnitOfWork

# Keep the targets index small: huge batches (a disposition chunk) are found by batch id.
MAX_INDEXED_TARGETS = 50


@dataclass(frozen=True)
class Event:
    """One thing that happened: who, what, to which opaque ids, and the reason code."""

    actor: Actor
    action: str
    targets: Sequence[str]
    reason: str = "none"
    reason_ref: str | None = None
    extra: Mapping[str, int | str | Iterable[str]] | None = None


def append(
    uow: UnitOfWork,
    actor: Actor,
    action: str,
    targets: Sequence[str],
    *,
    reason: str = "none",
    reason_ref: str | None = None,
    extra: Mapping[str, int | str | Iterable[str]] | None = None,
) -> int:
    """Append one entry; returns its index in the log."""
    first = append_many(uow, [Event(actor, action, targets, reason, reason_ref, extra)])
    return first


def append_many(uow: UnitOfWork, events: Sequence[Event]) -> int:
    """Append several entries in order; returns the index of the first."""
    if not events:
        raise ValueError("nothing to append")
    now = dt.datetime.now(dt.UTC)
    encoded = [
        encode_entry(
            actor=event.actor.user_id,
            action=event.action,
            targets=event.targets,
            reason=event.reason,
            reason_ref=event.reason_ref,
            at=now,
            extra=event.extra,
        )
        for event in events
    ]
    # Bumping the head row takes its lock: concurrent writers get consecutive indexes.
    new_size = uow.conn.execute(
        audit_head.update()
        .where(audit_head.c.id == 1)
        .values(size=audit_head.c.size + len(events))
        .returning(audit_head.c.size)
    ).scalar_one()
    first = int(new_size) - len(events)
    uow.conn.execute(
        audit_entries.insert(),
        [
            {
                "idx": first + i,
                "entry": data,
                "leaf_hash": leaf_hash(data),
                "actor": event.actor.user_id,
                "action": event.action,
                "at": now,
            }
            for i, (event, data) in enumerate(zip(events, encoded, strict=True))
        ],
    )
    target_rows = [
        {"idx": first + i, "target": target}
        for i, event in enumerate(events)
        for target in dict.fromkeys(event.targets[:MAX_INDEXED_TARGETS])
    ]
    if target_rows:
        uow.conn.execute(audit_targets.insert(), target_rows)
    return first


def size(uow: UnitOfWork) -> int:
    return int(
        uow.conn.execute(sa.select(audit_head.c.size).where(audit_head.c.id == 1)).scalar_one()
    )
