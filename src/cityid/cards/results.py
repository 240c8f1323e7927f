"""What the card services answer: issued and replaced cards, status changes, a card's
record and its history.

Frozen values; the doors turn them into JSON with `cityid.jsonable.to_json`, whose
output is the contract in docs/interface.md: fields are declared in the order of the
JSON keys, and enum values are the strings the JSON carries.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class CardStatus(StrEnum):
    """A card's status. `expired` is never stored: a live card reads as expired once
    past its expiry date."""

    ACTIVE = "active"
    SUSPENDED = "suspended"
    REVOKED = "revoked"
    REPLACED = "replaced"
    EXPIRED = "expired"


@dataclass(frozen=True, slots=True)
class Issued:
    """docs/interface.md's `card issue` shape, plus the card id."""

    card_number: str
    application_id: str
    expires: str
    status_index: int
    status_list: int
    card_id: str


@dataclass(frozen=True, slots=True)
class Replaced(Issued):
    """The new card, the number it replaces, and the fee recorded (or waived)."""

    replaces: str
    fee_cents: int
    fee_waived: bool


@dataclass(frozen=True, slots=True)
class StatusChanged:
    card_number: str
    status: CardStatus
    previous_status: CardStatus


@dataclass(frozen=True, slots=True)
class CardShown:
    """A card's record as staff read it (no personal data beyond its number)."""

    card_id: str
    card_number: str
    application_id: str
    status: CardStatus
    issued_on: str
    expires: str
    status_list: int
    status_index: int
    signing_key_id: str
    previous_card_id: str | None
    due_on: str


@dataclass(frozen=True, slots=True)
class CardEvent:
    """One entry of a card's history; reasons included (staff only)."""

    event: str
    at: str
    actor_id: str
    reason_code: str
    reason: str | None
    fee_cents: int | None
    fee_waived: bool | None
