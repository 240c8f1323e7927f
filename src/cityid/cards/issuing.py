"""Issuing cards: a new card for an approved application, a renewal, a replacement.

Every function takes the caller's unit of work and appends its audit entries there;
the caller commits. A new card takes a fresh number and status-list slot; the earlier
card, if still live, stops working in the same unit of work.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from cityid.audit import log as audit_log
from cityid.cards import issuance, status_service
from cityid.cards.numbers import new_card_number
from cityid.cards.records import (
    LIVE_STATUSES,
    Card,
    WrongCardStatus,
    card_from_row,
    cards_of_application,
    load_card,
    now,
    open_application,
    record_event,
    set_status,
)
from cityid.cards.results import Issued, Replaced
from cityid.cards.status_service import ISSUER_PURPOSE
from cityid.cards.tables import cards
from cityid.enrollment import cohorts
from cityid.enrollment import transitions as enrollment_transitions
from cityid.enrollment.lifecycle import WrongStatus, renewal_window
from cityid.enrollment.repository import ApplicationRecord, load_row
from cityid.errors import BadInput, Refused
from cityid.runtime import Runtime
from cityid.staff.actor import Actor
from cityid.staff.permissions import authorize
from cityid.store.uow import UnitOfWork

REPLACEMENT_REASONS = ("lost", "stolen", "damaged")
# The reason code of a card kept suspended until it is collected at the centre.
AWAITING_PICKUP = "awaiting_pickup"
_NUMBER_ATTEMPTS = 8


def _insert_card(
    uow: UnitOfWork,
    runtime: Runtime,
    actor: Actor,
    application_id: str,
    *,
    issued_on: dt.date,
    expires_on: dt.date,
    previous_card_id: str | None,
) -> Card:
    policy = runtime.policy
    slot = status_service.allocate(uow, policy.card.status_list_size)
    due_on = cohorts.due_after_card(policy, "card", expires_on)
    stamp = now()
    values: dict[str, Any] = {
        "card_id": f"card-{secrets.token_hex(10)}",
        "application_id": application_id,
        "status": "active",
        "issued_on": issued_on,
        "expires_on": expires_on,
        "issued_at": stamp,
        "updated_at": stamp,
        "status_list": slot.list_number,
        "status_index": slot.index,
        "signing_key_id": runtime.keystore.signer(ISSUER_PURPOSE).key_id,
        "previous_card_id": previous_card_id,
        "retention_cohort": cohorts.period_of(due_on, policy.schedule_for("card")),
        "due_on": due_on,
    }
    for _attempt in range(_NUMBER_ATTEMPTS):
        values["card_number"] = new_card_number()
        try:
            with uow.conn.begin_nested():
                uow.conn.execute(cards.insert().values(**values))
            break
        except IntegrityError:
            continue  # that number is taken: draw again
    else:  # pragma: no cover - 10^10 numbers; eight collisions in a row is a broken RNG
        raise Refused("could not draw a free card number")
    record_event(uow, values["card_id"], "issued", actor, "card_issued")
    row = uow.conn.execute(sa.select(cards).where(cards.c.card_id == values["card_id"])).one()
    return card_from_row(row)


def _live_card_of(uow: UnitOfWork, application_id: str | None) -> Card | None:
    if application_id is None:
        return None
    live = [
        c for c in cards_of_application(uow, application_id) if c.stored_status in LIVE_STATUSES
    ]
    return live[-1] if live else None


def issue(
    uow: UnitOfWork,
    runtime: Runtime,
    actor: Actor,
    application_id: str,
    *,
    today: dt.date | None = None,
) -> Issued:
    """Issue the card of an approved application (new, renewal, replacement or update).

    A renewal's card runs for a fresh term by the age rule; an update or replacement
    keeps the earlier card's expiry. The earlier card, if still live, stops working:
    "replaced" (renewal, update) or "revoked" (replacement: it may be in a thief's hands).
    """
    authorize(runtime.policy, actor, "card.issue")
    today = today or runtime.today()
    row = load_row(uow, application_id, for_update=True)
    if row.status != "approved":
        raise WrongStatus(f"an application that is {row.status} cannot be issued a card")
    record, _photo = open_application(uow, runtime, actor, application_id, "card_issue")
    previous = _live_card_of(uow, row.previous_application_id)
    if row.app_type == "renewal" and previous is not None:
        opens, closes = renewal_window(runtime.policy, previous.expires_on)
        if not opens <= today <= closes:
            raise Refused("the card is outside its renewal window")
    if row.app_type in ("update", "replacement") and previous is not None:
        expires_on = previous.expires_on
    else:
        expires_on = issuance.expiry_for(runtime.policy, record.date_of_birth, today)
    card = _insert_card(
        uow, runtime, actor, application_id, issued_on=today, expires_on=expires_on,
        previous_card_id=previous.card_id if previous else None,
    )  # fmt: skip
    _wait_at_the_centre_if_chosen(uow, actor, card, record)
    if previous is not None:
        ending = "revoked" if row.app_type == "replacement" else "replaced"
        set_status(uow, previous, ending)
        record_event(uow, previous.card_id, ending, actor, f"superseded:{row.app_type}")
    # Enrollment moves the application to "issued" and starts its retention clock.
    enrollment_transitions.mark_issued(uow, runtime, actor, application_id, expires_on)
    audit_log.append(
        uow,
        actor,
        "card.issue",
        [card.card_id, application_id, *([previous.card_id] if previous else [])],
        reason=f"card_issue:{row.app_type}",
        extra={"status_list": card.status_list, "status_index": card.status_index},
    )
    return _issued(card)


def _wait_at_the_centre_if_chosen(
    uow: UnitOfWork, actor: Actor, card: Card, record: ApplicationRecord
) -> None:
    """No safe address (pickup chosen at intake): the card, new or a replacement, waits
    at the centre, suspended, until handed over after an identity check."""
    if record.pickup_at_centre:
        set_status(uow, card, "suspended")
        record_event(uow, card.card_id, "suspended", actor, AWAITING_PICKUP)


def _issued(card: Card) -> Issued:
    """INTERFACE.md's `card issue` shape, plus the ids a caller may want."""
    return Issued(
        card.card_number,
        card.application_id,
        card.expires_on.isoformat(),
        card.status_index,
        card.status_list,
        card.card_id,
    )


def replace(
    uow: UnitOfWork,
    runtime: Runtime,
    actor: Actor,
    card_number: str,
    *,
    reason: str,
    note: str | None = None,
    fee_waived: bool = False,
) -> Replaced:
    """A lost, stolen or damaged card: a new card (new number, same data and expiry);
    the old one is revoked. The policy's fee is recorded, or waived for hardship."""
    authorize(runtime.policy, actor, "card.manage")
    if reason not in REPLACEMENT_REASONS:
        raise BadInput(f"reason: one of {', '.join(REPLACEMENT_REASONS)}")
    rules = runtime.policy.card
    if fee_waived and not rules.replacement_fee_waivable_for_hardship:
        raise Refused("the policy does not allow waiving the replacement fee")
    old = load_card(uow, card_number, for_update=True)
    today = runtime.today()
    if old.status_on(today) not in LIVE_STATUSES:
        raise WrongCardStatus(
            f"a {old.status_on(today)} card cannot be replaced; renew or apply instead"
        )
    new = _insert_card(
        uow, runtime, actor, old.application_id, issued_on=today, expires_on=old.expires_on,
        previous_card_id=old.card_id,
    )  # fmt: skip
    record, _photo = open_application(uow, runtime, actor, old.application_id, "card_issue")
    _wait_at_the_centre_if_chosen(uow, actor, new, record)
    set_status(uow, old, "revoked")
    record_event(uow, old.card_id, "revoked", actor, f"replacement:{reason}", note)
    fee = 0 if fee_waived else rules.replacement_fee_cents
    record_event(
        uow, new.card_id, "fee", actor, "replacement_fee", fee_cents=fee, fee_waived=fee_waived
    )
    audit_log.append(
        uow, actor, "card.replace", [new.card_id, old.card_id, old.application_id],
        reason=f"replacement:{reason}", extra={"fee_cents": fee, "fee_waived": int(fee_waived)},
    )  # fmt: skip
    issued = _issued(new)
    return Replaced(
        issued.card_number, issued.application_id, issued.expires, issued.status_index,
        issued.status_list, issued.card_id, replaces=old.card_number, fee_cents=fee,
        fee_waived=fee_waived,
    )  # fmt: skip


def renew(
    uow: UnitOfWork, runtime: Runtime, actor: Actor, card_number: str, application_id: str
) -> Issued:
    """Renew a card from its approved renewal application (inside the renewal window)."""
    authorize(runtime.policy, actor, "card.issue")
    card = load_card(uow, card_number)
    row = load_row(uow, application_id)
    if row.app_type != "renewal" or row.previous_application_id != card.application_id:
        raise Refused("that application is not a renewal of this card's application")
    opens, closes = renewal_window(runtime.policy, card.expires_on)
    today = runtime.today()
    if today < opens:
        raise Refused(f"renewal opens on {opens.isoformat()}")
    if today > closes:
        raise Refused("renewal closed; this needs a new application")
    return issue(uow, runtime, actor, application_id, today=today)
