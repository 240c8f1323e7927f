"""Production's stored rows: reading batches and items, writing events (shared by the
batch and pickup services)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa

from cityid.cards.issuing import AWAITING_PICKUP
from cityid.cards.tables import card_events, cards
from cityid.errors import NotFound, Refused
from cityid.production.results import Batch, BatchStatus, ItemState
from cityid.production.tables import production_batches, production_events, production_items
from cityid.staff.actor import Actor
from cityid.store.uow import UnitOfWork

# A card waits at the centre, suspended, for one of these reasons (card_events codes).
RETURNED_MAIL = "returned_mail"
WAITING_REASONS = (AWAITING_PICKUP, RETURNED_MAIL)
WAITING_STATES = (ItemState.AT_CENTRE.value, ItemState.RETURNED.value)


class BatchNotFound(NotFound):
    code = "batch_not_found"


class WrongBatchStatus(Refused):
    code = "wrong_batch_status"


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _iso(moment: dt.datetime | None) -> str | None:
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.isoformat(timespec="seconds")


def batch_row(uow: UnitOfWork, batch_id: str, *, for_update: bool = False) -> Any:
    query = sa.select(production_batches).where(production_batches.c.batch_id == batch_id)
    if for_update and uow.conn.dialect.name == "postgresql":
        query = query.with_for_update()
    row = uow.conn.execute(query).first()
    if row is None:
        raise BatchNotFound(f"no print batch {batch_id}")
    return row


def item_counts(uow: UnitOfWork, batch_ids: list[str]) -> dict[str, dict[str, int]]:
    """Per batch, how many of its cards are in each state."""
    found: dict[str, dict[str, int]] = {b: {} for b in batch_ids}
    if not batch_ids:
        return found
    rows = uow.conn.execute(
        sa.select(production_items.c.batch_id, production_items.c.state, sa.func.count())
        .where(production_items.c.batch_id.in_(batch_ids))
        .group_by(production_items.c.batch_id, production_items.c.state)
    )
    for batch_id, state, count in rows:
        found[batch_id][state] = int(count)
    return found


def batch_of(row: Any, counts: dict[str, int]) -> Batch:
    return Batch(
        batch_id=row.batch_id,
        status=BatchStatus(row.status),
        cards=row.cards,
        cut_at=_iso(row.cut_at) or "",
        exports=row.exports,
        exported_at=_iso(row.exported_at),
        printed_on=row.printed_on,
        mailed_on=row.mailed_on,
        delivered_on=row.delivered_on,
        counts=dict(sorted(counts.items())),
    )


def record_event(
    uow: UnitOfWork,
    batch_id: str,
    event: str,
    actor: Actor,
    *,
    card_id: str | None = None,
    reason_text: str | None = None,
) -> None:
    uow.conn.execute(
        production_events.insert().values(
            batch_id=batch_id, card_id=card_id, event=event, at=now(),
            actor_id=actor.user_id, reason_text=reason_text,
        )
    )  # fmt: skip


def set_items(uow: UnitOfWork, where: Any, **values: Any) -> int:
    result = uow.conn.execute(
        production_items.update().where(where).values(updated_at=now(), **values)
    )
    return int(result.rowcount or 0)


def item_of_card(uow: UnitOfWork, card_id: str) -> Any | None:
    return uow.conn.execute(
        sa.select(production_items).where(production_items.c.card_id == card_id)
    ).first()


def last_reason(uow: UnitOfWork, card_id: str) -> str | None:
    """The reason code of the card's latest event: why it is in its present status."""
    row = uow.conn.execute(
        sa.select(card_events.c.reason_code)
        .where(card_events.c.card_id == card_id, card_events.c.event != "fee")
        .order_by(card_events.c.event_id.desc())
        .limit(1)
    ).first()
    return None if row is None else str(row.reason_code)


def latest_events() -> Any:
    """Each card's latest status event (fees are not status events), as a subquery."""
    return (
        sa.select(card_events.c.card_id, sa.func.max(card_events.c.event_id).label("last"))
        .where(card_events.c.event != "fee")
        .group_by(card_events.c.card_id)
        .subquery()
    )


def waiting_query(today: dt.date) -> sa.Select[Any]:
    """Cards issued and not yet batched that production may print: active ones (mail)
    and those suspended only to wait for pickup; unexpired. Oldest first."""
    latest = latest_events()
    batched = sa.select(production_items.c.card_id)
    return (
        sa.select(cards.c.card_id, cards.c.status, card_events.c.reason_code)
        .join(latest, latest.c.card_id == cards.c.card_id)
        .join(card_events, card_events.c.event_id == latest.c.last)
        .where(
            cards.c.card_id.not_in(batched),
            cards.c.expires_on >= today,
            sa.or_(
                cards.c.status == "active",
                sa.and_(
                    cards.c.status == "suspended", card_events.c.reason_code == AWAITING_PICKUP
                ),
            ),
        )
        .order_by(cards.c.issued_at, cards.c.card_id)
    )
