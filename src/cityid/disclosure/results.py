"""What the disclosure services answer: filings, decisions, requests, notices.

Frozen values; the doors turn them into JSON with `cityid.jsonable.to_json`, whose
output is the contract in docs/interface.md: fields are declared in the order of the
JSON keys, and enum values are the strings the JSON carries.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from cityid.disclosure.rules import Decision
from cityid.jsonable import OMIT_NONE


class RequestStatus(StrEnum):
    OPEN = "open"  # filed, the engine's proposal waiting for counsel
    DECIDED = "decided"  # counsel confirmed or overrode the proposal


class NoticeStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"


@dataclass(frozen=True, slots=True)
class Filed:
    """A filed request and the engine's proposal; counsel decides later."""

    request_id: str
    decision: Decision
    rule: str
    status: RequestStatus
    counsel_review: bool
    description: str
    notes: list[str]
    fields: list[str]
    respond_by: str


@dataclass(frozen=True, slots=True)
class Decided:
    """Counsel's decision; `notices` is how many applicant notices it made."""

    request_id: str
    decision: Decision
    rule: str
    overridden: bool
    fields: list[str]
    notices: int


@dataclass(frozen=True, slots=True)
class RequestSummary:
    """What lists show: codes, dates and counts; nothing sealed is opened."""

    request_id: str
    received_on: str
    respond_by: str
    requester_kind: str
    instrument: str
    scope_kind: str
    status: RequestStatus
    proposed_decision: Decision
    decision: Decision | None
    rule: str
    overridden: bool
    court_forbids_notice: bool


@dataclass(frozen=True, slots=True)
class AttachedDocument:
    document_id: str
    name: str | None
    media_type: str
    size: int


@dataclass(frozen=True, slots=True)
class NoticeCounts:
    pending: int
    sent: int


@dataclass(frozen=True, slots=True)
class RequestShown(RequestSummary):
    """The whole request for counsel: the summary, then what only counsel reads."""

    requester: str | None
    docket: str | None
    scope: dict[str, Any]
    identity_checked: bool
    in_scope: int | None
    held: int | None
    rule_description: str
    counsel_review: bool
    proposed_fields: list[str]
    granted_fields: list[str]
    decision_reason: str | None
    decided_by: str | None
    decided_at: str | None
    documents: list[AttachedDocument]
    notices: NoticeCounts


@dataclass(frozen=True, slots=True)
class Notice:
    """An applicant notice; `text` only when asked for (opened, and audited)."""

    notice_id: str
    application_id: str
    status: NoticeStatus
    sent_at: str | None
    text: str | None = field(default=None, metadata=OMIT_NONE)


@dataclass(frozen=True, slots=True)
class NoticeSent:
    notice_id: str
    status: NoticeStatus
