"""Renewal notices (60 and 30 days before a card expires) and the notice round.

`queue_renewals` finds issued applications whose card expires within the policy's
largest threshold and queues one `renewal_due` notice per card and threshold: the
smallest threshold not yet passed, so a round that runs late (or for the first time)
sends the 30-day notice, not both. A renewed card's old application (one with a
successor) is skipped. `notice_round` is what `cityid notify run` and the worker inside
`cityid serve` do: queue what is due, then deliver.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa

from cityid.enrollment.contact import notify_applicant
from cityid.enrollment.tables import applications
from cityid.notices import delivery
from cityid.notices.delivery import DeliveryReport, Transports
from cityid.notices.forgetting import destroy_spent_keys
from cityid.notices.kinds import NoticeKind
from cityid.notices.outbox import seen_occasions
from cityid.runtime import Runtime
from cityid.staff.actor import Actor
from cityid.staff.permissions import authorize
from cityid.store.uow import UnitOfWork


@dataclass(frozen=True)
class RoundReport:
    renewals_queued: int
    delivery: DeliveryReport
    keys_destroyed: int = 0  # past months' outbox keys nothing needed any more


def threshold_for(thresholds: list[int], days_left: int) -> int | None:
    """The smallest threshold that `days_left` has reached ([60, 30], 45 -> 60; 20 -> 30)."""
    reached = [t for t in thresholds if days_left <= t]
    return min(reached) if reached else None


def queue_renewals(uow: UnitOfWork, runtime: Runtime, actor: Actor, today: dt.date) -> int:
    """Queue the renewal notices due on `today`; returns how many cards got one."""
    authorize(runtime.policy, actor, "notices.run")
    thresholds = runtime.policy.notices.renewal_days_before_expiry
    if not thresholds:
        return 0
    successor = sa.select(sa.literal(1)).where(
        applications.alias("later").c.previous_application_id == applications.c.application_id
    )
    rows = uow.conn.execute(
        sa.select(applications.c.application_id, applications.c.card_expires_on)
        .where(
            applications.c.status == "issued",
            applications.c.card_expires_on > today,
            applications.c.card_expires_on <= today + dt.timedelta(days=max(thresholds)),
            ~successor.exists(),
        )
        .order_by(applications.c.card_expires_on)
    ).all()
    due: list[tuple[str, int, str, str]] = []  # application, days left, expiry, occasion
    for row in rows:
        days_left = (row.card_expires_on - today).days
        threshold = threshold_for(thresholds, days_left)
        if threshold is not None:
            expires = row.card_expires_on.isoformat()
            occasion = f"renewal-{threshold}:{row.application_id}:{expires}"
            due.append((row.application_id, days_left, expires, occasion))
    # Occasions seen before (sent, or nothing to send) are skipped without opening a key:
    # a round runs every few seconds inside `serve`.
    seen = seen_occasions(uow, [occasion for *_, occasion in due])
    queued = 0
    for application_id, days_left, expires, occasion in due:
        if occasion in seen:
            continue
        result = notify_applicant(
            uow, runtime, actor, application_id, NoticeKind.RENEWAL_DUE,
            {"days": days_left, "expires": expires}, dedupe=occasion,
        )  # fmt: skip
        queued += bool(result.notice_ids)
    return queued


def notice_round(
    runtime: Runtime,
    actor: Actor,
    *,
    transports: Transports | None = None,
    now: dt.datetime | None = None,
    renewals: bool = True,
) -> RoundReport:
    """Queue today's renewal notices (one transaction, unless `renewals` is False: the
    server's worker does that once a day), deliver what is due, then destroy the past
    months' outbox keys that nothing needs (`notices.forgetting`)."""
    now = now or dt.datetime.now(dt.UTC)
    queued = 0
    if renewals:
        with UnitOfWork(runtime.engine) as uow:
            queued = queue_renewals(uow, runtime, actor, now.date())
            uow.commit()
    sent = delivery.run_once(runtime, transports, now=now)
    spent = destroy_spent_keys(runtime, actor, now)
    return RoundReport(queued, sent, len(spent.destroyed))
