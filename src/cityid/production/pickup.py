"""Cards that wait at a centre: pickup chosen at intake, or returned by the post.

A waiting card is suspended on the status list. It becomes valid only when handed over
at the desk after an identity check (date of birth, card number or application
reference, and the clerk's confirmation that they saw a photo ID). A wrong answer is
refused and logged, and the card stays suspended. A card not collected within the
policy's period is revoked, and its application is planned for erasure through
retention's disposition batches (two approvals, holds respected, keys destroyed): the
one destruction path there is.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa

from cityid.audit import log as audit_log
from cityid.cards.numbers import is_valid_card_number, normalize_card_number
from cityid.cards.records import (
    LIVE_STATUSES,
    Card,
    WrongCardStatus,
    card_from_row,
    load_card,
    open_application,
    set_status,
)
from cityid.cards.records import record_event as card_event
from cityid.cards.tables import cards
from cityid.enrollment.repository import normalise_reference
from cityid.enrollment.tables import applications
from cityid.errors import BadInput, NotFound, Refused
from cityid.notices.kinds import NoticeKind
from cityid.production.notices import tell_holders
from cityid.production.records import (
    RETURNED_MAIL,
    WAITING_REASONS,
    WAITING_STATES,
    item_of_card,
    last_reason,
    record_event,
    set_items,
)
from cityid.production.results import CardMoved, ItemState, Pickup, PickupOutcome, Uncollected
from cityid.production.tables import production_items
from cityid.retention.disposition import plan_erasure
from cityid.runtime import Runtime
from cityid.staff.actor import Actor
from cityid.staff.permissions import authorize
from cityid.store.uow import UnitOfWork

PICKED_UP = "picked_up"
UNCOLLECTED = "uncollected"
REFUSED_MESSAGE = "the details do not match this card; it stays at the centre, suspended"


class NotWaiting(Refused):
    code = "not_awaiting_pickup"


def returned(
    uow: UnitOfWork, runtime: Runtime, actor: Actor, card_number: str, *, on: dt.date | None = None
) -> CardMoved:
    """The post returned a mailed card: it waits at the centre, suspended, like pickup."""
    authorize(runtime.policy, actor, "production.manage")
    card = load_card(uow, card_number, for_update=True)
    item = item_of_card(uow, card.card_id)
    if item is None or item.delivery != "mail" or item.state not in ("mailed", "delivered"):
        raise NotWaiting("only a card that was mailed can come back by post")
    if card.status_on(runtime.today()) not in LIVE_STATUSES:
        raise WrongCardStatus(f"a {card.status_on(runtime.today())} card is not kept for pickup")
    if card.stored_status == "active":
        set_status(uow, card, "suspended")
    card_event(uow, card.card_id, "suspended", actor, RETURNED_MAIL)
    day = on or runtime.today()
    set_items(uow, production_items.c.card_id == card.card_id, state="returned", waiting_since=day)
    record_event(uow, item.batch_id, "returned", actor, card_id=card.card_id)
    tell_holders(uow, runtime, actor, [card.card_id], NoticeKind.CARD_READY_FOR_PICKUP)
    audit_log.append(uow, actor, "production.returned", [card.card_id, item.batch_id],
                     reason=RETURNED_MAIL)  # fmt: skip
    return CardMoved(card.card_number, ItemState.RETURNED, "suspended")


def _waiting_card(uow: UnitOfWork, card_or_reference: str) -> Card:
    """The waiting card a clerk names by its number or its application's reference."""
    text = card_or_reference.strip()
    if not text:
        raise BadInput("card: a card number or an application reference")
    number = normalize_card_number(text)
    if number.isdigit() and is_valid_card_number(number):
        card = load_card(uow, number, for_update=True)
    else:
        row = uow.conn.execute(
            sa.select(cards)
            .join(applications, applications.c.application_id == cards.c.application_id)
            .join(production_items, production_items.c.card_id == cards.c.card_id)
            .where(
                applications.c.reference == normalise_reference(text),
                production_items.c.state.in_(WAITING_STATES),
            )
        ).first()
        if row is None:
            raise NotWaiting("no card waits at the centre for that number or reference")
        card = card_from_row(row)
    item = item_of_card(uow, card.card_id)
    if item is None or item.state not in WAITING_STATES:
        raise NotWaiting("no card waits at the centre for that number or reference")
    return card


def hand_over(
    uow: UnitOfWork,
    runtime: Runtime,
    actor: Actor,
    card_or_reference: str,
    *,
    date_of_birth: dt.date,
    id_seen: bool,
) -> Pickup:
    """Hand a waiting card over at the desk; it becomes valid on the status list.

    A wrong date of birth is an answer (REFUSED), not an error, so that the refusal is
    logged in the same unit of work the caller commits; the card stays suspended."""
    authorize(runtime.policy, actor, "card.pickup")
    if not id_seen:
        raise BadInput("id_seen: confirm that you saw the person's photo ID")
    card = _waiting_card(uow, card_or_reference)
    item = item_of_card(uow, card.card_id)
    assert item is not None  # _waiting_card checked it
    record, _photo = open_application(uow, runtime, actor, card.application_id, "card_pickup")
    if record.date_of_birth != date_of_birth:
        record_event(uow, item.batch_id, "pickup_refused", actor, card_id=card.card_id)
        audit_log.append(uow, actor, "production.pickup_refused", [card.card_id],
                         reason="identity_mismatch")  # fmt: skip
        return Pickup(PickupOutcome.REFUSED, card.card_number, card.stored_status, REFUSED_MESSAGE)
    if card.stored_status != "suspended" or last_reason(uow, card.card_id) not in WAITING_REASONS:
        # Suspended for another reason since (or revoked): not the desk's to release.
        raise WrongCardStatus("this card is held for another reason; ask a supervisor")
    set_status(uow, card, "active")
    card_event(uow, card.card_id, "reinstated", actor, PICKED_UP)
    set_items(uow, production_items.c.card_id == card.card_id, state="collected")
    record_event(uow, item.batch_id, "collected", actor, card_id=card.card_id)
    audit_log.append(uow, actor, "production.collected", [card.card_id], reason=PICKED_UP)
    return Pickup(PickupOutcome.HANDED_OVER, card.card_number, "active")


def overdue(uow: UnitOfWork, runtime: Runtime, as_of: dt.date) -> list[Any]:
    """Waiting items past the policy's period on `as_of` (oldest first)."""
    days = runtime.policy.production.uncollected_after_days
    cutoff = as_of - dt.timedelta(days=days)
    items = production_items.c
    return list(
        uow.conn.execute(
            sa.select(production_items, cards.c.card_number, cards.c.application_id)
            .join(cards, cards.c.card_id == items.card_id)
            .where(items.state.in_(WAITING_STATES), items.waiting_since < cutoff)
            .order_by(items.waiting_since, items.card_id)
        )
    )


def sweep_uncollected(
    uow: UnitOfWork, runtime: Runtime, actor: Actor, *, as_of: dt.date | None = None
) -> Uncollected:
    """Revoke every card not collected within the policy's period and plan the erasure
    of its application (retention's batches: approvals and holds as for any erasure)."""
    authorize(runtime.policy, actor, "production.uncollected")
    day = as_of or runtime.today()
    revoked: list[str] = []
    batches: list[str] = []
    for item in overdue(uow, runtime, day):
        card = load_card(uow, item.card_number, for_update=True)
        if card.stored_status in LIVE_STATUSES:
            set_status(uow, card, "revoked")
            card_event(uow, card.card_id, "revoked", actor, UNCOLLECTED)
        set_items(uow, production_items.c.card_id == card.card_id, state="uncollected")
        record_event(uow, item.batch_id, "uncollected", actor, card_id=card.card_id)
        audit_log.append(uow, actor, "production.uncollected", [card.card_id, item.batch_id],
                         reason=UNCOLLECTED)  # fmt: skip
        revoked.append(card.card_number)
        try:
            plan = plan_erasure(uow, runtime, actor, card.application_id, reason=UNCOLLECTED)
        except NotFound:
            continue  # the application is gone already
        batches.append(plan.batch_id)
    return Uncollected(as_of=day, revoked=revoked, erasure_batches=batches)
