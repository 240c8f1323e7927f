"""The notice worker: send what is due, retry what failed with back-off, forget addresses.

`run_once` takes the due rows (pending, `next_attempt_at` passed) a few at a time. Each
row is first *claimed* in a short transaction (its next attempt moved a lease ahead, on
the condition nobody moved it first), so two workers never send the same notice and no
database lock is held while a server is being talked to; a worker that dies mid-send
leaves the row to be picked up again when the lease runs out. Then the message is sent
and the outcome written in a second transaction with its audit entry:

- sent: status "sent", the sealed payload, its wrapped key and the subject id erased;
- a transient error (server down, 4xx): attempts + 1, next attempt after
  `retry_first_seconds * 2**(attempts-1)` capped at `retry_max_seconds`;
- a permanent error (5xx), a destroyed key, or the last attempt: status "failed",
  erased the same way. Error codes name no address.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from cityid.audit import log as audit_log
from cityid.crypto import KeyDestroyed, RecordSealer
from cityid.crypto.errors import Tampered, UnknownKey
from cityid.errors import BadInput
from cityid.notices.config import delivery_config
from cityid.notices.kinds import Channel, NoticeKind, NoticeStatus
from cityid.notices.outbox import open_payload
from cityid.notices.tables import notice_outbox
from cityid.notices.templates import render
from cityid.notices.transports import (
    DeliveryError,
    MailTransport,
    Permanent,
    SmsGateway,
    build_email,
    mail_transport,
    sms_gateway,
)
from cityid.runtime import Runtime
from cityid.staff.actor import Actor
from cityid.store.uow import UnitOfWork

LEASE = dt.timedelta(minutes=5)
BATCH = 50


@dataclass(frozen=True)
class DeliveryReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    errors: dict[str, int] = field(default_factory=dict)  # code -> count, no addresses


@dataclass
class Transports:
    mail: MailTransport
    sms: SmsGateway

    @classmethod
    def configured(cls, runtime: Runtime) -> Transports:
        config = delivery_config(runtime)
        return cls(mail_transport(config), sms_gateway(config))


def backoff(policy_first: int, policy_max: int, attempts: int) -> dt.timedelta:
    """The wait before attempt `attempts + 1`: doubling from the first delay, capped."""
    seconds = policy_first * 2 ** max(attempts - 1, 0)
    return dt.timedelta(seconds=min(seconds, policy_max))


def run_once(
    runtime: Runtime,
    transports: Transports | None = None,
    *,
    now: dt.datetime | None = None,
    limit: int = 1000,
) -> DeliveryReport:
    """One pass over the due notices (at most `limit`); returns what happened."""
    transports = transports or Transports.configured(runtime)
    now = now or dt.datetime.now(dt.UTC)
    sent = retried = failed = 0
    errors: dict[str, int] = {}
    done = 0
    while done < limit:
        due = _due(runtime, now, min(BATCH, limit - done))
        if not due:
            break
        for notice_id, seen_at in due:
            done += 1
            if not _claim(runtime, notice_id, seen_at, now):
                continue
            outcome, code = _deliver(runtime, transports, notice_id, now)
            if code:
                errors[code] = errors.get(code, 0) + 1
            sent += outcome == "sent"
            retried += outcome == "retry"
            failed += outcome == "failed"
    return DeliveryReport(sent, retried, failed, errors)


def _due(runtime: Runtime, now: dt.datetime, count: int) -> list[tuple[str, Any]]:
    with UnitOfWork(runtime.engine) as uow:
        rows = uow.conn.execute(
            sa.select(notice_outbox.c.notice_id, notice_outbox.c.next_attempt_at)
            .where(
                notice_outbox.c.status == str(NoticeStatus.PENDING),
                notice_outbox.c.next_attempt_at <= now,
            )
            .order_by(notice_outbox.c.next_attempt_at, notice_outbox.c.notice_id)
            .limit(count)
        ).all()
    return [(r.notice_id, r.next_attempt_at) for r in rows]


def _claim(runtime: Runtime, notice_id: str, seen_at: Any, now: dt.datetime) -> bool:
    """Move the row's next attempt a lease ahead, only if nobody else did first."""
    with UnitOfWork(runtime.engine) as uow:
        claimed = uow.conn.execute(
            notice_outbox.update()
            .where(
                notice_outbox.c.notice_id == notice_id,
                notice_outbox.c.status == str(NoticeStatus.PENDING),
                notice_outbox.c.next_attempt_at == seen_at,
            )
            .values(next_attempt_at=now + LEASE)
        ).rowcount
        uow.commit()
    return claimed == 1


def _deliver(
    runtime: Runtime, transports: Transports, notice_id: str, now: dt.datetime
) -> tuple[str, str | None]:
    with UnitOfWork(runtime.engine) as uow:
        row = uow.conn.execute(
            sa.select(notice_outbox).where(notice_outbox.c.notice_id == notice_id)
        ).one()
    error: DeliveryError | None = None
    try:
        with RecordSealer(runtime.keystore) as sealer:
            payload = open_payload(sealer, row)
        _send(runtime, transports, row, payload.address, payload.params)
    except (KeyDestroyed, UnknownKey, Tampered):
        error = Permanent("key_destroyed")
    except DeliveryError as exc:
        error = exc
    except BadInput:  # the texts changed under a queued notice: it can never render
        error = Permanent("bad_template")
    return _record(runtime, row, error, now)


def _send(
    runtime: Runtime, transports: Transports, row: Any, address: str, params: dict[str, str]
) -> None:
    text = render(NoticeKind(row.kind), row.language, params, program=runtime.policy.program.name)
    if row.channel == Channel.SMS:
        transports.sms.send(address, text.sms, message_id=row.notice_id)
        return
    config = delivery_config(runtime)
    transports.mail.send(
        build_email(
            config.smtp_from, address, text.subject, text.body,
            language=text.language_tag, message_id=row.notice_id,
        )
    )  # fmt: skip


def _record(
    runtime: Runtime, row: Any, error: DeliveryError | None, now: dt.datetime
) -> tuple[str, str | None]:
    rules = runtime.policy.notices
    attempts = row.attempts + 1
    # Done with: the address, the parameters, their key, and which record it was about
    # (a disclosure notice's subject is itself sensitive; the audit entry keeps the id).
    erase = {"s_payload": None, "wrapped_key": None, "cohort_key_id": None, "subject_id": None}
    if error is None:
        outcome, values = "sent", {"status": str(NoticeStatus.SENT), "sent_at": now, **erase}
    elif isinstance(error, Permanent) or attempts >= rules.max_attempts:
        outcome, values = "failed", {"status": str(NoticeStatus.FAILED), **erase}
    else:
        wait = backoff(rules.retry_first_seconds, rules.retry_max_seconds, attempts)
        outcome, values = "retry", {"next_attempt_at": now + wait}
    code = None if error is None else error.code
    with UnitOfWork(runtime.engine) as uow:
        uow.conn.execute(
            notice_outbox.update()
            .where(notice_outbox.c.notice_id == row.notice_id)
            .values(attempts=attempts, last_error=code, **values)
        )
        audit_log.append(
            uow, Actor.system(), f"notice.{outcome}", _targets(row),
            reason=code or str(row.kind), extra={"attempts": attempts},
        )  # fmt: skip
        uow.commit()
    return outcome, code


def _targets(row: Any) -> Sequence[str]:
    return [t for t in (row.subject_id, row.notice_id) if t]
