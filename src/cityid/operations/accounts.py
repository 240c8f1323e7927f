"""Staff accounts: creation, sign-in with lockout, console sessions and API tokens.

Secrets given to people (session cookies, bearer tokens) are random; only their SHA-256
is stored, so a database dump signs nobody in.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
import uuid

import sqlalchemy as sa

from cityid.audit import log as audit_log
from cityid.errors import BadInput, NotFound, Refused, Unauthenticated
from cityid.policy import Policy
from cityid.staff.actor import SYSTEM_USERNAME, Actor
from cityid.staff.passwords import (
    DUMMY_HASH,
    check_password_policy,
    hash_password,
    needs_rehash,
    verify_password,
)
from cityid.staff.permissions import authorize, is_allowed
from cityid.staff.tables import api_tokens, staff_sessions, staff_users
from cityid.store.uow import UnitOfWork
from cityid.vocabulary import ROLES

_USERNAME = re.compile(r"^[a-z][a-z0-9._-]{1,63}$")


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _aware(moment: dt.datetime | None) -> dt.datetime | None:
    # SQLite hands datetimes back naive; every time cityid stores is UTC.
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=dt.UTC)
    return moment


def add_user(
    uow: UnitOfWork, policy: Policy, *, username: str, role: str, password: str, by: Actor
) -> Actor:
    """Create a staff account. `by` must hold staff.manage (init passes the bootstrap actor)."""
    authorize(policy, by, "staff.manage")
    if not _USERNAME.match(username) or username == SYSTEM_USERNAME:
        raise BadInput(
            "username: use 2-64 lowercase letters, digits, dots, dashes or underscores,"
            " starting with a letter (and not 'system')"
        )
    if role not in ROLES:
        raise BadInput(f"role: must be one of {', '.join(ROLES)}")
    check_password_policy(password, username, policy.security)
    exists = uow.conn.execute(
        sa.select(staff_users.c.user_id).where(staff_users.c.username == username)
    ).first()
    if exists:
        raise Refused(f"a staff user named {username} already exists", code="exists")
    user = Actor(user_id=str(uuid.uuid4()), username=username, role=role)
    uow.conn.execute(
        staff_users.insert().values(
            user_id=user.user_id,
            username=username,
            role=role,
            password_hash=hash_password(password),
            created_at=_now(),
        )
    )
    audit_log.append(uow, by, "staff.add", [user.user_id], reason=f"role:{role}")
    return user


def bootstrap_admin(uow: UnitOfWork, policy: Policy, *, username: str, password: str) -> Actor:
    """The first administrator, made by `cityid init` when no staff exist yet."""
    count = uow.conn.execute(sa.select(sa.func.count()).select_from(staff_users)).scalar_one()
    if count:
        raise Refused("staff accounts exist already; use `cityid user add`")
    bootstrap = Actor(user_id="bootstrap", username="bootstrap", role="admin")
    return add_user(uow, policy, username=username, role="admin", password=password, by=bootstrap)


def find_user(uow: UnitOfWork, username: str) -> Actor:
    row = uow.conn.execute(
        sa.select(staff_users).where(
            staff_users.c.username == username, staff_users.c.disabled.is_(False)
        )
    ).first()
    if row is None:
        raise NotFound(f"no active staff user named {username}")
    return Actor(user_id=row.user_id, username=row.username, role=row.role)


def authenticate(uow: UnitOfWork, policy: Policy, username: str, password: str) -> Actor:
    """Check a password, counting failures and locking the account after too many.

    Failures are committed even though the caller's work is refused, so lockout holds.
    The message never says whether the username exists.
    """
    refused = Unauthenticated("wrong username or password, or the account is locked")
    row = uow.conn.execute(sa.select(staff_users).where(staff_users.c.username == username)).first()
    if row is None or row.disabled:
        verify_password(DUMMY_HASH, password)
        raise refused
    now = _now()
    locked_until = _aware(row.locked_until)
    if locked_until is not None and locked_until > now:
        raise refused
    if not verify_password(row.password_hash, password):
        failures = row.failed_logins + 1
        values: dict[str, object] = {"failed_logins": failures}
        if failures >= policy.security.lockout_after_failures:
            values = {
                "failed_logins": 0,
                "locked_until": now + dt.timedelta(minutes=policy.security.lockout_minutes),
            }
        uow.conn.execute(
            staff_users.update().where(staff_users.c.user_id == row.user_id).values(**values)
        )
        actor = Actor(row.user_id, row.username, row.role)
        action = "staff.locked" if "locked_until" in values else "staff.login_failed"
        audit_log.append(uow, actor, action, [row.user_id])
        uow.commit()
        raise refused
    values = {"failed_logins": 0, "locked_until": None}
    if needs_rehash(row.password_hash):
        values["password_hash"] = hash_password(password)
    uow.conn.execute(
        staff_users.update().where(staff_users.c.user_id == row.user_id).values(**values)
    )
    return Actor(user_id=row.user_id, username=row.username, role=row.role)


def _actor_by_id(uow: UnitOfWork, user_id: str) -> Actor | None:
    row = uow.conn.execute(
        sa.select(staff_users).where(
            staff_users.c.user_id == user_id, staff_users.c.disabled.is_(False)
        )
    ).first()
    return None if row is None else Actor(row.user_id, row.username, row.role)


def start_session(uow: UnitOfWork, policy: Policy, actor: Actor) -> tuple[str, str]:
    """A new console session: returns (cookie secret, CSRF token)."""
    secret = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    now = _now()
    uow.conn.execute(
        staff_sessions.insert().values(
            session_hash=_digest(secret),
            user_id=actor.user_id,
            csrf_token=csrf,
            created_at=now,
            expires_at=now + dt.timedelta(minutes=policy.security.session_minutes),
        )
    )
    audit_log.append(uow, actor, "staff.login", [actor.user_id])
    return secret, csrf


def session_actor(uow: UnitOfWork, secret: str) -> tuple[Actor, str] | None:
    """The actor and CSRF token of a live session, or None."""
    row = uow.conn.execute(
        sa.select(staff_sessions).where(staff_sessions.c.session_hash == _digest(secret))
    ).first()
    if row is None or (_aware(row.expires_at) or _now()) <= _now():
        return None
    actor = _actor_by_id(uow, row.user_id)
    return None if actor is None else (actor, row.csrf_token)


def end_session(uow: UnitOfWork, secret: str) -> None:
    uow.conn.execute(
        staff_sessions.delete().where(staff_sessions.c.session_hash == _digest(secret))
    )


def issue_api_token(uow: UnitOfWork, policy: Policy, actor: Actor, label: str) -> tuple[str, str]:
    """A bearer token for API clients: returns (token id, secret). The secret is shown once."""
    token_id = str(uuid.uuid4())
    secret = "cid_" + secrets.token_urlsafe(32)
    now = _now()
    uow.conn.execute(
        api_tokens.insert().values(
            token_id=token_id,
            token_hash=_digest(secret),
            user_id=actor.user_id,
            label=label[:100],
            created_at=now,
            expires_at=now + dt.timedelta(days=policy.security.api_token_days),
        )
    )
    audit_log.append(uow, actor, "staff.token_issued", [token_id])
    return token_id, secret


def token_actor(uow: UnitOfWork, secret: str) -> Actor | None:
    row = uow.conn.execute(
        sa.select(api_tokens).where(api_tokens.c.token_hash == _digest(secret))
    ).first()
    if row is None or row.revoked_at is not None:
        return None
    if (_aware(row.expires_at) or _now()) <= _now():
        return None
    return _actor_by_id(uow, row.user_id)


def revoke_api_token(uow: UnitOfWork, policy: Policy, actor: Actor, token_id: str) -> None:
    """Revoke a token: one's own, or anyone's for an actor who manages staff."""
    query = api_tokens.update().where(
        api_tokens.c.token_id == token_id, api_tokens.c.revoked_at.is_(None)
    )
    if not is_allowed(policy, actor, "staff.manage"):
        query = query.where(api_tokens.c.user_id == actor.user_id)
    done = uow.conn.execute(query.values(revoked_at=_now()))
    if done.rowcount == 0:
        raise NotFound("no live API token with that id")
    audit_log.append(uow, actor, "staff.token_revoked", [token_id])
