"""Matching's answer to enrollment's screening port: the 1:N search and fraud signals."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from cityid.enrollment.applicant import Applicant
from cityid.enrollment.screening import Flag
from cityid.matching.service import screen_application
from cityid.runtime import Runtime
from cityid.store.uow import UnitOfWork


class MatchingScreener:
    """`IntakeScreener` by `screen_application`: stores the encoding, opens review items."""

    def screen(
        self,
        uow: UnitOfWork,
        runtime: Runtime,
        application_id: str,
        applicant: Applicant,
        *,
        clerk_id: str,
        now: dt.datetime,
        count_clerk: bool = True,
    ) -> Sequence[Flag]:
        return screen_application(
            uow, runtime, application_id, applicant, clerk_id=clerk_id, now=now,
            count_clerk=count_clerk,
        )  # fmt: skip
