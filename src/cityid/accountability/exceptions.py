"""A supervisor's time-limited exception: one staffer may open one application.

Granting is audited ("access.exception_granted"); each read it allows names the
exception in its audit entry. An exception lasts at most the policy's hours and ends by
itself; nothing extends it (grant another, which is logged again).
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

import sqlalchemy as sa

from cityid.accountability.tables import access_exceptions
from cityid.audit import log as audit_log
from cityid.audit.entry import PersonalDataRefused, _code
from cityid.enrollment.tables import applications
from cityid.errors import BadInput, NotFound
from cityid.runtime import Runtime
from cityid.staff.actor import Actor
from cityid.staff.permissions import authorize
from cityid.staff.tables import staff_users
from cityid.store.uow import UnitOfWork


@dataclass(frozen=True)
class AccessException:
    exception_id: str
    staff_id: str
    application_id: str
    reason: str
    granted_by: str
    granted_at: str
    expires_at: str


def grant(
    uow: UnitOfWork,
    runtime: Runtime,
    actor: Actor,
    *,
    username: str,
    application_id: str,
    hours: int,
    reason: str,
) -> AccessException:
    """Let `username` open `application_id` for `hours` (at most the policy's limit)."""
    authorize(runtime.policy, actor, "access.exception")
    limit = runtime.policy.accountability.exception_max_hours
    if not 1 <= hours <= limit:
        raise BadInput(f"an exception lasts from 1 to {limit} hours")
    try:
        _code(reason, "reason")
    except PersonalDataRefused:
        raise BadInput("reason is a code (e.g. court_order, resident_complaint)") from None
    staff_id = uow.conn.execute(
        sa.select(staff_users.c.user_id).where(staff_users.c.username == username)
    ).scalar_one_or_none()
    if staff_id is None:
        raise NotFound("no staff user by that name")
    if staff_id == actor.user_id:
        raise BadInput("a supervisor does not grant an exception to themselves")
    known = uow.conn.execute(
        sa.select(applications.c.application_id).where(
            applications.c.application_id == application_id
        )
    ).first()
    if known is None:
        raise NotFound(f"no application {application_id}")
    now = audit_log.now()
    row = {
        "exception_id": f"exc-{secrets.token_hex(8)}",
        "staff_id": staff_id,
        "application_id": application_id,
        "reason": reason,
        "granted_by": actor.user_id,
        "granted_at": now,
        "expires_at": now + dt.timedelta(hours=hours),
    }
    uow.conn.execute(access_exceptions.insert().values(**row))
    audit_log.append(
        uow,
        actor,
        "access.exception_granted",
        [row["exception_id"], staff_id, application_id],
        reason=reason,
        extra={"hours": hours},
    )
    return _shown(row)


def active(uow: UnitOfWork, staff_id: str, application_id: str) -> str | None:
    """The id of an unexpired exception letting `staff_id` open `application_id`."""
    return uow.conn.execute(
        sa.select(access_exceptions.c.exception_id)
        .where(
            access_exceptions.c.staff_id == staff_id,
            access_exceptions.c.application_id == application_id,
            access_exceptions.c.expires_at > audit_log.now(),
        )
        .order_by(access_exceptions.c.expires_at.desc())
        .limit(1)
    ).scalar_one_or_none()


def listed(uow: UnitOfWork, runtime: Runtime, actor: Actor) -> list[AccessException]:
    """Exceptions still running, newest first."""
    authorize(runtime.policy, actor, "access.exception")
    rows = uow.conn.execute(
        sa.select(access_exceptions)
        .where(access_exceptions.c.expires_at > audit_log.now())
        .order_by(access_exceptions.c.granted_at.desc())
        .limit(200)
    ).mappings()
    return [_shown(dict(r)) for r in rows]


def _shown(row: dict[str, object]) -> AccessException:
    def stamp(value: object) -> str:
        assert isinstance(value, dt.datetime)
        aware = value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value
        return aware.astimezone(dt.UTC).isoformat(timespec="seconds")

    return AccessException(
        exception_id=str(row["exception_id"]),
        staff_id=str(row["staff_id"]),
        application_id=str(row["application_id"]),
        reason=str(row["reason"]),
        granted_by=str(row["granted_by"]),
        granted_at=stamp(row["granted_at"]),
        expires_at=stamp(row["expires_at"]),
    )
