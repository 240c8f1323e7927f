"""A card's stored record: reading it, its events and status, and the application
behind it. The pieces the issuing, status-change and credential services share.

Audit entries name the card by its opaque `card_id`, never by its number.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from cityid.audit import log as audit_log
from cityid.cards.numbers import is_valid_card_number, normalize_card_number
from cityid.cards.results import CardShown, CardStatus
from cityid.cards.tables import card_events, cards
from cityid.enrollment.repository import (
    ApplicationRecord,
    EnrollmentKeys,
    load_row,
    open_bytes,
    open_record,
)
from cityid.errors import BadInput, NotFound, Refused
from cityid.runtime import Runtime
from cityid.staff.actor import Actor
from cityid.store.uow import UnitOfWork

LIVE_STATUSES = ("active", "suspended")


class CardNotFound(NotFound):
    code = "card_not_found"


class WrongCardStatus(Refused):
    code = "wrong_card_status"


@dataclass(frozen=True)
class Card:
    card_id: str
    card_number: str
    application_id: str
    stored_status: str
    issued_on: dt.date
    expires_on: dt.date
    issued_at: dt.datetime
    status_list: int
    status_index: int
    signing_key_id: str
    previous_card_id: str | None
    retention_cohort: str
    due_on: dt.date

    def status_on(self, today: dt.date) -> CardStatus:
        """ "expired" once past the expiry date, whatever was stored."""
        if self.stored_status in LIVE_STATUSES and today > self.expires_on:
            return CardStatus.EXPIRED
        return CardStatus(self.stored_status)

    def shown(self, today: dt.date) -> CardShown:
        return CardShown(
            card_id=self.card_id,
            card_number=self.card_number,
            application_id=self.application_id,
            status=self.status_on(today),
            issued_on=self.issued_on.isoformat(),
            expires=self.expires_on.isoformat(),
            status_list=self.status_list,
            status_index=self.status_index,
            signing_key_id=self.signing_key_id,
            previous_card_id=self.previous_card_id,
            due_on=self.due_on.isoformat(),
        )


def card_from_row(row: Any) -> Card:
    issued_at = row.issued_at
    if issued_at.tzinfo is None:
        issued_at = issued_at.replace(tzinfo=dt.UTC)
    return Card(
        card_id=row.card_id,
        card_number=row.card_number,
        application_id=row.application_id,
        stored_status=row.status,
        issued_on=row.issued_on,
        expires_on=row.expires_on,
        issued_at=issued_at,
        status_list=row.status_list,
        status_index=row.status_index,
        signing_key_id=row.signing_key_id,
        previous_card_id=row.previous_card_id,
        retention_cohort=row.retention_cohort,
        due_on=row.due_on,
    )


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def load_card(uow: UnitOfWork, card_number: str, *, for_update: bool = False) -> Card:
    number = normalize_card_number(card_number)
    if not is_valid_card_number(number):
        raise BadInput("not a card number (12 digits with a valid check digit)")
    query = sa.select(cards).where(cards.c.card_number == number)
    if for_update and uow.conn.dialect.name == "postgresql":
        query = query.with_for_update()
    row = uow.conn.execute(query).first()
    if row is None:
        raise CardNotFound("no card with that number")
    return card_from_row(row)


def cards_of_application(uow: UnitOfWork, application_id: str) -> list[Card]:
    rows = uow.conn.execute(
        sa.select(cards).where(cards.c.application_id == application_id).order_by(cards.c.issued_at)
    )
    return [card_from_row(r) for r in rows]


def open_application(
    uow: UnitOfWork, runtime: Runtime, actor: Actor, application_id: str, reason: str
) -> tuple[ApplicationRecord, bytes | None]:
    """The decrypted application and its portrait, audited as one "application.read"."""
    row = load_row(uow, application_id)
    with EnrollmentKeys.open(runtime.keystore) as keys:
        record = open_record(uow, keys.sealer, row)
        photo = open_bytes(keys.sealer, row, "photo")
    audit_log.append(uow, actor, "application.read", [application_id], reason=reason)
    return record, photo


def record_event(
    uow: UnitOfWork,
    card_id: str,
    event: str,
    actor: Actor,
    reason_code: str,
    reason_text: str | None = None,
    *,
    fee_cents: int | None = None,
    fee_waived: bool | None = None,
) -> None:
    uow.conn.execute(
        card_events.insert().values(
            card_id=card_id,
            event=event,
            at=now(),
            actor_id=actor.user_id,
            reason_code=reason_code,
            reason_text=reason_text or None,
            fee_cents=fee_cents,
            fee_waived=fee_waived,
        )
    )


def set_status(uow: UnitOfWork, card: Card, status: str) -> None:
    uow.conn.execute(
        cards.update()
        .where(cards.c.card_id == card.card_id)
        .values(status=status, updated_at=now())
    )
