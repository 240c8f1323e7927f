"""Disclosure requests: reading and lists, and what filing and deciding share.

Filing (the engine proposes) is in `filing`, counsel's decision in `decisions`.

Every function takes the caller's unit of work, appends its audit entry there and
leaves the commit to the caller. Audit entries carry ids and codes only: the requester's
name, the documents they attached and counsel's written reason are sealed in the
request's own row, under the request's data key (record class `disclosure_request`).
"""

from __future__ import annotations

import datetime as dt
import json
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from cityid.audit import log as audit_log
from cityid.crypto import RecordSealer, SealedKey
from cityid.disclosure.results import (
    AttachedDocument,
    NoticeCounts,
    RequestShown,
    RequestStatus,
    RequestSummary,
)
from cityid.disclosure.rules import Decision
from cityid.disclosure.tables import disclosure_documents, disclosure_notices, disclosure_requests
from cityid.errors import NotFound
from cityid.runtime import Runtime
from cityid.staff.actor import Actor
from cityid.staff.permissions import authorize
from cityid.store.uow import UnitOfWork

RECORD_CLASS = "disclosure_request"
MAX_DOCUMENT_BYTES = 20 * 1024 * 1024
MAX_REASON_CHARS = 4000
GRANTING = ("granted", "partially_granted")
# The audit log takes a reference only in the shape of an id, never date-shaped.
_AUDIT_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:/#-]{0,127}")
_DATE_LIKE = re.compile(
    r"\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}|\d{4}/\d{1,2}/\d{1,2}"
)
_AUDIT_CHUNK = 1000


@dataclass(frozen=True)
class Attachment:
    """A document the requester sent (the subpoena, the warrant, a consent form)."""

    name: str
    media_type: str
    content: bytes


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def new_request_id() -> str:
    return f"req-{secrets.token_hex(8)}"


def sealed_key(row: Any) -> SealedKey:
    return SealedKey(row.cohort_key_id, bytes(row.wrapped_key))


def docket_ref(docket: str | None) -> str | None:
    """A docket number goes into the audit entry only if it has the shape of an id."""
    if docket and _AUDIT_ID.fullmatch(docket) and not _DATE_LIKE.fullmatch(docket):
        return docket
    return None


# --- reading ------------------------------------------------------------------------------


def load_request(uow: UnitOfWork, request_id: str, *, for_update: bool = False) -> Any:
    """The request's row (locked on PostgreSQL when `for_update`); NotFound if none."""
    query = sa.select(disclosure_requests).where(disclosure_requests.c.request_id == request_id)
    if for_update and uow.conn.dialect.name == "postgresql":
        query = query.with_for_update()
    row = uow.conn.execute(query).first()
    if row is None:
        raise NotFound(f"no disclosure request {request_id}")
    return row


def _summary_fields(row: Any) -> dict[str, Any]:
    return {
        "request_id": row.request_id,
        "received_on": row.received_on.isoformat(),
        "respond_by": row.respond_by.isoformat(),
        "requester_kind": row.requester_kind,
        "instrument": row.instrument,
        "scope_kind": row.scope_kind,
        "status": RequestStatus(row.status),
        "proposed_decision": Decision(row.proposed_decision),
        "decision": None if row.decision is None else Decision(row.decision),
        "rule": row.rule,
        "overridden": bool(row.overridden),
        "court_forbids_notice": bool(row.court_forbids_notice),
    }


def summary(row: Any) -> RequestSummary:
    """What lists show: codes, dates and counts; nothing sealed is opened."""
    return RequestSummary(**_summary_fields(row))


def list_requests(
    uow: UnitOfWork, runtime: Runtime, actor: Actor, *, status: str | None = None
) -> list[RequestSummary]:
    authorize(runtime.policy, actor, "disclosure.read")
    query = sa.select(disclosure_requests).order_by(
        disclosure_requests.c.respond_by, disclosure_requests.c.filed_at
    )
    if status:
        query = query.where(disclosure_requests.c.status == status)
    return [summary(row) for row in uow.conn.execute(query)]


def show(uow: UnitOfWork, runtime: Runtime, actor: Actor, request_id: str) -> RequestShown:
    """The whole request for counsel, the requester's name and counsel's reason opened."""
    authorize(runtime.policy, actor, "disclosure.read")
    row = load_request(uow, request_id)
    rule = next((r for r in runtime.policy.disclosure.rules if r.id == row.rule), None)
    documents = uow.conn.execute(
        sa.select(disclosure_documents)
        .where(disclosure_documents.c.request_id == request_id)
        .order_by(disclosure_documents.c.added_at, disclosure_documents.c.document_id)
    ).all()
    notice_rows = uow.conn.execute(
        sa.select(disclosure_notices.c.notice_id, disclosure_notices.c.status).where(
            disclosure_notices.c.request_id == request_id
        )
    ).all()
    with RecordSealer(runtime.keystore) as sealer:
        key = sealed_key(row)
        requester = _open(sealer, key, request_id, "requester", row.s_requester)
        reason = _open(sealer, key, request_id, "decision_reason", row.s_decision_reason)
        docs = [
            AttachedDocument(
                d.document_id,
                _open(sealer, key, request_id, f"document:{d.document_id}:name", d.s_name),
                d.media_type,
                d.size,
            )
            for d in documents
        ]
    audit_log.append(uow, actor, "disclosure.read", [request_id], reason="counsel_view")
    return RequestShown(
        **_summary_fields(row),
        requester=requester,
        docket=row.docket,
        scope=json.loads(row.scope),
        identity_checked=bool(row.identity_checked),
        in_scope=row.in_scope,
        held=row.held,
        rule_description=rule.description if rule else "No rule allows this request.",
        counsel_review=bool(rule and rule.decision == "counsel_review"),
        proposed_fields=json.loads(row.proposed_fields),
        granted_fields=json.loads(row.granted_fields),
        decision_reason=reason,
        decided_by=row.decided_by,
        decided_at=None if row.decided_at is None else _utc(row.decided_at).isoformat(),
        documents=docs,
        notices=NoticeCounts(
            pending=sum(1 for n in notice_rows if n.status == "pending"),
            sent=sum(1 for n in notice_rows if n.status == "sent"),
        ),
    )


def attachment(
    uow: UnitOfWork, runtime: Runtime, actor: Actor, request_id: str, document_id: str
) -> Attachment:
    """One attached document, opened for counsel (audited)."""
    authorize(runtime.policy, actor, "disclosure.read")
    row = load_request(uow, request_id)
    doc = uow.conn.execute(
        sa.select(disclosure_documents).where(
            disclosure_documents.c.document_id == document_id,
            disclosure_documents.c.request_id == request_id,
        )
    ).first()
    if doc is None:
        raise NotFound(f"no document {document_id} on request {request_id}")
    with RecordSealer(runtime.keystore) as sealer:
        key = sealed_key(row)
        name = sealer.open_field(key, request_id, f"document:{document_id}:name", doc.s_name)
        content = sealer.open_field(
            key, request_id, f"document:{document_id}:content", doc.s_content
        )
    audit_log.append(
        uow, actor, "disclosure.document.read", [request_id, document_id], reason="counsel_view"
    )
    return Attachment(name=name.decode(), media_type=doc.media_type, content=content)


def _open(
    sealer: RecordSealer, key: SealedKey, request_id: str, name: str, blob: bytes | None
) -> str | None:
    if blob is None:
        return None
    return sealer.open_field(key, request_id, name, bytes(blob)).decode()


def _utc(moment: dt.datetime) -> dt.datetime:
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment


def audit_chunks(ids: Sequence[str]) -> list[list[str]]:
    return [list(ids[i : i + _AUDIT_CHUNK]) for i in range(0, len(ids), _AUDIT_CHUNK)]
