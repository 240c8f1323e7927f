"""Applicant notices: one per applicant whose data was released, in their language.

Made when counsel grants a request (unless a court forbids notice, or the rule says the
applicant asked themselves), sealed under the request's key, kept until marked sent.
Each is also queued in the notice outbox to the applicant's contact on file, if any.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

import sqlalchemy as sa

from cityid.audit import log as audit_log
from cityid.audit.log import Event
from cityid.crypto import RecordSealer, SealedKey
from cityid.disclosure.holdings import held_rows
from cityid.disclosure.notice_texts import render_notice
from cityid.disclosure.results import Notice, NoticeSent, NoticeStatus
from cityid.disclosure.scope import Scope
from cityid.disclosure.tables import disclosure_notices, disclosure_requests
from cityid.enrollment.contact import notify_applicant
from cityid.enrollment.repository import open_text
from cityid.errors import NotFound, Refused
from cityid.notices.kinds import NoticeKind
from cityid.notices.templates import MAX_PARAM_CHARS
from cityid.runtime import Runtime
from cityid.staff.actor import Actor
from cityid.staff.permissions import authorize
from cityid.store.uow import UnitOfWork

_CHUNK = 1000


def _fields_text(fields: list[str]) -> str:
    text = ", ".join(fields)
    return text if len(text) <= MAX_PARAM_CHARS else text[: MAX_PARAM_CHARS - 1] + "…"


def _key(row: Any) -> SealedKey:
    return SealedKey(row.cohort_key_id, bytes(row.wrapped_key))


def create_for_request(
    uow: UnitOfWork,
    runtime: Runtime,
    actor: Actor,
    sealer: RecordSealer,
    request: Any,
    scope: Scope,
    fields: list[str],
    decided_on: dt.date,
) -> int:
    """A pending notice for each held application in scope; returns how many."""
    stamp = dt.datetime.now(dt.UTC)
    key = _key(request)
    made: list[str] = []
    for app in held_rows(uow, scope, sealer):
        notice_id = f"ntc-{secrets.token_hex(8)}"
        _used, text = render_notice(
            open_text(sealer, app, "language"),
            program=runtime.policy.program.name,
            request_id=request.request_id,
            decided_on=decided_on.isoformat(),
            fields=fields,
        )
        uow.conn.execute(
            disclosure_notices.insert().values(
                notice_id=notice_id,
                request_id=request.request_id,
                application_id=app.application_id,
                status="pending",
                s_body=sealer.seal_field(
                    key, request.request_id, f"notice:{notice_id}", text.encode()
                ),
                created_at=stamp,
            )
        )
        made.append(app.application_id)
        # And by mail or text to the contact on file, through the outbox (legally required).
        notify_applicant(
            uow, runtime, actor, app.application_id, NoticeKind.DISCLOSURE,
            {"request_id": request.request_id, "decided_on": decided_on.isoformat(),
             "fields": _fields_text(fields)},
        )  # fmt: skip
    if made:
        # The applicant's language was read to write each notice: audited by id.
        audit_log.append_many(
            uow,
            [
                Event(
                    actor,
                    "disclosure.notice.create",
                    [request.request_id, *made[i : i + _CHUNK]],
                    reason="applicant_notice",
                    extra={"notices": len(made[i : i + _CHUNK])},
                )
                for i in range(0, len(made), _CHUNK)
            ],
        )
    return len(made)


def list_notices(
    uow: UnitOfWork,
    runtime: Runtime,
    actor: Actor,
    request_id: str,
    *,
    with_text: bool = False,
) -> list[Notice]:
    """A request's notices; with their text (opened and audited) for the mailing."""
    authorize(runtime.policy, actor, "disclosure.release")
    request = uow.conn.execute(
        sa.select(disclosure_requests).where(disclosure_requests.c.request_id == request_id)
    ).first()
    if request is None:
        raise NotFound(f"no disclosure request {request_id}")
    rows = uow.conn.execute(
        sa.select(disclosure_notices)
        .where(disclosure_notices.c.request_id == request_id)
        .order_by(disclosure_notices.c.created_at, disclosure_notices.c.notice_id)
    ).all()
    found = []
    with RecordSealer(runtime.keystore) as sealer:
        for row in rows:
            text = None
            if with_text:
                text = sealer.open_field(
                    _key(request), request_id, f"notice:{row.notice_id}", bytes(row.s_body)
                ).decode()
            sent_at = None if row.sent_at is None else row.sent_at.isoformat()
            found.append(
                Notice(row.notice_id, row.application_id, NoticeStatus(row.status), sent_at, text)
            )
    if with_text and rows:
        audit_log.append(
            uow,
            actor,
            "disclosure.notice.read",
            [request_id, *[r.application_id for r in rows][:_CHUNK]],
            reason="applicant_notice",
            extra={"notices": len(rows)},
        )
    return found


def mark_sent(uow: UnitOfWork, runtime: Runtime, actor: Actor, notice_id: str) -> NoticeSent:
    authorize(runtime.policy, actor, "disclosure.release")
    row = uow.conn.execute(
        sa.select(disclosure_notices).where(disclosure_notices.c.notice_id == notice_id)
    ).first()
    if row is None:
        raise NotFound(f"no notice {notice_id}")
    if row.status == "sent":
        raise Refused(f"notice {notice_id} was already marked sent")
    stamp = dt.datetime.now(dt.UTC)
    uow.conn.execute(
        disclosure_notices.update()
        .where(disclosure_notices.c.notice_id == notice_id)
        .values(status="sent", sent_at=stamp, sent_by=actor.user_id)
    )
    audit_log.append(
        uow,
        actor,
        "disclosure.notice.sent",
        [row.request_id, notice_id, row.application_id],
        reason="applicant_notice",
    )
    return NoticeSent(notice_id, NoticeStatus.SENT)
