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
from typing import Any, Literal

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
from cityid.staff.tables import api_tokens, staff_login_failures, staff_sessions, staff_users
from cityid.store.uow import UnitOfWork
from cityid.vocabulary import ROLES

LOCAL_CLIENT = "local"  # the CLI, on the data dir's own machine
PENDING_MINUTES = 10  # a sign-in waiting for its second factor
TOUCH_SECONDS = 60
SessionStage = Literal["full", "mfa", "enrol"]
_USERNAME = re.compile(r"^[a-z][a-z0-9._-]{1,63}$")


def clock_now() -> dt.datetime:
    """The one clock of sign-in, lockout and sessions (a test may move it)."""
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
            created_at=clock_now(),
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


def authenticate(
    uow: UnitOfWork, policy: Policy, username: str, password: str, client: str = LOCAL_CLIENT
) -> Actor:
    """Check a password, counting failures per client address and per (account, address).

    - An address with too many failures (any accounts) waits `throttle_minutes` before any
      password from it is even checked, so its attempts stop counting against anyone.
    - An account locks for the address that failed `lockout_after_failures` times, for
      `lockout_minutes`: a stranger hammering an account locks it for themselves only,
      and its owner still signs in from their own address. An admin can unlock it early.

    Failures are committed even though the caller's work is refused, so lockout holds.
    The message never says whether the username exists.
    """
    refused = Unauthenticated("wrong username or password, or the account is locked")
    now = clock_now()
    address_key = _digest("address\0" + client)
    if _blocked(uow, address_key, now):
        verify_password(DUMMY_HASH, password)
        raise refused
    row = uow.conn.execute(sa.select(staff_users).where(staff_users.c.username == username)).first()
    if row is None or row.disabled:
        verify_password(DUMMY_HASH, password)
        _address_failed(uow, policy, address_key, now)
        uow.commit()
        raise refused
    pair_key = _pair_key(row.user_id, client)
    locked_until = _aware(row.locked_until)
    if (locked_until is not None and locked_until > now) or _blocked(uow, pair_key, now):
        verify_password(DUMMY_HASH, password)
        raise refused
    if not verify_password(row.password_hash, password):
        record_failure(uow, policy, Actor(row.user_id, row.username, row.role), client)
        uow.commit()
        raise refused
    uow.conn.execute(
        staff_login_failures.delete().where(staff_login_failures.c.key_hash == pair_key)
    )
    values: dict[str, object] = {"failed_logins": 0}
    if needs_rehash(row.password_hash):
        values["password_hash"] = hash_password(password)
    uow.conn.execute(
        staff_users.update().where(staff_users.c.user_id == row.user_id).values(**values)
    )
    return Actor(user_id=row.user_id, username=row.username, role=row.role)


def record_failure(uow: UnitOfWork, policy: Policy, actor: Actor, client: str) -> None:
    """Count one failed sign-in step (a password or a second-factor code) for `actor`
    from `client`, lock the pair when it reaches the limit, and log it (no secrets)."""
    now = clock_now()
    rules = policy.security
    locked = _count_failure(
        uow, _pair_key(actor.user_id, client), actor.user_id, rules.lockout_after_failures,
        rules.lockout_minutes, now,
    )  # fmt: skip
    _address_failed(uow, policy, _digest("address\0" + client), now)
    action = "staff.locked" if locked else "staff.login_failed"
    audit_log.append(uow, actor, action, [actor.user_id])


def is_locked_out(uow: UnitOfWork, user_id: str, client: str) -> bool:
    return _blocked(uow, _pair_key(user_id, client), clock_now())


def _pair_key(user_id: str, client: str) -> str:
    return _digest(f"pair\0{user_id}\0{client}")


def _blocked(uow: UnitOfWork, key: str, now: dt.datetime) -> bool:
    until = uow.conn.execute(
        sa.select(staff_login_failures.c.locked_until).where(staff_login_failures.c.key_hash == key)
    ).scalar()
    until = _aware(until)
    return until is not None and until > now


def _address_failed(uow: UnitOfWork, policy: Policy, key: str, now: dt.datetime) -> None:
    rules = policy.security
    if _count_failure(
        uow, key, None, rules.throttle_failures_per_address, rules.throttle_minutes, now
    ):
        audit_log.append(uow, Actor.system(), "staff.address_throttled", [])


def _count_failure(
    uow: UnitOfWork, key: str, user_id: str | None, limit: int, minutes: int, now: dt.datetime
) -> bool:
    """One more failure under `key` within a window of `minutes`; True if it now locks."""
    table = staff_login_failures
    row = uow.conn.execute(sa.select(table).where(table.c.key_hash == key)).first()
    window = dt.timedelta(minutes=minutes)
    if row is None:
        failures = 1
        uow.conn.execute(
            table.insert().values(key_hash=key, user_id=user_id, failures=0, first_failed_at=now)
        )
    elif (_aware(row.first_failed_at) or now) + window <= now:
        failures = 1  # the last window is over: count afresh
    else:
        failures = row.failures + 1
    values: dict[str, object] = {"failures": failures, "locked_until": None}
    if failures == 1:
        values["first_failed_at"] = now
    if failures >= limit:
        values = {"failures": 0, "first_failed_at": now, "locked_until": now + window}
    uow.conn.execute(table.update().where(table.c.key_hash == key).values(**values))
    return failures >= limit


def unlock(uow: UnitOfWork, policy: Policy, by: Actor, username: str) -> Actor:
    """Lift every lockout of an account (from any address) before its time is up."""
    authorize(policy, by, "staff.manage")
    user = find_any_user(uow, username)
    uow.conn.execute(
        staff_login_failures.delete().where(staff_login_failures.c.user_id == user.user_id)
    )
    uow.conn.execute(
        staff_users.update()
        .where(staff_users.c.user_id == user.user_id)
        .values(failed_logins=0, locked_until=None)
    )
    audit_log.append(uow, by, "staff.unlocked", [user.user_id])
    return user


def find_any_user(uow: UnitOfWork, username: str) -> Actor:
    """A staff account by name, disabled or not."""
    row = uow.conn.execute(sa.select(staff_users).where(staff_users.c.username == username)).first()
    if row is None:
        raise NotFound(f"no staff user named {username}")
    return Actor(user_id=row.user_id, username=row.username, role=row.role)


def _actor_by_id(uow: UnitOfWork, user_id: str) -> Actor | None:
    row = uow.conn.execute(
        sa.select(staff_users).where(
            staff_users.c.user_id == user_id, staff_users.c.disabled.is_(False)
        )
    ).first()
    return None if row is None else Actor(row.user_id, row.username, row.role)


def start_session(
    uow: UnitOfWork, policy: Policy, actor: Actor, stage: SessionStage = "full"
) -> tuple[str, str]:
    """A new console session: returns (cookie secret, CSRF token).

    A session short of its second factor (`stage` "mfa" or "enrol") opens nothing but
    the second-factor pages, and lives `PENDING_MINUTES` at most.
    """
    secret = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    now = clock_now()
    minutes = policy.security.session_minutes if stage == "full" else PENDING_MINUTES
    uow.conn.execute(
        staff_sessions.insert().values(
            session_hash=_digest(secret),
            user_id=actor.user_id,
            csrf_token=csrf,
            created_at=now,
            last_seen_at=now,
            expires_at=now + dt.timedelta(minutes=minutes),
            stage=stage,
        )
    )
    if stage == "full":
        audit_log.append(uow, actor, "staff.login", [actor.user_id])
    return secret, csrf


def complete_session(uow: UnitOfWork, policy: Policy, secret: str, actor: Actor) -> None:
    """The second factor is done: the pending session becomes a full one, from now."""
    now = clock_now()
    uow.conn.execute(
        staff_sessions.update()
        .where(staff_sessions.c.session_hash == _digest(secret))
        .values(
            stage="full",
            created_at=now,
            last_seen_at=now,
            expires_at=now + dt.timedelta(minutes=policy.security.session_minutes),
        )
    )
    audit_log.append(uow, actor, "staff.login", [actor.user_id])


def _live_session(
    uow: UnitOfWork, policy: Policy | None, secret: str
) -> tuple[sa.Row[Any], Actor] | None:
    row = uow.conn.execute(
        sa.select(staff_sessions).where(staff_sessions.c.session_hash == _digest(secret))
    ).first()
    now = clock_now()
    if row is None or (_aware(row.expires_at) or now) <= now:
        return None
    if policy is not None:
        idle = dt.timedelta(minutes=policy.security.session_idle_minutes)
        seen = _aware(row.last_seen_at) or _aware(row.created_at) or now
        if seen + idle <= now:
            return None
    actor = _actor_by_id(uow, row.user_id)
    return None if actor is None else (row, actor)


def session_actor(
    uow: UnitOfWork, secret: str, policy: Policy | None = None, *, touch: bool = False
) -> tuple[Actor, str] | None:
    """The actor and CSRF token of a live, complete session, or None.

    Absolute expiry always holds; with `policy`, so does the idle timeout, and `touch`
    records this use (at most once a minute, to spare the database a write per request).
    """
    found = _live_session(uow, policy, secret)
    if found is None or found[0].stage != "full":
        return None
    row, actor = found
    now = clock_now()
    seen = _aware(row.last_seen_at) or now
    if touch and now - seen >= dt.timedelta(seconds=TOUCH_SECONDS):
        uow.conn.execute(
            staff_sessions.update()
            .where(staff_sessions.c.session_hash == row.session_hash)
            .values(last_seen_at=now)
        )
    return actor, row.csrf_token


def pending_session(
    uow: UnitOfWork, policy: Policy, secret: str
) -> tuple[Actor, str, SessionStage] | None:
    """A live session at any stage: (actor, CSRF token, stage)."""
    found = _live_session(uow, policy, secret)
    if found is None:
        return None
    row, actor = found
    return actor, row.csrf_token, row.stage


def session_csrf(uow: UnitOfWork, secret: str) -> str | None:
    """The CSRF token of a live session at any stage (every stage's forms need it)."""
    found = _live_session(uow, None, secret)
    return None if found is None else str(found[0].csrf_token)


def end_session(uow: UnitOfWork, secret: str) -> None:
    uow.conn.execute(
        staff_sessions.delete().where(staff_sessions.c.session_hash == _digest(secret))
    )


def end_sessions_of(uow: UnitOfWork, user_id: str) -> None:
    """Sign an account out everywhere (disabled, role changed, password or 2FA reset)."""
    uow.conn.execute(staff_sessions.delete().where(staff_sessions.c.user_id == user_id))


def issue_api_token(uow: UnitOfWork, policy: Policy, actor: Actor, label: str) -> tuple[str, str]:
    """A bearer token for API clients: returns (token id, secret). The secret is shown once."""
    token_id = str(uuid.uuid4())
    secret = "cid_" + secrets.token_urlsafe(32)
    now = clock_now()
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
    if (_aware(row.expires_at) or clock_now()) <= clock_now():
        return None
    return _actor_by_id(uow, row.user_id)


def revoke_api_token(uow: UnitOfWork, policy: Policy, actor: Actor, token_id: str) -> None:
    """Revoke a token: one's own, or anyone's for an actor who manages staff."""
    query = api_tokens.update().where(
        api_tokens.c.token_id == token_id, api_tokens.c.revoked_at.is_(None)
    )
    if not is_allowed(policy, actor, "staff.manage"):
        query = query.where(api_tokens.c.user_id == actor.user_id)
    done = uow.conn.execute(query.values(revoked_at=clock_now()))
    if done.rowcount == 0:
        raise NotFound("no live API token with that id")
    audit_log.append(uow, actor, "staff.token_revoked", [token_id])
