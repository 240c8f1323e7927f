"""One-time codes sent to the contact on file: issue one, check it once.

A code proves the person at the keyboard can read the messages of the contact on file
of an application (a lost card at /me/, the status of an application, who looked at a
record). Invariants:

- only a scrypt hash of the code is stored (random salt per code); the code itself exists
  only in the sealed outbox row until the notice is delivered;
- a code expires after `policy.notices.one_time_code_minutes` and works once: a second
  use is refused as `used` (a replay);
- a wrong code counts an attempt; after `one_time_code_max_attempts` wrong tries the code
  is `locked` for good, even for the right digits;
- a new code for the same application and purpose replaces the earlier active one, and at
  most `one_time_codes_per_hour` are issued per application;
- `check_code` never raises for a wrong code: it returns the outcome, so the caller's unit
  of work commits the counted attempt (raising would roll the count back).
"""

from __future__ import annotations

import datetime as dt
import hmac
import secrets
from dataclasses import dataclass
from enum import StrEnum

import sqlalchemy as sa
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from cityid.audit import log as audit_log
from cityid.errors import Refused
from cityid.notices.kinds import Channel, NoticeKind
from cityid.notices.outbox import Recipient, enqueue
from cityid.notices.tables import one_time_codes
from cityid.runtime import Runtime
from cityid.staff.actor import Actor
from cityid.store.uow import UnitOfWork

_SALT_BYTES = 16


class CodePurpose(StrEnum):
    LOST_CARD = "lost_card"
    STATUS = "status"
    RECORD_ACCESS = "record_access"


class CodeCheck(StrEnum):
    OK = "ok"
    WRONG = "wrong"  # counted; `attempts_left` says how many remain
    LOCKED = "locked"  # too many wrong tries: ask for a new code
    EXPIRED = "expired"
    USED = "used"  # already used once (a replay), or replaced by a newer code
    UNKNOWN = "unknown"  # no such code for this application and purpose


@dataclass(frozen=True)
class CodeIssued:
    code_id: str  # give this to the browser (a hidden field); it is not the secret
    expires_at: dt.datetime
    channels: tuple[Channel, ...]  # where it went, never the address


@dataclass(frozen=True)
class CodeChecked:
    outcome: CodeCheck
    attempts_left: int

    @property
    def ok(self) -> bool:
        return self.outcome is CodeCheck.OK


class NoContactOnFile(Refused):
    code = "no_contact"


class TooManyCodes(Refused):
    code = "too_many_codes"


def _hash(code: str, salt: bytes) -> bytes:
    return Scrypt(salt=salt, length=32, n=2**14, r=8, p=1).derive(code.encode())


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment


def issue_code(
    uow: UnitOfWork,
    runtime: Runtime,
    actor: Actor,
    recipient: Recipient,
    *,
    purpose: CodePurpose,
    subject_id: str,
) -> CodeIssued:
    """Make a code for `subject_id` (an application id) and queue it to `recipient`.

    Raises `NoContactOnFile` when the recipient has no address, `TooManyCodes` past the
    hourly limit. A code is legally required: it is sent even to those who opted out.
    """
    rules = runtime.policy.notices
    if not recipient.addresses():
        raise NoContactOnFile(
            "there is no email address or mobile number on file to send a code to; "
            "please visit an enrollment centre"
        )
    now = dt.datetime.now(dt.UTC)
    recent = uow.conn.execute(
        sa.select(sa.func.count())
        .select_from(one_time_codes)
        .where(
            one_time_codes.c.subject_id == subject_id,
            one_time_codes.c.created_at > now - dt.timedelta(hours=1),
        )
    ).scalar_one()
    if recent >= rules.one_time_codes_per_hour:
        raise TooManyCodes("too many codes were sent for this record in the last hour")
    uow.conn.execute(
        one_time_codes.update()
        .where(
            one_time_codes.c.subject_id == subject_id,
            one_time_codes.c.purpose == str(purpose),
            one_time_codes.c.status == "active",
        )
        .values(status="replaced")
    )
    code = f"{secrets.randbelow(10**rules.one_time_code_digits):0{rules.one_time_code_digits}d}"
    salt = secrets.token_bytes(_SALT_BYTES)
    code_id = f"otc-{secrets.token_hex(8)}"
    expires = now + dt.timedelta(minutes=rules.one_time_code_minutes)
    uow.conn.execute(
        one_time_codes.insert().values(
            code_id=code_id, purpose=str(purpose), subject_id=subject_id, salt=salt,
            code_hash=_hash(code, salt), attempts=0, status="active",
            created_at=now, expires_at=expires,
        )
    )  # fmt: skip
    queued = enqueue(
        uow, runtime, actor, NoticeKind.ONE_TIME_CODE, recipient, subject_id=subject_id,
        params={"code": code, "minutes": rules.one_time_code_minutes},
    )  # fmt: skip
    audit_log.append(uow, actor, "code.issue", [subject_id, code_id], reason=str(purpose))
    channels = tuple(c for c, _ in recipient.addresses())
    return CodeIssued(code_id, expires, channels if queued.notice_ids else ())


def check_code(
    uow: UnitOfWork,
    runtime: Runtime,
    actor: Actor,
    code_id: str,
    code: str,
    *,
    purpose: CodePurpose,
    subject_id: str,
    now: dt.datetime | None = None,
) -> CodeChecked:
    """Check `code` against code `code_id` of `subject_id`; OK uses it up. Audited.

    `now` is the moment of the check (tests pass a later one to see a code expire).
    """
    limit = runtime.policy.notices.one_time_code_max_attempts
    row = uow.conn.execute(
        sa.select(one_time_codes).where(one_time_codes.c.code_id == code_id)
    ).first()
    if row is None or row.subject_id != subject_id or row.purpose != str(purpose):
        return _checked(uow, actor, subject_id, code_id, CodeCheck.UNKNOWN, 0)
    left = max(limit - row.attempts, 0)
    now = now or dt.datetime.now(dt.UTC)
    if row.status == "locked":
        return _checked(uow, actor, subject_id, code_id, CodeCheck.LOCKED, 0)
    if row.status in ("used", "replaced"):
        return _checked(uow, actor, subject_id, code_id, CodeCheck.USED, left)
    if _aware(row.expires_at) <= now:
        return _checked(uow, actor, subject_id, code_id, CodeCheck.EXPIRED, left)
    typed = "".join(code.split())
    right = typed.isdigit() and hmac.compare_digest(_hash(typed, bytes(row.salt)), row.code_hash)
    if right:
        used = uow.conn.execute(
            one_time_codes.update()
            .where(one_time_codes.c.code_id == code_id, one_time_codes.c.status == "active")
            .values(status="used", used_at=now)
        )
        # Two tabs racing with the same code: only the one that flipped it is let in.
        outcome = CodeCheck.OK if used.rowcount == 1 else CodeCheck.USED
        return _checked(uow, actor, subject_id, code_id, outcome, left)
    attempts = row.attempts + 1
    locked = attempts >= limit
    uow.conn.execute(
        one_time_codes.update()
        .where(one_time_codes.c.code_id == code_id)
        .values(attempts=attempts, status="locked" if locked else "active")
    )
    outcome = CodeCheck.LOCKED if locked else CodeCheck.WRONG
    return _checked(uow, actor, subject_id, code_id, outcome, max(limit - attempts, 0))


def _checked(
    uow: UnitOfWork, actor: Actor, subject_id: str, code_id: str, outcome: CodeCheck, left: int
) -> CodeChecked:
    audit_log.append(uow, actor, "code.check", [subject_id, code_id], reason=str(outcome))
    return CodeChecked(outcome, left)
