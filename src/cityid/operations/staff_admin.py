"""Managing staff accounts (the console's staff page and `cityid user ...`): list, role,
disable and enable, password reset. Unlock is accounts.unlock, the second-factor reset
second_factor.reset_second_factor.

Invariants: every change needs staff.manage and lands in the audit log with the account
as its target (never a password); a change that takes power away (disable, new role, new
password) signs the account out everywhere; an administrator cannot disable themselves
or give up their own admin role, so a console is never left without one by accident.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa

from cityid.audit import log as audit_log
from cityid.errors import BadInput, Refused
from cityid.operations import accounts
from cityid.policy import Policy
from cityid.staff.actor import Actor
from cityid.staff.passwords import check_password_policy, hash_password
from cityid.staff.permissions import authorize
from cityid.staff.tables import staff_login_failures, staff_users
from cityid.store.uow import UnitOfWork
from cityid.vocabulary import ROLES


@dataclass(frozen=True)
class StaffAccount:
    user_id: str
    username: str
    role: str
    disabled: bool
    second_factor: bool
    locked: bool
    created_at: dt.datetime


def list_staff(uow: UnitOfWork, policy: Policy, by: Actor) -> list[StaffAccount]:
    """Every account, by name. `locked` means locked for at least one client address."""
    authorize(policy, by, "staff.manage")
    now = accounts.clock_now()
    locked_ids = set(
        uow.conn.execute(
            sa.select(staff_login_failures.c.user_id).where(
                staff_login_failures.c.user_id.is_not(None),
                staff_login_failures.c.locked_until > now,
            )
        ).scalars()
    )
    rows = uow.conn.execute(sa.select(staff_users).order_by(staff_users.c.username)).all()
    return [
        StaffAccount(
            user_id=row.user_id,
            username=row.username,
            role=row.role,
            disabled=bool(row.disabled),
            second_factor=row.totp_enabled_at is not None,
            locked=row.user_id in locked_ids,
            created_at=row.created_at,
        )
        for row in rows
    ]


def set_role(uow: UnitOfWork, policy: Policy, by: Actor, username: str, role: str) -> Actor:
    authorize(policy, by, "staff.manage")
    if role not in ROLES:
        raise BadInput(f"role: must be one of {', '.join(ROLES)}")
    user = accounts.find_any_user(uow, username)
    if user.user_id == by.user_id and role != user.role:
        raise Refused("you cannot change your own role; ask another administrator")
    if role == user.role:
        return user
    _update(uow, user, role=role)
    accounts.end_sessions_of(uow, user.user_id)
    audit_log.append(uow, by, "staff.role_changed", [user.user_id], reason=f"role:{role}")
    return Actor(user.user_id, user.username, role)


def set_disabled(
    uow: UnitOfWork, policy: Policy, by: Actor, username: str, *, disabled: bool
) -> Actor:
    authorize(policy, by, "staff.manage")
    user = accounts.find_any_user(uow, username)
    if user.user_id == by.user_id and disabled:
        raise Refused("you cannot disable your own account; ask another administrator")
    _update(uow, user, disabled=disabled)
    if disabled:
        accounts.end_sessions_of(uow, user.user_id)
    action = "staff.disabled" if disabled else "staff.enabled"
    audit_log.append(uow, by, action, [user.user_id])
    return user


def reset_password(
    uow: UnitOfWork, policy: Policy, by: Actor, username: str, password: str
) -> Actor:
    """A new password chosen by an administrator (told to its owner out of band)."""
    authorize(policy, by, "staff.manage")
    user = accounts.find_any_user(uow, username)
    check_password_policy(password, username, policy.security)
    _update(uow, user, password_hash=hash_password(password))
    accounts.end_sessions_of(uow, user.user_id)
    audit_log.append(uow, by, "staff.password_reset", [user.user_id])
    return user


def _update(uow: UnitOfWork, user: Actor, **values: object) -> None:
    uow.conn.execute(
        staff_users.update().where(staff_users.c.user_id == user.user_id).values(**values)
    )
