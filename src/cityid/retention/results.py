"""What the retention services answer: holds, disposition batches, backups.

Frozen values; the doors turn them into JSON with `cityid.jsonable.to_json`, whose
output is the contract in docs/interface.md: fields are declared in the order of the
JSON keys, and enum values are the strings the JSON carries.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from cityid.jsonable import OMIT_NONE


class HoldStatus(StrEnum):
    ACTIVE = "active"
    RELEASED = "released"


class BatchStatus(StrEnum):
    """A disposition batch's life: planned, approved (two approvals), executing (chunks),
    keys (cohort keys being destroyed), completed (certified)."""

    PLANNED = "planned"
    APPROVED = "approved"
    EXECUTING = "executing"
    KEYS = "keys"
    COMPLETED = "completed"


class BatchKind(StrEnum):
    SCHEDULE = "schedule"  # what the retention schedule makes due
    ERASURE = "erasure"  # one application, early


@dataclass(frozen=True, slots=True)
class HoldReleased:
    hold_id: str
    status: HoldStatus


@dataclass(frozen=True, slots=True)
class Hold:
    """One hold as listed: its order, its scope, and its release if it has one."""

    hold_id: str
    status: HoldStatus
    authority: str
    docket: str
    order_date: str | None
    reason: str
    scope: dict[str, Any]
    placed_by: str
    placed_at: str
    released_at: str | None
    released_by: str | None
    release_reason: str | None


@dataclass(frozen=True, slots=True)
class Plan:
    """A planned batch: `due` will be destroyed, `blocked` is held (counts per hold)."""

    batch_id: str
    due: int
    blocked: int
    blocked_by: dict[str, int]
    total: int
    as_of: str
    status: BatchStatus


@dataclass(frozen=True, slots=True)
class Approved:
    """One approval given; `status` is approved once both approvers have signed."""

    batch_id: str
    status: BatchStatus
    approvals: list[str]


@dataclass(frozen=True, slots=True)
class Approval:
    actor_id: str
    role: str
    at: str | None


@dataclass(frozen=True, slots=True)
class BatchSummary:
    """A batch's state and counts (what `retention show` and `execute` answer)."""

    batch_id: str
    status: BatchStatus
    kind: BatchKind
    rule: str
    as_of: str
    due: int
    blocked: int
    blocked_by: dict[str, int]
    approvals: list[Approval]
    destroyed: int
    skipped_held: int
    absent: int
    counts_by_class: dict[str, int]
    cohort_keys_destroyed: list[str]
    planned_at: str | None
    completed_at: str | None


@dataclass(frozen=True, slots=True)
class BatchListed:
    """A batch in the listing: its counts and who approved it."""

    batch_id: str
    kind: BatchKind
    rule: str
    status: BatchStatus
    as_of: str
    due: int
    blocked: int
    blocked_by: dict[str, int]
    destroyed: int
    skipped_held: int
    approvals: list[str]
    planned_at: str | None


@dataclass(frozen=True, slots=True)
class BackupWritten:
    file: str
    bytes: int
    tables: int


@dataclass(frozen=True, slots=True)
class Restored:
    file: str
    rows: int


class ReceiptFormat(StrEnum):
    """A destruction receipt's `format` (retention/receipts.py explains the two)."""

    ENTRY_PER_APPLICATION = "cityid-destruction-receipt/1"
    LEAF_IN_CHUNK = "cityid-destruction-receipt/2"


@dataclass(frozen=True, slots=True, kw_only=True)
class DestructionReceipt:
    """One destruction receipt as issued, to hand to the cardholder (as its JSON).

    Format /2 has the leaf fields (the application's leaf in its chunk's tree); format
    /1 has none, and its JSON leaves them out.
    """

    format: ReceiptFormat
    application_id: str
    batch_id: str
    leaf: str | None = field(default=None, metadata=OMIT_NONE)
    leaf_index: int | None = field(default=None, metadata=OMIT_NONE)
    applications: int | None = field(default=None, metadata=OMIT_NONE)
    leaf_proof: tuple[str, ...] | None = field(default=None, metadata=OMIT_NONE)
    entry_index: int
    entry: str  # the audit entry's exact bytes, base64
    tree_size: int
    proof: tuple[str, ...]
    checkpoint: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ReceiptCheck:
    """What checking receipts found. `ok` and `problem` (None when ok) are always there;
    the rest as far as the check got: the receipt's own fields once it parsed, the log's
    size once the checkpoint verified, what was destroyed (and when) once it all did,
    and `receipts` when several receipts were checked together."""

    ok: bool
    problem: str | None = None
    application_id: str | None = field(default=None, metadata=OMIT_NONE)
    batch_id: str | None = field(default=None, metadata=OMIT_NONE)
    entry_index: int | None = field(default=None, metadata=OMIT_NONE)
    tree_size: int | None = field(default=None, metadata=OMIT_NONE)
    destroyed: dict[str, int] | None = field(default=None, metadata=OMIT_NONE)
    destroyed_at: str | None = field(default=None, metadata=OMIT_NONE)  # ISO 8601
    receipts: int | None = field(default=None, metadata=OMIT_NONE)
