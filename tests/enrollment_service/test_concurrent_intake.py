"""Two clerks taking in the same person at the same moment still flag the pair.

Each intake runs on a thread of its own with its own connection. The first one screens
and holds its unit of work open; the second starts while the first has not committed.
Screening reserves the match index's sequence number before it searches, so the second
intake waits for the first to commit and then finds it. Without that lock the second
search would run against a register that does not hold the first application yet, and
neither would be flagged.
"""

from __future__ import annotations

import threading
from typing import Any

import pytest
import sqlalchemy as sa

from cityid.enrollment import service
from cityid.runtime import Runtime
from cityid.staff.actor import Actor
from cityid.store.uow import UnitOfWork

from .helpers import applicant_line


def _intake(runtime: Runtime, clerk: Actor, line: dict[str, Any]) -> service.IntakeOutcome:
    today = runtime.today()
    with UnitOfWork(runtime.engine) as uow:
        outcome = service.intake(uow, runtime, clerk, service.parse_request(line, runtime, today))
        uow.commit()
    return outcome


def _someone_waits_for_a_lock(runtime: Runtime) -> bool:
    with runtime.engine.connect() as conn:
        waiting = conn.execute(
            sa.text("SELECT count(*) FROM pg_locks WHERE NOT granted")
        ).scalar_one()
    return int(waiting) > 0


def test_simultaneous_intakes_of_one_person_flag_each_other(
    runtime: Runtime, staff: dict[str, Actor]
) -> None:
    if runtime.engine.dialect.name != "postgresql":
        pytest.skip("SQLite lets one writer in at a time: intakes cannot overlap there")
    clerk = staff["clerk"]
    today = runtime.today()
    # Someone else first: a runtime's first intake also records policy mode changes,
    # whose audit entry would lock the log early and hide what is tested here.
    _intake(runtime, clerk, applicant_line(given="Oksana", family="Melnyk", number="UA1"))
    # Two passports (document reuse is a separate signal): the duplicate search must link them.
    first_line = applicant_line(number="ZQ1000001", today=today)
    second_line = applicant_line(number="ZQ1000002", today=today)
    outcomes: dict[str, service.IntakeOutcome] = {}
    errors: list[BaseException] = []
    first_screened = threading.Event()
    may_commit = threading.Event()

    def first() -> None:
        try:
            with UnitOfWork(runtime.engine) as uow:
                request = service.parse_request(first_line, runtime, today)
                outcomes["first"] = service.intake(uow, runtime, clerk, request)
                first_screened.set()
                assert may_commit.wait(60), "the second intake never started"
                uow.commit()
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)
            first_screened.set()

    def second() -> None:
        try:
            outcomes["second"] = _intake(runtime, clerk, second_line)
        except BaseException as exc:
            errors.append(exc)

    one = threading.Thread(target=first)
    one.start()
    assert first_screened.wait(60)
    two = threading.Thread(target=second)
    two.start()
    # The first commits only once the second is under way and waiting on it.
    for _ in range(6000):
        if _someone_waits_for_a_lock(runtime) or not two.is_alive():
            break
        threading.Event().wait(0.01)
    may_commit.set()
    one.join(60)
    two.join(60)
    assert not errors, errors
    first_id = outcomes["first"].application_id
    flagged = {(f["kind"], f["of"]) for f in outcomes["second"].flags}
    assert ("possible_duplicate", first_id) in flagged
    assert outcomes["second"].status == "flagged"
