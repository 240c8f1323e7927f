"""Which centre (office) a staff member works at: set by an admin, read by the guard."""

from __future__ import annotations

import re

import sqlalchemy as sa

from cityid.audit import log as audit_log
from cityid.errors import BadInput, NotFound
from cityid.runtime import Runtime
from cityid.staff.actor import Actor
from cityid.staff.permissions import authorize
from cityid.staff.tables import staff_users
from cityid.store.uow import UnitOfWork

# A centre is a code ("bronx-1"), so it may stand in an audit entry as the office.
CENTRE = re.compile(r"[a-z0-9][a-z0-9-]{0,79}")


def check_centre(centre: str) -> str:
    if not CENTRE.fullmatch(centre):
        raise BadInput("centre is a code: lower-case letters, digits and '-' (e.g. bronx-1)")
    return centre


def set_centre(
    uow: UnitOfWork, runtime: Runtime, actor: Actor, username: str, centre: str | None
) -> str | None:
    """Set (or, with None, clear) a staff member's centre; audited as "staff.centre"."""
    authorize(runtime.policy, actor, "staff.manage")
    if centre is not None:
        check_centre(centre)
    row = uow.conn.execute(
        sa.select(staff_users.c.user_id).where(staff_users.c.username == username)
    ).first()
    if row is None:
        raise NotFound("no staff user by that name")
    uow.conn.execute(
        staff_users.update().where(staff_users.c.user_id == row.user_id).values(centre=centre)
    )
    audit_log.append(
        uow,
        actor,
        "staff.centre",
        [row.user_id],
        reason="set" if centre else "cleared",
        extra={"office": centre} if centre else None,
    )
    return centre


def centre_of(uow: UnitOfWork, user_id: str) -> str | None:
    return uow.conn.execute(
        sa.select(staff_users.c.centre).where(staff_users.c.user_id == user_id)
    ).scalar_one_or_none()


def offices(uow: UnitOfWork, user_ids: list[str]) -> dict[str, tuple[str, str | None]]:
    """Role and centre of each staff id (for reports that never name the person)."""
    if not user_ids:
        return {}
    rows = uow.conn.execute(
        sa.select(staff_users.c.user_id, staff_users.c.role, staff_users.c.centre).where(
            staff_users.c.user_id.in_(sorted(set(user_ids)))
        )
    )
    return {r.user_id: (r.role, r.centre) for r in rows}
