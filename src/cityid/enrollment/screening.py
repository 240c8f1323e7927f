"""Screening a new application for fraud signals: the one hook intake calls.

`screen` returns flags (INTERFACE.md: `{"kind", "of", "score"}`) for a person to review;
nothing is rejected automatically. It runs inside the intake's unit of work, after the
application and its attestations are written, so it can see them. The signals
themselves (1:N duplicate search over keyed encodings, document reuse, address and
clerk velocity) live in `cityid.matching.service`, which also opens review items.
"""

from __future__ import annotations

import sqlalchemy as sa

from cityid.enrollment.applicant import Applicant
from cityid.enrollment.tables import applications
from cityid.matching.service import screen_application
from cityid.matching.signals import Flag
from cityid.runtime import Runtime
from cityid.store.uow import UnitOfWork


def screen(
    uow: UnitOfWork, runtime: Runtime, application_id: str, applicant: Applicant
) -> list[Flag]:
    """Flags for the application just written (its row and attestations exist)."""
    row = uow.conn.execute(
        sa.select(applications.c.clerk_id, applications.c.created_at).where(
            applications.c.application_id == application_id
        )
    ).one()
    flags = screen_application(
        uow, runtime, application_id, applicant, clerk_id=row.clerk_id, now=row.created_at
    )
    return list(flags)
