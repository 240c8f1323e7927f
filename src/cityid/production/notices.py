"""Telling the holder where their card is: "mailed", or "ready for pickup" at the centre.

Queued in the caller's unit of work through the applicant's contact on file (notices
outbox). The parameters are the application's reference and the centre's name, never
a name, an address or a card number.
"""

from __future__ import annotations

import sqlalchemy as sa

from cityid.cards.tables import cards
from cityid.enrollment.contact import notify_applicant
from cityid.enrollment.tables import applications
from cityid.notices.kinds import NoticeKind
from cityid.runtime import Runtime
from cityid.staff.actor import Actor
from cityid.store.uow import UnitOfWork

DEFAULT_CENTRE = "your enrollment centre"


def tell_holders(
    uow: UnitOfWork, runtime: Runtime, actor: Actor, card_ids: list[str], kind: NoticeKind
) -> int:
    """One notice per card (at most once per card and kind); how many were queued."""
    if not card_ids:
        return 0
    rows = uow.conn.execute(
        sa.select(
            cards.c.card_id, applications.c.application_id, applications.c.reference,
            applications.c.centre,
        )
        .join(applications, applications.c.application_id == cards.c.application_id)
        .where(cards.c.card_id.in_(card_ids))
        .order_by(cards.c.card_id)
    )  # fmt: skip
    queued = 0
    for row in rows:
        params: dict[str, str | int] = {"reference": row.reference}
        if kind is NoticeKind.CARD_READY_FOR_PICKUP:
            params["centre"] = row.centre or DEFAULT_CENTRE
        result = notify_applicant(
            uow, runtime, actor, row.application_id, kind, params,
            dedupe=f"{kind.value}:{row.card_id}",
        )  # fmt: skip
        queued += 1 if result.notice_ids else 0
    return queued
