"""Disclosure requests: filing (the engine proposes), counsel's decision, reading, lists.

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
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from cityid.audit import log as audit_log
from cityid.crypto import RecordSealer, SealedKey
from cityid.disclosure import notices
from cityid.disclosure.holdings import holdings
from cityid.disclosure.results import (
    AttachedDocument,
    Decided,
    Filed,
    NoticeCounts,
    RequestShown,
    RequestStatus,
    RequestSummary,
)
from cityid.disclosure.rules import (
    DECISIONS,
    Decision,
    RequestFacts,
    check_fields,
    first_matching_rule,
    propose,
)
from cityid.disclosure.scope import Scope, parse_scope
from cityid.disclosure.tables import disclosure_documents, disclosure_notices, disclosure_requests
from cityid.enrollment.cohorts import add_years
from cityid.errors import BadInput, NotFound, Refused
from cityid.runtime import Runtime
from cityid.staff.actor import Actor
from cityid.staff.permissions import authorize
from cityid.store.uow import UnitOfWork
from cityid.vocabulary import INSTRUMENTS, REQUESTER_KINDS

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


# --- filing -------------------------------------------------------------------------------


def file_request(
    uow: UnitOfWork,
    runtime: Runtime,
    actor: Actor,
    *,
    requester_kind: str,
    instrument: str,
    scope: str | Mapping[str, Any],
    requester: str | None = None,
    identity_checked: bool = False,
    court_forbids_notice: bool = False,
    docket: str | None = None,
    received_on: dt.date | None = None,
    attachments: Sequence[Attachment] = (),
) -> Filed:
    """Record a request and the engine's proposal; counsel decides later."""
    authorize(runtime.policy, actor, "disclosure.file")
    if requester_kind not in REQUESTER_KINDS:
        raise BadInput(f"requester kind must be one of {', '.join(REQUESTER_KINDS)}")
    if instrument not in INSTRUMENTS:
        raise BadInput(f"instrument must be one of {', '.join(INSTRUMENTS)}")
    if docket is not None and len(docket) > 64:
        raise BadInput("the docket number is at most 64 characters")
    parsed = parse_scope(scope)
    received = received_on or runtime.today()
    facts = _facts(uow, runtime, parsed, requester_kind, instrument, identity_checked)
    proposal = propose(runtime.policy, facts)

    request_id = new_request_id()
    stamp = now()
    with RecordSealer(runtime.keystore) as sealer:
        key = sealer.new_record_key(RECORD_CLASS, f"{received.year:04d}", request_id)
        sealed_requester = (
            sealer.seal_field(key, request_id, "requester", requester.encode())
            if requester
            else None
        )
        uow.conn.execute(
            disclosure_requests.insert().values(
                request_id=request_id,
                received_on=received,
                respond_by=received + dt.timedelta(days=runtime.policy.disclosure.response_days),
                requester_kind=requester_kind,
                instrument=instrument,
                scope_kind=parsed.kind,
                scope=json.dumps(parsed.to_json(), sort_keys=True),
                identity_checked=identity_checked,
                court_forbids_notice=court_forbids_notice,
                docket=docket,
                cohort_key_id=key.cohort_key_id,
                wrapped_key=key.wrapped,
                s_requester=sealed_requester,
                in_scope=facts.in_scope,
                held=facts.held,
                proposed_decision=proposal.decision,
                rule=proposal.rule,
                proposed_fields=json.dumps(list(proposal.fields)),
                status="open",
                filed_by=actor.user_id,
                filed_at=stamp,
            )
        )
        for attachment in attachments:
            _attach(uow, sealer, key, request_id, attachment, stamp)
    audit_log.append(
        uow,
        actor,
        "disclosure.file",
        [request_id, *parsed.application_ids],
        reason=instrument,
        reason_ref=docket_ref(docket),
        extra={
            "requester_kind": requester_kind,
            "scope_kind": parsed.kind,
            "proposed": proposal.decision,
            "rule": proposal.rule,
            "attachments": len(attachments),
        },
    )
    return Filed(
        request_id=request_id,
        decision=proposal.decision,
        rule=proposal.rule,
        status=RequestStatus.OPEN,
        counsel_review=proposal.counsel_review,
        description=proposal.description,
        notes=list(proposal.notes),
        fields=list(proposal.fields),
        respond_by=(
            received + dt.timedelta(days=runtime.policy.disclosure.response_days)
        ).isoformat(),
    )


def _facts(
    uow: UnitOfWork,
    runtime: Runtime,
    scope: Scope,
    requester_kind: str,
    instrument: str,
    identity_checked: bool,
) -> RequestFacts:
    facts = RequestFacts(
        requester_kind=requester_kind,
        instrument=instrument,
        scope_kind=scope.kind,
        fields=scope.fields,
        identity_checked=identity_checked,
    )
    rule = first_matching_rule(runtime.policy.disclosure.rules, facts)
    if rule is None or rule.decision == "deny" or scope.kind == "aggregate":
        # A refusal never looks: "nothing held on X" would itself tell who applied.
        return facts
    held = holdings(uow, runtime.keystore, scope)
    return RequestFacts(
        requester_kind=requester_kind,
        instrument=instrument,
        scope_kind=scope.kind,
        fields=scope.fields,
        identity_checked=identity_checked,
        in_scope=held.in_scope,
        held=held.held_count,
    )


def _attach(
    uow: UnitOfWork,
    sealer: RecordSealer,
    key: SealedKey,
    request_id: str,
    attachment: Attachment,
    stamp: dt.datetime,
) -> str:
    if len(attachment.content) > MAX_DOCUMENT_BYTES:
        raise BadInput(f"an attached document is at most {MAX_DOCUMENT_BYTES} bytes")
    document_id = f"doc-{secrets.token_hex(8)}"
    uow.conn.execute(
        disclosure_documents.insert().values(
            document_id=document_id,
            request_id=request_id,
            media_type=attachment.media_type[:100] or "application/octet-stream",
            size=len(attachment.content),
            s_name=sealer.seal_field(
                key, request_id, f"document:{document_id}:name", attachment.name.encode()
            ),
            s_content=sealer.seal_field(
                key, request_id, f"document:{document_id}:content", attachment.content
            ),
            added_at=stamp,
        )
    )
    return document_id


# --- counsel's decision -------------------------------------------------------------------


def decide(
    uow: UnitOfWork,
    runtime: Runtime,
    actor: Actor,
    request_id: str,
    *,
    override: str | None = None,
    reason: str | None = None,
    fields: Sequence[str] | None = None,
    today: dt.date | None = None,
) -> Decided:
    """Counsel confirms the proposal, or overrides it with a written reason.

    An override may grant named fields only (`fields`): for judicial process, the fields
    the instrument names, or fewer.
    """
    authorize(runtime.policy, actor, "disclosure.decide")
    row = _load(uow, request_id, for_update=True)
    if row.status != "open":
        raise Refused(f"request {request_id} was already decided ({row.decision})")
    reason = (reason or "").strip() or None
    if reason is not None and len(reason) > MAX_REASON_CHARS:
        raise BadInput(f"the reason is at most {MAX_REASON_CHARS} characters")
    scope = parse_scope(row.scope)
    proposed_fields: list[str] = json.loads(row.proposed_fields)
    decision, granted = _decision(row, scope, override, reason, fields, proposed_fields)
    in_scope, held = row.in_scope, row.held
    if decision in GRANTING and scope.kind == "personal":
        found = holdings(uow, runtime.keystore, scope)
        in_scope, held = found.in_scope, found.held_count
        if held == 0:
            raise Refused("nothing in the request's scope is held: the answer is no_records")
    overridden = decision != row.proposed_decision or (
        decision in GRANTING and sorted(granted) != sorted(proposed_fields)
    )
    if overridden and reason is None:
        raise BadInput("an override needs a written reason (--reason)")
    stamp = now()
    decided_on = today or runtime.today()
    schedule = runtime.policy.schedule_for(RECORD_CLASS)
    due_on = add_years(decided_on, schedule.keep_years) if schedule is not None else None
    with RecordSealer(runtime.keystore) as sealer:
        sealed_reason = (
            sealer.seal_field(sealed_key(row), request_id, "decision_reason", reason.encode())
            if reason
            else None
        )
        uow.conn.execute(
            disclosure_requests.update()
            .where(disclosure_requests.c.request_id == request_id)
            .values(
                status="decided",
                decision=decision,
                granted_fields=json.dumps(granted),
                overridden=overridden,
                s_decision_reason=sealed_reason,
                decided_by=actor.user_id,
                decided_at=stamp,
                in_scope=in_scope,
                held=held,
                due_on=due_on,
            )
        )
        audit_log.append(
            uow,
            actor,
            "disclosure.decide",
            [request_id],
            reason="counsel_override" if overridden else "counsel_confirmed",
            reason_ref=row.rule,
            extra={"decision": decision, "proposed": row.proposed_decision, "fields": granted},
        )
        created = 0
        if decision in GRANTING and scope.kind == "personal" and _notify(runtime, row):
            created = notices.create_for_request(
                uow, runtime, actor, sealer, row, scope, granted, decided_on
            )
    return Decided(request_id, decision, row.rule, overridden, granted, created)


def _decision(
    row: Any,
    scope: Scope,
    override: str | None,
    reason: str | None,
    fields: Sequence[str] | None,
    proposed_fields: list[str],
) -> tuple[Decision, list[str]]:
    if override is None:
        if fields:
            raise BadInput("--fields goes with --override (a grant of named fields)")
        return Decision(row.proposed_decision), proposed_fields
    if override not in DECISIONS:
        raise BadInput(f"the decision must be one of {', '.join(DECISIONS)}")
    if reason is None:
        raise BadInput("an override needs a written reason (--reason)")
    if override not in GRANTING or scope.kind == "aggregate":
        if fields:
            raise BadInput("fields are granted only with granted or partially_granted")
        return Decision(override), []
    chosen = list(dict.fromkeys(fields or []))
    if not chosen:
        raise BadInput("a grant names the fields it releases (--fields a,b)")
    unknown = check_fields(chosen)
    if unknown:
        raise BadInput(f"unknown fields: {', '.join(unknown)}")
    if scope.fields:
        beyond = [f for f in chosen if f not in scope.fields]
        if beyond:
            raise BadInput(f"the request did not name these fields: {', '.join(beyond)}")
    return Decision(override), chosen


def _notify(runtime: Runtime, row: Any) -> bool:
    if row.court_forbids_notice:
        return False
    rule = next((r for r in runtime.policy.disclosure.rules if r.id == row.rule), None)
    return True if rule is None else rule.notify_applicant


# --- reading ------------------------------------------------------------------------------


def _load(uow: UnitOfWork, request_id: str, *, for_update: bool = False) -> Any:
    query = sa.select(disclosure_requests).where(disclosure_requests.c.request_id == request_id)
    if for_update and uow.conn.dialect.name == "postgresql":
        query = query.with_for_update()
    row = uow.conn.execute(query).first()
    if row is None:
        raise NotFound(f"no disclosure request {request_id}")
    return row


def load_request(uow: UnitOfWork, request_id: str) -> Any:
    return _load(uow, request_id)


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
    row = _load(uow, request_id)
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
    row = _load(uow, request_id)
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
