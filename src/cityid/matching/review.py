"""The investigators' review queue: list, open side by side (audited), decide.

Items hold ids, a kind, a score and reason codes only. Opening one decrypts both
applications through enrollment's `show` (each read audited as "application.read") and
records "review.read"; a decision records "review.decide". Decisions are kept: they are
what the duplicate-detection numbers are checked against.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import sqlalchemy as sa

from cityid.audit import log as audit_log
from cityid.audit.refusals import LoggedRefusal
from cityid.crypto import KeyDestroyed
from cityid.enrollment import lookup
from cityid.enrollment.results import ApplicationShown
from cityid.errors import BadInput, NotFound, Refused
from cityid.matching.results import (
    ReviewDecision,
    ReviewItem,
    ReviewItemShown,
    ReviewStatus,
    Unavailable,
)
from cityid.matching.signals import FlagKind
from cityid.matching.tables import review_items
from cityid.runtime import Runtime
from cityid.staff.actor import Actor
from cityid.staff.permissions import authorize
from cityid.store.uow import UnitOfWork

REVIEW_PURPOSE = "review_of_flag"  # the policy's purpose for reading a flagged pair
DECISIONS: tuple[str, ...] = tuple(ReviewDecision)
STATUSES: tuple[str, ...] = tuple(ReviewStatus)


class AlreadyDecided(Refused):
    code = "already_decided"


def _item(row: Any) -> ReviewItem:
    def when(moment: dt.datetime | None) -> str | None:
        if moment is None:
            return None
        moment = moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment
        return moment.isoformat(timespec="seconds")

    return ReviewItem(
        item_id=row.item_id,
        application_id=row.application_id,
        other_application_id=row.other_application_id,
        kind=FlagKind(row.kind),
        score=row.score,
        reasons=json.loads(row.reasons),
        source=row.source,
        status=ReviewStatus(row.status),
        decision=None if row.decision is None else ReviewDecision(row.decision),
        decided_by=row.decided_by,
        decided_at=when(row.decided_at),
        created_at=when(row.created_at),
    )


def _load(uow: UnitOfWork, item_id: str) -> Any:
    row = uow.conn.execute(sa.select(review_items).where(review_items.c.item_id == item_id)).first()
    if row is None:
        raise NotFound(f"no review item {item_id}")
    return row


def _filtered(query: Any, status: str | None, kind: str | None) -> Any:
    if status is not None and status not in STATUSES:
        raise BadInput(f"status must be one of {', '.join(STATUSES)}")
    c = review_items.c
    if status is not None:
        query = query.where(c.status == status)
    if kind is not None:
        query = query.where(c.kind == kind)
    return query


def list_items(
    uow: UnitOfWork,
    runtime: Runtime,
    actor: Actor,
    *,
    status: str | None = "open",
    kind: str | None = None,
    limit: int = 100,
    offset: int = 0,
    sort: str = "strongest",
) -> list[ReviewItem]:
    """Queue items (ids, kinds, scores: no personal data), strongest (or oldest, newest) first."""
    authorize(runtime.policy, actor, "review.read")
    c = review_items.c
    query = _filtered(sa.select(review_items), status, kind)
    order: list[Any]
    if sort == "oldest":
        order = [c.created_at, c.item_id]
    elif sort == "newest":
        order = [c.created_at.desc(), c.item_id]
    else:
        order = [sa.case((c.score.is_(None), 1), else_=0), c.score.desc(), c.created_at, c.item_id]
    query = query.order_by(*order).limit(limit).offset(offset)
    return [_item(r) for r in uow.conn.execute(query)]


def count_items(
    uow: UnitOfWork, runtime: Runtime, actor: Actor, *, status: str | None, kind: str | None
) -> int:
    """How many items `list_items` would page through with these filters."""
    authorize(runtime.policy, actor, "review.read")
    query = _filtered(sa.select(sa.func.count()).select_from(review_items), status, kind)
    return int(uow.conn.execute(query).scalar_one())


def get_item(uow: UnitOfWork, runtime: Runtime, actor: Actor, item_id: str) -> ReviewItem:
    """One item without opening the applications."""
    authorize(runtime.policy, actor, "review.read")
    return _item(_load(uow, item_id))


def show_item(uow: UnitOfWork, runtime: Runtime, actor: Actor, item_id: str) -> ReviewItemShown:
    """The item and both applications decrypted side by side; every read audited."""
    authorize(runtime.policy, actor, "review.read")
    item = _item(_load(uow, item_id))
    ids = [i for i in (item.application_id, item.other_application_id) if i]
    opened: list[ApplicationShown | Unavailable] = []
    for application_id in ids:
        try:
            opened.append(
                lookup.show(
                    uow, runtime, actor, application_id, purpose=REVIEW_PURPOSE, documents=True
                )
            )
        except (KeyDestroyed, NotFound) as exc:
            opened.append(Unavailable(application_id, exc.code))
        except LoggedRefusal as exc:
            if exc.code != "out_of_scope":
                raise
            # A decided pair leaves the queue: say so on the page, and log the refusal.
            audit_log.append_many(uow, [exc.event])
            opened.append(Unavailable(application_id, exc.code))
    audit_log.append(uow, actor, "review.read", [item_id, *ids], reason=item.kind)
    fields = {f: getattr(item, f) for f in ReviewItem.__dataclass_fields__}
    return ReviewItemShown(**fields, applications=opened)


def decide(
    uow: UnitOfWork, runtime: Runtime, actor: Actor, item_id: str, decision: str
) -> ReviewItem:
    """Record an investigator's decision on an open item."""
    authorize(runtime.policy, actor, "review.decide")
    if decision not in DECISIONS:
        raise BadInput(f"decision must be one of {', '.join(DECISIONS)}")
    row = _load(uow, item_id)
    if row.status != "open":
        raise AlreadyDecided(f"review item {item_id} is already decided")
    stamp = dt.datetime.now(dt.UTC)
    changed = uow.conn.execute(
        review_items.update()
        .where(review_items.c.item_id == item_id, review_items.c.status == "open")
        .values(status="decided", decision=decision, decided_by=actor.user_id, decided_at=stamp)
    ).rowcount
    if changed != 1:
        raise AlreadyDecided(f"review item {item_id} is already decided")
    targets = [t for t in (item_id, row.application_id, row.other_application_id) if t]
    audit_log.append(uow, actor, "review.decide", targets, reason=decision)
    return _item(_load(uow, item_id))


def decision_counts(uow: UnitOfWork, runtime: Runtime, actor: Actor) -> dict[str, dict[str, int]]:
    """{kind: {open, duplicate, not_duplicate, fraud_referred}}: what the queue has found."""
    authorize(runtime.policy, actor, "review.read")
    c = review_items.c
    rows = uow.conn.execute(
        sa.select(c.kind, c.status, c.decision, sa.func.count()).group_by(
            c.kind, c.status, c.decision
        )
    )
    counts: dict[str, dict[str, int]] = {}
    for kind, status, decision, n in rows:
        slot = counts.setdefault(kind, {"open": 0, **{d: 0 for d in DECISIONS}})
        slot["open" if status == "open" else str(decision)] += int(n)
    return counts
