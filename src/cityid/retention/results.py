"""What the retention services answer: holds, disposition batches, backups.

Frozen values; the doors turn them into JSON with `cityid.jsonable.to_json`, whose
output is the contract in docs/interface.md: fields are declared in the order of the
JSON keys, and enum values are the strings the JSON carries.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any


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
