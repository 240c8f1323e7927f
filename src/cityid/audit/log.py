"""Appending to the audit log, inside the caller's transaction.

Every service that reads personal data or changes anything calls `append` on its own
unit of work, so the entry commits or rolls back with the action it records.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from cityid.audit import entry as _entry
from cityid.audit.entry import encode_entry
from cityid.audit.merkle import leaf_hash
from cityid.audit.tables import audit_entries, audit_head, audit_targets
from cityid.staff.actor import Actor
from cityid.store.bulk import insert_rows
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


def now() -> dt.datetime:
    """The log's clock (UTC): every entry's `at`, and what rules over the log call "now"."""
    return dt.datetime.now(dt.UTC)


def append_many(uow: UnitOfWork, events: Sequence[Event]) -> int:
    """Append several entries in order; returns the index of the first."""
    if not events:
        raise ValueError("nothing to append")
    now = _clock()
    encoded = _encode_all(events, now)
    # Bumping the head row takes its lock: concurrent writers get consecutive indexes.
    new_size = uow.conn.execute(
        audit_head.update()
        .where(audit_head.c.id == 1)
        .values(size=audit_head.c.size + len(events))
        .returning(audit_head.c.size)
    ).scalar_one()
    first = int(new_size) - len(events)
    insert_rows(
        uow.conn,
        audit_entries,
        ("idx", "entry", "leaf_hash", "actor", "action", "at"),
        [
            (first + i, data, leaf_hash(data), event.actor.user_id, event.action, now)
            for i, (event, data) in enumerate(zip(events, encoded, strict=True))
        ],
    )
    target_rows = [
        (first + i, target)
        for i, event in enumerate(events)
        for target in dict.fromkeys(event.targets[:MAX_INDEXED_TARGETS])
    ]
    insert_rows(uow.conn, audit_targets, ("idx", "target"), target_rows)
    return first


def _clock() -> dt.datetime:
    return now()


def _encode_all(events: Sequence[Event], now: dt.datetime) -> list[bytes]:
    """Each event's canonical bytes, exactly as `encode_entry` gives them.

    A batch shares its timestamp and mostly its actor, action and reason: those are
    validated and formatted once, and repeated `extra` mappings once each. The first
    entry is also encoded by `encode_entry` itself; should the two ever differ, every
    entry is, so the bytes can only ever be `encode_entry`'s.
    """
    try:
        out = _encode_fast(events, now)
    except _entry.AuditEntryError:
        out = []  # raise just what (and where) `encode_entry` raises
    if not out or out[0] != _encode_one(events[0], now):
        return [_encode_one(event, now) for event in events]
    return out


def _encode_fast(events: Sequence[Event], now: dt.datetime) -> list[bytes]:
    at = _entry.format_timestamp(now)
    heads: dict[tuple[str, str, str, str | None], dict[str, Any]] = {}
    extras: dict[tuple[Any, ...], dict[str, Any]] = {}
    out: list[bytes] = []
    for event in events:
        head_key = (event.actor.user_id, event.action, event.reason, event.reason_ref)
        head = heads.get(head_key)
        if head is None:
            head = {
                "v": _entry.ENCODING_VERSION,
                "actor": _entry._id(event.actor.user_id, "actor"),
                "action": _entry._code(event.action, "action"),
                "reason": _entry._code(event.reason, "reason"),
                "at": at,
            }
            if event.reason_ref is not None:
                head["reason_ref"] = _entry._id(event.reason_ref, "reason_ref")
            heads[head_key] = head
        document = dict(head)
        targets = [_entry._id(t, "targets") for t in _entry._as_list(event.targets, "targets")]
        if len(targets) > _entry.MAX_TARGETS:
            raise _entry.AuditEntryError(f"at most {_entry.MAX_TARGETS} targets per entry")
        document["targets"] = targets
        if event.extra:
            document["extra"] = _checked_extra(event.extra, extras)
        out.append(_entry.check_entry_size(_entry._dump(document)))
    return out


def _encode_one(event: Event, now: dt.datetime) -> bytes:
    return encode_entry(
        actor=event.actor.user_id,
        action=event.action,
        targets=event.targets,
        reason=event.reason,
        reason_ref=event.reason_ref,
        at=now,
        extra=event.extra,
    )


def _checked_extra(
    extra: Mapping[str, int | str | Iterable[str]], seen: dict[tuple[Any, ...], dict[str, Any]]
) -> dict[str, Any]:
    # bool and int hash alike (True == 1) but encode differently: keep their types apart.
    key = tuple((name, type(value), value) for name, value in extra.items())
    try:
        hash(key)
    except TypeError:  # list values: validate every time
        return _entry._extra(extra)
    clean = seen.get(key)
    if clean is None:
        clean = seen[key] = _entry._extra(extra)
    return clean


def size(uow: UnitOfWork) -> int:
    return int(
        uow.conn.execute(sa.select(audit_head.c.size).where(audit_head.c.id == 1)).scalar_one()
    )
