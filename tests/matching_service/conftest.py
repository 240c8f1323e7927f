"""Fixtures: an opened runtime on each backend, staff to act as, and intake with screening."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cityid.bootstrap import open_runtime
from cityid.enrollment import service
from cityid.matching.service import screen_application
from cityid.runtime import Runtime
from cityid.staff.actor import Actor
from cityid.store.uow import UnitOfWork
from tests.enrollment_service.helpers import applicant_line


@pytest.fixture
def runtime(data_dir: Path) -> Iterator[Runtime]:
    runtime = open_runtime(data_dir)
    yield runtime
    runtime.close()


@pytest.fixture
def staff() -> dict[str, Actor]:
    return {
        role: Actor(user_id=f"user-{role}", username=f"{role}1", role=role)
        for role in ("clerk", "supervisor", "investigator")
    }


def person(
    given: str, family: str, born: dt.date, passport: str, bill: str, **extra: Any
) -> dict[str, Any]:
    """An applicant line whose two documents carry numbers of this test's choosing."""
    line = applicant_line(given=given, family=family, born=born, number=passport, **extra)
    line["documents"][1]["number"] = bill
    return line


def enroll(runtime: Runtime, clerk: Actor, line: dict[str, Any]) -> tuple[str, list[Any]]:
    """Intake (enrollment's service) then screening, in one unit of work, as intake will."""
    today = runtime.today()
    with UnitOfWork(runtime.engine) as uow:
        request = service.parse_request(line, runtime, today)
        outcome = service.intake(uow, runtime, clerk, request, today=today)
        assert outcome.application_id, outcome
        flags = screen_application(
            uow, runtime, outcome.application_id, request.applicant,
            clerk_id=clerk.user_id, now=dt.datetime.now(dt.UTC),
        )  # fmt: skip
        uow.commit()
    return outcome.application_id, list(flags)
