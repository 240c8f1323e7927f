"""Queueing a notice, inside the unit of work of the change it reports.

    from cityid.notices.outbox import Recipient, enqueue
    from cityid.notices.kinds import NoticeKind

    enqueue(uow, runtime, actor, NoticeKind.CARD_MAILED, recipient,
            subject_id=application_id, params={"reference": ref})

Invariants: the row commits or rolls back with the caller's change (same connection);
the address and the parameters are sealed under the row's own data key and never logged
or audited; a resident who opted out gets only the kinds the policy names as legally
required; a `dedupe` occasion (e.g. "renewal-60:<card>") is queued at most once per
channel. Parameters are checked against the kind's template here, so a caller's mistake
raises `BadInput` now rather than failing later in the worker.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from cityid.audit import log as audit_log
from cityid.crypto import RecordSealer, SealedKey
from cityid.notices.kinds import Channel, NoticeKind, NoticeStatus, Suppressed
from cityid.notices.tables import notice_outbox
from cityid.notices.templates import check_params, text_language
from cityid.policy.model import Policy
from cityid.runtime import Runtime
from cityid.staff.actor import Actor
from cityid.store.uow import UnitOfWork

# Record class and field name the payload is sealed under (its own cohort per month).
NOTICE_RECORD_CLASS = "notice"
PAYLOAD_FIELD = "payload"

TemplateParams = Mapping[str, str | int]


@dataclass(frozen=True)
class Recipient:
    """Where a notice goes and in which language. Personal data: never log or audit it.

    `language` is the applicant's ISO 639-3 code (as applications hold it); notices in a
    language without texts fall back to English. Each given address gets its own notice.
    """

    email: str | None = None
    phone: str | None = None
    language: str | None = None
    opted_out: bool = False

    def addresses(self) -> list[tuple[Channel, str]]:
        found = []
        if self.email:
            found.append((Channel.EMAIL, self.email))
        if self.phone:
            found.append((Channel.SMS, self.phone))
        return found


@dataclass(frozen=True)
class Queued:
    """What `enqueue` did: the notice ids written (one per channel), or why none."""

    notice_ids: tuple[str, ...]
    suppressed: Suppressed | None = None


def is_legally_required(policy: Policy, kind: NoticeKind) -> bool:
    return str(kind) in policy.notices.legally_required


def enqueue(
    uow: UnitOfWork,
    runtime: Runtime,
    actor: Actor,
    kind: NoticeKind,
    recipient: Recipient,
    *,
    subject_id: str,
    params: TemplateParams,
    dedupe: str | None = None,
    not_before: dt.datetime | None = None,
) -> Queued:
    """Queue `kind` for `recipient` in the caller's transaction; audited as "notice.queue".

    `subject_id` is the opaque id the notice is about (an application id); `params` are
    the template's parameters (`templates.PARAMS[kind]`); `not_before` delays delivery
    (a reminder the day before). Nothing is written when the resident opted out of a
    notice that is not legally required, has no contact on file, or `dedupe` was seen.
    """
    check_params(kind, params)
    required = is_legally_required(runtime.policy, kind)
    addresses = recipient.addresses()
    why: Suppressed | None = None
    if recipient.opted_out and not required:
        why = Suppressed.OPTED_OUT
    elif not addresses:
        why = Suppressed.NO_CONTACT
    elif dedupe is not None and _seen(uow, dedupe):
        why = Suppressed.DUPLICATE
    if why in (Suppressed.OPTED_OUT, Suppressed.NO_CONTACT) and dedupe is not None:
        _mark_occasion(uow, kind, subject_id, dedupe, required)
    if why is Suppressed.NO_CONTACT:
        return Queued((), why)  # nothing on file: nothing happened worth a log entry
    if why is not None:
        audit_log.append(
            uow, actor, "notice.suppressed", [subject_id], reason=str(why),
            extra={"kind": str(kind)},
        )  # fmt: skip
        return Queued((), why)
    stamp = dt.datetime.now(dt.UTC)
    period = f"{stamp.year:04d}-{stamp.month:02d}"
    language = text_language(recipient.language)
    made: list[str] = []
    with RecordSealer(runtime.keystore) as sealer:
        for channel, address in addresses:
            notice_id = f"ntf-{secrets.token_hex(8)}"
            key = sealer.new_record_key(NOTICE_RECORD_CLASS, period, notice_id)
            payload = json.dumps(
                {"address": address, "params": {k: str(v) for k, v in params.items()}},
                ensure_ascii=False,
                sort_keys=True,
            ).encode()
            uow.conn.execute(
                notice_outbox.insert().values(
                    notice_id=notice_id,
                    kind=str(kind),
                    channel=str(channel),
                    language=language,
                    subject_id=subject_id,
                    dedupe_key=None if dedupe is None else f"{dedupe}:{channel}",
                    legally_required=required,
                    status=str(NoticeStatus.PENDING),
                    attempts=0,
                    next_attempt_at=not_before or stamp,
                    created_at=stamp,
                    cohort_key_id=key.cohort_key_id,
                    wrapped_key=key.wrapped,
                    s_payload=sealer.seal_field(key, notice_id, PAYLOAD_FIELD, payload),
                )
            )
            made.append(notice_id)
    audit_log.append(
        uow, actor, "notice.queue", [subject_id, *made], reason=str(kind),
        extra={"channels": [str(c) for c, _ in addresses]},
    )  # fmt: skip
    return Queued(tuple(made))


@dataclass(frozen=True)
class Payload:
    """An outbox row's sealed part, opened for delivery: the address and the parameters."""

    address: str
    params: dict[str, str]


def open_payload(sealer: RecordSealer, row: Any) -> Payload:
    """Open a pending row's payload (`KeyDestroyed` if its cohort key is gone)."""
    key = SealedKey(row.cohort_key_id, bytes(row.wrapped_key))
    data = json.loads(sealer.open_field(key, row.notice_id, PAYLOAD_FIELD, bytes(row.s_payload)))
    return Payload(str(data["address"]), {str(k): str(v) for k, v in data["params"].items()})


_NO_CHANNEL = "none"  # the channel of a suppressed occasion's marker row


def _occasion_keys(dedupe: str) -> list[str]:
    return [f"{dedupe}:{c}" for c in (*Channel, _NO_CHANNEL)]


def _seen(uow: UnitOfWork, dedupe: str) -> bool:
    found = uow.conn.execute(
        sa.select(notice_outbox.c.notice_id)
        .where(notice_outbox.c.dedupe_key.in_(_occasion_keys(dedupe)))
        .limit(1)
    ).first()
    return found is not None


def seen_occasions(uow: UnitOfWork, dedupes: list[str]) -> set[str]:
    """Which of these `dedupe` occasions were queued (or suppressed) already."""
    seen: set[str] = set()
    for start in range(0, len(dedupes), 200):
        chunk = dedupes[start : start + 200]
        keys = [key for dedupe in chunk for key in _occasion_keys(dedupe)]
        for found in uow.conn.execute(
            sa.select(notice_outbox.c.dedupe_key).where(notice_outbox.c.dedupe_key.in_(keys))
        ).scalars():
            seen.add(str(found).rsplit(":", 1)[0])
    return seen


def _mark_occasion(
    uow: UnitOfWork, kind: NoticeKind, subject_id: str, dedupe: str, required: bool
) -> None:
    """A marker row for an occasion that sent nothing, so nobody looks at it again."""
    stamp = dt.datetime.now(dt.UTC)
    uow.conn.execute(
        notice_outbox.insert().values(
            notice_id=f"ntf-{secrets.token_hex(8)}", kind=str(kind), channel=_NO_CHANNEL,
            language="", subject_id=subject_id, dedupe_key=f"{dedupe}:{_NO_CHANNEL}",
            legally_required=required, status=str(NoticeStatus.SUPPRESSED), attempts=0,
            next_attempt_at=stamp, created_at=stamp,
        )
    )  # fmt: skip
