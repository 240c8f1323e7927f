"""Work queues over applications: counted, filtered, sorted and paged.

The supervisor's decisions (flagged and submitted) and the approved applications that
wait for a card. Rows are summaries (no personal data), so nothing is decrypted or
audited; the permission is checked first. A page never holds more than `MAX_PAGE_SIZE`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import sqlalchemy as sa

from cityid.enrollment.lookup import QUEUE_STATUSES
from cityid.enrollment.repository import summaries
from cityid.enrollment.results import ApplicationSummary
from cityid.enrollment.screening import FlagKind
from cityid.enrollment.tables import applications
from cityid.errors import BadInput
from cityid.runtime import Runtime
from cityid.staff.actor import Actor
from cityid.staff.permissions import authorize
from cityid.store.uow import UnitOfWork

MAX_PAGE_SIZE = 100
Sort = Literal["oldest", "newest"]


@dataclass(frozen=True)
class WorkPage:
    """One page of a queue: its rows, how many match in all, and the queue's counts."""

    rows: list[ApplicationSummary]
    total: int
    page: int
    pages: int
    size: int
    by_status: dict[str, int]


def _flag_filter(kind: str) -> sa.ColumnElement[bool]:
    if kind not in set(FlagKind):
        raise BadInput("flag: not a signal the screen raises")
    # Flags are stored as JSON text written by json.dumps: match the exact kind member.
    needle = json.dumps({"kind": kind})[1:-1]
    return applications.c.flags.like(f"%{needle}%")


def _page(
    uow: UnitOfWork,
    where: Sequence[sa.ColumnElement[bool]],
    order: Sequence[Any],
    page: int,
    size: int,
) -> tuple[list[ApplicationSummary], int, int, int]:
    size = max(1, min(size, MAX_PAGE_SIZE))
    total = int(
        uow.conn.execute(
            sa.select(sa.func.count()).select_from(applications).where(*where)
        ).scalar_one()
    )
    pages = max(1, -(-total // size))
    page = max(1, min(page, pages))
    rows = uow.conn.execute(
        sa.select(applications).where(*where).order_by(*order)
        .limit(size).offset((page - 1) * size)
    ).all()  # fmt: skip
    return summaries(rows), total, page, pages


def _counts(uow: UnitOfWork, statuses: tuple[str, ...]) -> dict[str, int]:
    found: dict[str, int] = dict(
        uow.conn.execute(
            sa.select(applications.c.status, sa.func.count())
            .where(applications.c.status.in_(statuses))
            .group_by(applications.c.status)
        ).all()
    )
    return {status: int(found.get(status, 0)) for status in statuses}


def decisions(
    uow: UnitOfWork,
    runtime: Runtime,
    actor: Actor,
    *,
    status: str | None = None,
    flag: str | None = None,
    sort: Sort = "oldest",
    page: int = 1,
    size: int = 25,
) -> WorkPage:
    """Applications waiting for a supervisor: flagged first, then submitted."""
    authorize(runtime.policy, actor, "application.decide")
    if status is not None and status not in QUEUE_STATUSES:
        raise BadInput("status: flagged or submitted")
    where: list[sa.ColumnElement[bool]] = [
        applications.c.status.in_([status] if status else list(QUEUE_STATUSES))
    ]
    if flag:
        where.append(_flag_filter(flag))
    flagged_first = sa.case((applications.c.status == "flagged", 0), else_=1)
    when = applications.c.created_at
    order = [
        flagged_first,
        when.desc() if sort == "newest" else when,
        applications.c.application_id,
    ]
    rows, total, page, pages = _page(uow, where, order, page, size)
    return WorkPage(rows, total, page, pages, size, _counts(uow, QUEUE_STATUSES))


def awaiting_card(
    uow: UnitOfWork,
    runtime: Runtime,
    actor: Actor,
    *,
    sort: Sort = "oldest",
    page: int = 1,
    size: int = 25,
) -> WorkPage:
    """Approved applications whose card is not issued yet, for the card room."""
    authorize(runtime.policy, actor, "card.issue")
    where = [applications.c.status == "approved"]
    when = applications.c.updated_at
    order = [when.desc() if sort == "newest" else when, applications.c.application_id]
    rows, total, page, pages = _page(uow, where, order, page, size)
    return WorkPage(rows, total, page, pages, size, {"approved": total})
