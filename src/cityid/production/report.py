"""Card production in counts, for the dashboard: no personal data, nothing opened."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from cityid.policy import Policy
from cityid.production.records import WAITING_STATES, waiting_query
from cityid.production.tables import production_items
from cityid.store.uow import UnitOfWork

# The tiles, in the order a card goes through them.
WAITING_FOR_BATCH = "waiting for a batch"
IN_PRODUCTION = "in a batch, not yet out"
MAILED = "mailed"
DELIVERED = "delivered"
AT_CENTRE = "waiting at a centre"
OVERDUE = "past the pickup period"
COLLECTED = "handed over at a centre"
UNCOLLECTED = "uncollected, revoked"


def production_tiles(uow: UnitOfWork, policy: Policy, today: dt.date) -> dict[str, int]:
    """How many cards are at each step of production today."""
    queued = uow.conn.execute(
        sa.select(sa.func.count()).select_from(waiting_query(today).order_by(None).subquery())
    ).scalar_one()
    items = production_items.c
    by_state: dict[str, int] = {
        str(state): int(count)
        for state, count in uow.conn.execute(
            sa.select(items.state, sa.func.count()).group_by(items.state)
        )
    }
    cutoff = today - dt.timedelta(days=policy.production.uncollected_after_days)
    overdue = uow.conn.execute(
        sa.select(sa.func.count()).where(
            items.state.in_(WAITING_STATES), items.waiting_since < cutoff
        )
    ).scalar_one()
    waiting = sum(by_state.get(s, 0) for s in WAITING_STATES)
    return {
        WAITING_FOR_BATCH: int(queued),
        IN_PRODUCTION: int(by_state.get("in_batch", 0)) + int(by_state.get("printed", 0)),
        MAILED: int(by_state.get("mailed", 0)),
        DELIVERED: int(by_state.get("delivered", 0)),
        AT_CENTRE: waiting - int(overdue),
        OVERDUE: int(overdue),
        COLLECTED: int(by_state.get("collected", 0)),
        UNCOLLECTED: int(by_state.get("uncollected", 0)),
    }
