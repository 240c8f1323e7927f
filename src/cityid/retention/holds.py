"""Legal holds: placed by counsel under a court's order, released only with a reason.

A hold is written once and never edited or deleted (the database refuses both); its
status is its events. Holds stack: a record is held while any active hold covers it.
No path destroys a held record: disposition and erasure both ask `covering_holds`
inside the transaction that destroys.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from cityid.audit import log as audit_log
from cityid.audit.entry import AuditEntryError
from cityid.errors import BadInput, NotFound, Refused
from cityid.retention.results import Hold, HoldReleased, HoldStatus
from cityid.retention.scope import HoldScope, RecordFacts, parse_scope
from cityid.retention.tables import legal_hold_events, legal_holds
from cityid.runtime import Runtime
from cityid.staff.actor import Actor
from cityid.staff.permissions import authorize
from cityid.store.uow import UnitOfWork

MAX_TEXT = 2000


@dataclass(frozen=True)
class ActiveHold:
    hold_id: str
    scope: HoldScope


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _text(value: str | None, name: str, limit: int) -> str:
    text = (value or "").strip()
    if not text:
        raise BadInput(f"{name} is required")
    if len(text) > limit:
        raise BadInput(f"{name} is longer than {limit} characters")
    return text


def _audit(
    uow: UnitOfWork, actor: Actor, action: str, hold_id: str, reason: str, ref: str | None
) -> None:
    """Docket numbers go in the entry when they are id-shaped ("80258-16"); otherwise only
    the hold id does, and the docket stays in the hold's own row."""
    try:
        audit_log.append(uow, actor, action, [hold_id], reason=reason, reason_ref=ref)
    except AuditEntryError:
        audit_log.append(uow, actor, action, [hold_id], reason=reason)


def place_hold(
    uow: UnitOfWork,
    runtime: Runtime,
    actor: Actor,
    *,
    authority: str,
    docket: str,
    reason: str,
    scope: str | dict[str, Any] | HoldScope,
    order_date: dt.date | None = None,
) -> str:
    """Record a court's hold; returns its id. Caller commits."""
    authorize(runtime.policy, actor, "hold.place")
    parsed = scope if isinstance(scope, HoldScope) else parse_scope(scope)
    hold_id = f"hold-{secrets.token_hex(8)}"
    stamp = _now()
    docket_text = _text(docket, "docket", 100)
    uow.conn.execute(
        legal_holds.insert().values(
            hold_id=hold_id,
            authority=_text(authority, "authority", 200),
            docket=docket_text,
            order_date=order_date,
            reason=_text(reason, "reason", MAX_TEXT),
            scope=parsed.dumps(),
            placed_by=actor.user_id,
            placed_at=stamp,
        )
    )
    uow.conn.execute(
        legal_hold_events.insert().values(
            hold_id=hold_id, kind="placed", at=stamp, actor_id=actor.user_id, reason=None
        )
    )
    _audit(uow, actor, "hold.place", hold_id, "court_order", docket_text.replace(" ", ""))
    return hold_id


def release_hold(
    uow: UnitOfWork, runtime: Runtime, actor: Actor, hold_id: str, *, reason: str
) -> HoldReleased:
    """Release an active hold; the reason is required and kept with the hold."""
    authorize(runtime.policy, actor, "hold.release")
    text = _text(reason, "a reason for the release", MAX_TEXT)
    row = uow.conn.execute(sa.select(legal_holds).where(legal_holds.c.hold_id == hold_id)).first()
    if row is None:
        raise NotFound(f"no hold {hold_id}")
    if _released(uow, hold_id):
        raise Refused(f"hold {hold_id} is already released", code="already_released")
    uow.conn.execute(
        legal_hold_events.insert().values(
            hold_id=hold_id, kind="released", at=_now(), actor_id=actor.user_id, reason=text
        )
    )
    _audit(uow, actor, "hold.release", hold_id, "hold_released", None)
    return HoldReleased(hold_id, HoldStatus.RELEASED)


def _released(uow: UnitOfWork, hold_id: str) -> bool:
    found = uow.conn.execute(
        sa.select(legal_hold_events.c.event_id).where(
            legal_hold_events.c.hold_id == hold_id, legal_hold_events.c.kind == "released"
        )
    ).first()
    return found is not None


def _released_ids() -> sa.Select[tuple[str]]:
    return sa.select(legal_hold_events.c.hold_id).where(legal_hold_events.c.kind == "released")


def lock_holds(uow: UnitOfWork) -> None:
    """Make the hold table stand still until this transaction ends.

    PostgreSQL: SHARE mode conflicts with the INSERT that places a hold, so a hold being
    placed either committed before (and this transaction, reading after the lock, sees
    it) or waits until the destruction commits. SQLite: writers are serialised by
    BEGIN IMMEDIATE already, so a write transaction always reads the latest holds.
    """
    if uow.conn.dialect.name == "postgresql":
        uow.conn.execute(sa.text("LOCK TABLE legal_holds IN SHARE MODE"))


def active_holds(uow: UnitOfWork) -> list[ActiveHold]:
    rows = uow.conn.execute(
        sa.select(legal_holds.c.hold_id, legal_holds.c.scope)
        .where(legal_holds.c.hold_id.not_in(_released_ids()))
        .order_by(legal_holds.c.placed_at, legal_holds.c.hold_id)
    ).all()
    return [ActiveHold(row.hold_id, parse_scope(row.scope)) for row in rows]


def covering_holds(
    holds: list[ActiveHold], facts: RecordFacts, guarded_classes: tuple[str, ...]
) -> list[str]:
    """Ids of the holds that forbid destroying this record (or what it cascades to)."""
    return [h.hold_id for h in holds if h.scope.covers_any(facts, guarded_classes)]


def list_holds(uow: UnitOfWork, runtime: Runtime, actor: Actor) -> list[Hold]:
    """Every hold in the order placed, active and released."""
    authorize(runtime.policy, actor, "hold.read")
    released = {
        event.hold_id: event
        for event in uow.conn.execute(
            sa.select(legal_hold_events).where(legal_hold_events.c.kind == "released")
        )
    }
    out = []
    for row in uow.conn.execute(sa.select(legal_holds).order_by(legal_holds.c.placed_at)):
        event = released.get(row.hold_id)
        out.append(
            Hold(
                hold_id=row.hold_id,
                status=HoldStatus.RELEASED if event else HoldStatus.ACTIVE,
                authority=row.authority,
                docket=row.docket,
                order_date=row.order_date.isoformat() if row.order_date else None,
                reason=row.reason,
                scope=json.loads(row.scope),
                placed_by=row.placed_by,
                placed_at=_iso(row.placed_at),
                released_at=_iso(event.at) if event else None,
                released_by=event.actor_id if event else None,
                release_reason=event.reason if event else None,
            )
        )
    return out


def _iso(moment: dt.datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.isoformat(timespec="seconds")
