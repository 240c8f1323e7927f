"""Screening a new application for fraud signals: the one hook intake calls.

`screen` returns flags (INTERFACE.md: `{"kind", "of", "score"}`) for a person to review;
nothing is rejected automatically. It runs inside the intake's unit of work, after the
application and its attestations are written, so it can see them.

Wired here now: document reuse (the same keyed document token on another application,
leaving out the applicant's own earlier applications) and address velocity. The 1:N
duplicate search of `cityid.matching` joins here (see `_possible_duplicates`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa

from cityid.enrollment.applicant import Applicant
from cityid.enrollment.tables import applications, document_attestations
from cityid.matching import signals
from cityid.runtime import Runtime
from cityid.store.uow import UnitOfWork

_MAX_CHAIN = 20


def screen(
    uow: UnitOfWork, runtime: Runtime, application_id: str, applicant: Applicant
) -> list[dict[str, Any]]:
    """Flags for the application just written (its row and attestations exist)."""
    flags: list[dict[str, Any]] = []
    flags.extend(_document_reuse(uow, application_id))
    flags.extend(_address_velocity(uow, runtime, application_id))
    flags.extend(_possible_duplicates(uow, runtime, application_id, applicant))
    return flags


def _own_chain(uow: UnitOfWork, application_id: str) -> set[str]:
    """This application and the earlier ones it renews, replaces or updates."""
    chain = {application_id}
    current: str | None = application_id
    for _ in range(_MAX_CHAIN):
        current = uow.conn.execute(
            sa.select(applications.c.previous_application_id).where(
                applications.c.application_id == current
            )
        ).scalar()
        if current is None or current in chain:
            break
        chain.add(current)
    return chain


def _document_reuse(uow: UnitOfWork, application_id: str) -> list[dict[str, Any]]:
    mine = sa.select(document_attestations.c.token).where(
        document_attestations.c.application_id == application_id
    )
    holders = uow.conn.execute(
        sa.select(document_attestations.c.application_id)
        .where(
            document_attestations.c.token.in_(mine),
            document_attestations.c.application_id != application_id,
        )
        .distinct()
    ).scalars()
    own = _own_chain(uow, application_id)
    return [dict(f) for f in signals.document_reuse(h for h in holders if h not in own)]


def _address_velocity(
    uow: UnitOfWork, runtime: Runtime, application_id: str
) -> list[dict[str, Any]]:
    rules = runtime.policy.matching
    row = uow.conn.execute(
        sa.select(applications.c.address_key, applications.c.created_at).where(
            applications.c.application_id == application_id
        )
    ).one()
    since = row.created_at - dt.timedelta(days=rules.address_window_days)
    earlier = uow.conn.execute(
        sa.select(applications.c.created_at).where(
            applications.c.address_key == row.address_key,
            applications.c.application_id != application_id,
            applications.c.created_at >= since,
        )
    ).scalars()
    return [dict(f) for f in signals.address_velocity(earlier, row.created_at, rules)]


def _possible_duplicates(
    uow: UnitOfWork, runtime: Runtime, application_id: str, applicant: Applicant
) -> list[dict[str, Any]]:
    """The 1:N duplicate search (cityid.matching) plugs in here; none until it is wired."""
    return []
