"""What the matching services answer: review items, the register-wide jobs' summaries.

Frozen values; the doors turn them into JSON with `cityid.jsonable.to_json`, whose
output is the contract in docs/interface.md: fields are declared in the order of the
JSON keys, and enum values are the strings the JSON carries.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from cityid.enrollment.results import ApplicationShown
from cityid.matching.signals import FlagKind


class ReviewStatus(StrEnum):
    OPEN = "open"
    DECIDED = "decided"


class ReviewDecision(StrEnum):
    DUPLICATE = "duplicate"
    NOT_DUPLICATE = "not_duplicate"
    FRAUD_REFERRED = "fraud_referred"


@dataclass(frozen=True, slots=True)
class ReviewItem:
    """A queue item: ids, a kind, a score and reason codes; no personal data."""

    item_id: str
    application_id: str
    other_application_id: str | None
    kind: FlagKind
    score: float | None
    reasons: list[str]
    source: str
    status: ReviewStatus
    decision: ReviewDecision | None
    decided_by: str | None
    decided_at: str | None
    created_at: str | None


@dataclass(frozen=True, slots=True)
class Unavailable:
    """An application that cannot be opened: "destroyed" (its keys) or "not_found"."""

    application_id: str
    unavailable: str


@dataclass(frozen=True, slots=True)
class ReviewItemShown(ReviewItem):
    """The item and both applications, decrypted side by side."""

    applications: list[ApplicationShown | Unavailable]


@dataclass(frozen=True, slots=True)
class DedupeSummary:
    enrolled: int
    compared: int
    pairs: int
    opened: int
    already_queued: int
    oversized_blocks: int
    seconds: float
    key_id: str


@dataclass(frozen=True, slots=True)
class ReencodeSummary:
    key_id: str
    applications: int
    encoded: int
    skipped_current: int
    removed: int
