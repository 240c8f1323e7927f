"""Filing a disclosure request: the request is recorded with the engine's proposal.

The caller's unit of work takes the row, the attached documents and the audit entry;
the caller commits. The requester's name and the documents are sealed under the
request's own data key; the audit entry carries ids and codes only.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
from collections.abc import Mapping, Sequence
from typing import Any

from cityid.audit import log as audit_log
from cityid.crypto import RecordSealer, SealedKey
from cityid.disclosure.holdings import holdings
from cityid.disclosure.requests import (
    MAX_DOCUMENT_BYTES,
    RECORD_CLASS,
    Attachment,
    docket_ref,
    new_request_id,
    now,
)
from cityid.disclosure.results import Filed, RequestStatus
from cityid.disclosure.rules import (
    RequestFacts,
    first_matching_rule,
    propose,
)
from cityid.disclosure.scope import Scope, parse_scope
from cityid.disclosure.tables import disclosure_documents, disclosure_requests
from cityid.errors import BadInput
from cityid.runtime import Runtime
from cityid.staff.actor import Actor
from cityid.staff.permissions import authorize
from cityid.store.uow import UnitOfWork
from cityid.vocabulary import INSTRUMENTS, REQUESTER_KINDS


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
    _check_codes(requester_kind, instrument, docket)
    parsed = parse_scope(scope)
    received = received_on or runtime.today()
    facts = _facts(uow, runtime, parsed, requester_kind, instrument, identity_checked)
    proposal = propose(runtime.policy, facts)

    request_id = new_request_id()
    stamp = now()
    row = {
        "request_id": request_id,
        "received_on": received,
        "respond_by": received + dt.timedelta(days=runtime.policy.disclosure.response_days),
        "requester_kind": requester_kind,
        "instrument": instrument,
        "scope_kind": parsed.kind,
        "scope": json.dumps(parsed.to_json(), sort_keys=True),
        "identity_checked": identity_checked,
        "court_forbids_notice": court_forbids_notice,
        "docket": docket,
        "in_scope": facts.in_scope,
        "held": facts.held,
        "proposed_decision": proposal.decision,
        "rule": proposal.rule,
        "proposed_fields": json.dumps(list(proposal.fields)),
        "status": "open",
        "filed_by": actor.user_id,
        "filed_at": stamp,
    }
    _store_sealed(uow, runtime, row, requester, attachments)
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


def _check_codes(requester_kind: str, instrument: str, docket: str | None) -> None:
    if requester_kind not in REQUESTER_KINDS:
        raise BadInput(f"requester kind must be one of {', '.join(REQUESTER_KINDS)}")
    if instrument not in INSTRUMENTS:
        raise BadInput(f"instrument must be one of {', '.join(INSTRUMENTS)}")
    if docket is not None and len(docket) > 64:
        raise BadInput("the docket number is at most 64 characters")


def _store_sealed(
    uow: UnitOfWork,
    runtime: Runtime,
    row: dict[str, Any],
    requester: str | None,
    attachments: Sequence[Attachment],
) -> None:
    """Insert the request under a new data key, the requester's name and documents sealed."""
    request_id, received, stamp = row["request_id"], row["received_on"], row["filed_at"]
    with RecordSealer(runtime.keystore) as sealer:
        key = sealer.new_record_key(RECORD_CLASS, f"{received.year:04d}", request_id)
        sealed_requester = (
            sealer.seal_field(key, request_id, "requester", requester.encode())
            if requester
            else None
        )
        uow.conn.execute(
            disclosure_requests.insert().values(
                **row,
                cohort_key_id=key.cohort_key_id,
                wrapped_key=key.wrapped,
                s_requester=sealed_requester,
            )
        )
        for attachment in attachments:
            _attach(uow, sealer, key, request_id, attachment, stamp)


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
