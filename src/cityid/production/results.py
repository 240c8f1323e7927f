"""What production's services answer: frozen dataclasses and enums, no personal data."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum


class BatchStatus(StrEnum):
    CUT = "cut"
    EXPORTED = "exported"
    PRINTED = "printed"
    MAILED = "mailed"
    DELIVERED = "delivered"


class ItemState(StrEnum):
    IN_BATCH = "in_batch"
    PRINTED = "printed"
    MAILED = "mailed"
    DELIVERED = "delivered"
    RETURNED = "returned"
    AT_CENTRE = "at_centre"
    COLLECTED = "collected"
    UNCOLLECTED = "uncollected"


class PickupOutcome(StrEnum):
    HANDED_OVER = "handed_over"
    REFUSED = "refused"


@dataclass(frozen=True)
class Queue:
    """Cards issued and not yet in a print batch."""

    waiting: int
    by_mail: int
    for_pickup: int


@dataclass(frozen=True)
class BatchItem:
    card_number: str
    delivery: str
    state: ItemState
    waiting_since: dt.date | None


@dataclass(frozen=True)
class Batch:
    batch_id: str
    status: BatchStatus
    cards: int
    cut_at: str
    exports: int
    exported_at: str | None
    printed_on: dt.date | None
    mailed_on: dt.date | None
    delivered_on: dt.date | None
    counts: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class BatchShown:
    batch: Batch
    items: list[BatchItem]


@dataclass(frozen=True)
class Exported:
    """An export: the signed manifest, its detached JWS and the PDF sheets (the door
    writes them out; nothing of them is kept but their digests)."""

    batch_id: str
    cards: int
    export_number: int
    manifest: bytes = field(repr=False)
    signature: str = field(repr=False)
    sheets: bytes = field(repr=False)
    manifest_sha256: str = ""
    sheets_sha256: str = ""
    key_id: str = ""


@dataclass(frozen=True)
class Moved:
    """A batch moved on (printed, mailed, delivered)."""

    batch_id: str
    status: BatchStatus
    counts: dict[str, int]


@dataclass(frozen=True)
class CardMoved:
    """One card's move (returned by the post, handed over, refused)."""

    card_number: str
    state: ItemState
    card_status: str


@dataclass(frozen=True)
class Pickup:
    outcome: PickupOutcome
    card_number: str
    card_status: str
    reason: str | None = None


@dataclass(frozen=True)
class Uncollected:
    """A sweep: each card revoked, and the erasure batch planned for its application."""

    as_of: dt.date
    revoked: list[str]
    erasure_batches: list[str]
