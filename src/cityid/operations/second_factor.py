"""The staff second factor as a service: enrolment, the check at sign-in, reset.

Invariants (see cityid.staff.totp for the codes themselves):
- an account has a second factor once `totp_enabled_at` is set; until then any sealed
  secret on the row is an enrolment in progress, confirmed by one right code;
- every refusal (a wrong code, one of another account, a replayed one) is logged as
  `staff.second_factor_refused` and counts as a failed sign-in for the client address,
  so six digits cannot be guessed: the pair locks like a wrong password does;
- the audit log records which kind of factor was used, never a code or a secret.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Literal

import sqlalchemy as sa

from cityid.audit import log as audit_log
from cityid.crypto.keystore import Keystore
from cityid.errors import Refused, Unauthenticated
from cityid.operations import accounts
from cityid.policy import Policy
from cityid.staff import totp
from cityid.staff.actor import Actor
from cityid.staff.permissions import authorize
from cityid.staff.tables import staff_recovery_codes, staff_users
from cityid.store.uow import UnitOfWork

FactorKind = Literal["totp", "recovery"]


@dataclass(frozen=True)
class Enrolment:
    """What the enrolment page shows once: the secret, as text and as a QR code."""

    secret: str
    uri: str
    qr_svg: str


def has_second_factor(uow: UnitOfWork, user_id: str) -> bool:
    enabled = uow.conn.execute(
        sa.select(staff_users.c.totp_enabled_at).where(staff_users.c.user_id == user_id)
    ).scalar()
    return enabled is not None


def required_for(policy: Policy, actor: Actor) -> bool:
    return actor.role in policy.security.second_factor_required_roles


def recovery_codes_left(uow: UnitOfWork, user_id: str) -> int:
    table = staff_recovery_codes
    return int(
        uow.conn.execute(
            sa.select(sa.func.count())
            .select_from(table)
            .where(table.c.user_id == user_id, table.c.used_at.is_(None))
        ).scalar_one()
    )


def begin_enrolment(uow: UnitOfWork, keystore: Keystore, policy: Policy, actor: Actor) -> Enrolment:
    """A new secret for `actor`, sealed on their row until a code confirms it. Refused
    when the account has a second factor already (an admin resets it first)."""
    if has_second_factor(uow, actor.user_id):
        raise Refused("this account has a second factor already", code="exists")
    secret = totp.new_secret()
    sealed = totp.seal_secret(keystore, actor.user_id, secret)
    uow.conn.execute(
        staff_users.update()
        .where(staff_users.c.user_id == actor.user_id)
        .values(
            totp_key_id=sealed.key_id,
            totp_wrapped_key=sealed.wrapped_key,
            totp_secret=sealed.blob,
            totp_enabled_at=None,
            totp_last_step=None,
        )
    )
    uri = totp.provisioning_uri(secret, actor.username, policy.program.name)
    return Enrolment(secret=secret, uri=uri, qr_svg=totp.qr_svg(uri))


def pending_enrolment(
    uow: UnitOfWork, keystore: Keystore, policy: Policy, actor: Actor
) -> Enrolment | None:
    """The enrolment in progress (its secret not yet confirmed), to show again."""
    row = _row(uow, actor.user_id)
    if row.totp_enabled_at is not None or row.totp_secret is None:
        return None
    secret = totp.open_secret(keystore, actor.user_id, _sealed(row))
    uri = totp.provisioning_uri(secret, actor.username, policy.program.name)
    return Enrolment(secret=secret, uri=uri, qr_svg=totp.qr_svg(uri))


def confirm_enrolment(
    uow: UnitOfWork, keystore: Keystore, policy: Policy, actor: Actor, code: str, client: str
) -> list[str]:
    """Turn the second factor on with a right code; returns the recovery codes (shown once)."""
    row = _row(uow, actor.user_id)
    if row.totp_enabled_at is not None:
        raise Refused("this account has a second factor already", code="exists")
    if row.totp_secret is None:
        raise Refused("start the set-up again: no secret is waiting", code="no_enrolment")
    secret = totp.open_secret(keystore, actor.user_id, _sealed(row))
    now = accounts.clock_now()
    step = totp.matching_step(secret, code, now, None)
    if step is None:
        _refuse(uow, policy, actor, client, "wrong")
    codes = totp.new_recovery_codes(policy.security.recovery_codes)
    uow.conn.execute(
        staff_users.update()
        .where(staff_users.c.user_id == actor.user_id)
        .values(totp_enabled_at=now, totp_last_step=step)
    )
    _replace_recovery_codes(uow, actor.user_id, codes)
    audit_log.append(uow, actor, "staff.second_factor_enrolled", [actor.user_id])
    return codes


def check_second_factor(
    uow: UnitOfWork, keystore: Keystore, policy: Policy, actor: Actor, code: str, client: str
) -> FactorKind:
    """Accept a current TOTP code (never one already used) or an unused recovery code
    of this account; anything else is refused, logged and counted."""
    row = _row(uow, actor.user_id)
    if row.totp_enabled_at is None or row.totp_secret is None:
        raise Refused("this account has no second factor", code="no_second_factor")
    if accounts.is_locked_out(uow, actor.user_id, client):
        raise Unauthenticated("wrong username or password, or the account is locked")
    secret = totp.open_secret(keystore, actor.user_id, _sealed(row))
    now = accounts.clock_now()
    step = totp.matching_step(secret, code, now, row.totp_last_step)
    if step is not None:
        uow.conn.execute(
            staff_users.update()
            .where(staff_users.c.user_id == actor.user_id)
            .values(totp_last_step=step)
        )
        audit_log.append(uow, actor, "staff.second_factor_used", [actor.user_id], reason="totp")
        return "totp"
    if _spend_recovery_code(uow, actor.user_id, code, now):
        audit_log.append(
            uow, actor, "staff.second_factor_used", [actor.user_id], reason="recovery_code"
        )
        return "recovery"
    replayed = totp.matching_step(secret, code, now, None) is not None
    _refuse(uow, policy, actor, client, "replayed" if replayed else "wrong")
    raise AssertionError("unreachable")  # _refuse raises


def reset_second_factor(uow: UnitOfWork, policy: Policy, by: Actor, username: str) -> Actor:
    """Take an account's second factor away (a lost phone); it enrols again at sign-in
    if its role requires one. Signs the account out everywhere."""
    authorize(policy, by, "staff.manage")
    user = accounts.find_any_user(uow, username)
    uow.conn.execute(
        staff_users.update()
        .where(staff_users.c.user_id == user.user_id)
        .values(
            totp_key_id=None,
            totp_wrapped_key=None,
            totp_secret=None,
            totp_enabled_at=None,
            totp_last_step=None,
        )
    )
    uow.conn.execute(
        staff_recovery_codes.delete().where(staff_recovery_codes.c.user_id == user.user_id)
    )
    accounts.end_sessions_of(uow, user.user_id)
    audit_log.append(uow, by, "staff.second_factor_reset", [user.user_id])
    return user


def _refuse(uow: UnitOfWork, policy: Policy, actor: Actor, client: str, why: str) -> None:
    accounts.record_failure(uow, policy, actor, client)
    audit_log.append(uow, actor, "staff.second_factor_refused", [actor.user_id], reason=why)
    uow.commit()  # the refusal and its count hold though the caller's work is refused
    if why == "replayed":
        raise Unauthenticated("that code was used already; wait for the next one")
    raise Unauthenticated("the code is not right for this account")


def _spend_recovery_code(uow: UnitOfWork, user_id: str, code: str, now: dt.datetime) -> bool:
    if not totp.normalise_recovery_code(code):
        return False
    table = staff_recovery_codes
    rows = uow.conn.execute(
        sa.select(table.c.code_id, table.c.code_hash).where(
            table.c.user_id == user_id, table.c.used_at.is_(None)
        )
    ).all()
    for row in rows:
        if totp.recovery_code_matches(row.code_hash, code):
            spent = uow.conn.execute(
                table.update()
                .where(table.c.code_id == row.code_id, table.c.used_at.is_(None))
                .values(used_at=now)
            )
            return spent.rowcount == 1
    return False


def _replace_recovery_codes(uow: UnitOfWork, user_id: str, codes: list[str]) -> None:
    table = staff_recovery_codes
    uow.conn.execute(table.delete().where(table.c.user_id == user_id))
    now = accounts.clock_now()
    uow.conn.execute(
        table.insert(),
        [
            {
                "code_id": str(uuid.uuid4()),
                "user_id": user_id,
                "code_hash": totp.hash_recovery_code(code),
                "created_at": now,
            }
            for code in codes
        ],
    )


def _row(uow: UnitOfWork, user_id: str) -> sa.Row[tuple[object, ...]]:
    return uow.conn.execute(sa.select(staff_users).where(staff_users.c.user_id == user_id)).one()


def _sealed(row: sa.Row[tuple[object, ...]]) -> totp.SealedSecret:
    return totp.SealedSecret(
        str(row.totp_key_id), bytes(row.totp_wrapped_key), bytes(row.totp_secret)
    )
