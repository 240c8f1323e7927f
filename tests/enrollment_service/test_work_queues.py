"""Issue 22 on both databases: clerk velocity is a desk's signal, not a batch file's; the
decisions and card queues count, filter, sort and page; refusals say what in words."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from cityid.bootstrap import open_runtime
from cityid.enrollment import service, worklist
from cityid.enrollment.screening import IntakeChannel
from cityid.enrollment.transitions import approve
from cityid.errors import BadInput, Forbidden
from cityid.runtime import Runtime
from cityid.staff.actor import Actor
from cityid.store.uow import UnitOfWork

from .helpers import applicant_line

CLERK = Actor(user_id="user-clerk", username="clerk1", role="clerk")
SUPERVISOR = Actor(user_id="user-supervisor", username="supervisor1", role="supervisor")


@pytest.fixture
def runtime(data_dir: Path) -> Iterator[Runtime]:
    # A clerk may take two applications an hour here, so three make a burst.
    policy = data_dir / "policy.toml"
    text = policy.read_text()
    policy.write_text(re.sub(r"clerk_max_applications = \d+", "clerk_max_applications = 2", text))
    runtime = open_runtime(data_dir)
    yield runtime
    runtime.close()


def _take_in(
    runtime: Runtime, count: int, channel: IntakeChannel, start: int = 0
) -> list[service.IntakeOutcome]:
    """`count` different people taken in by one clerk, just now."""
    outcomes = []
    for i in range(start, start + count):
        line = applicant_line(
            given=f"Given{i}", family=["Okafor", "Lindqvist", "Haddad", "Moreau", "Tanaka"][i % 5],
            born=dt.date(1960 + i, 1 + i % 12, 3 + i), number=f"P{i:08d}",
            postal_code=["11368", "10457", "11211", "10027", "11372"][i % 5],
        )  # fmt: skip
        line["documents"][1]["number"] = f"BILL-{i:05d}"
        with UnitOfWork(runtime.engine) as uow:
            request = service.parse_request(line, runtime, runtime.today())
            outcomes.append(service.intake(uow, runtime, CLERK, request, channel=channel))
            uow.commit()
    return outcomes


def _kinds(outcome: service.IntakeOutcome) -> set[str]:
    return {str(f["kind"]) for f in outcome.flags}


def test_a_batch_file_is_not_one_clerk_rushing_but_the_desk_is(runtime: Runtime) -> None:
    batch = _take_in(runtime, 4, IntakeChannel.BATCH)
    assert all("clerk_velocity" not in _kinds(o) for o in batch), [o.flags for o in batch]
    assert {o.status for o in batch} == {"submitted"}
    desk = _take_in(runtime, 1, IntakeChannel.DESK, start=4)[0]
    assert _kinds(desk) == {"clerk_velocity"} and desk.status == "flagged"


def test_the_decisions_queue_counts_filters_sorts_and_pages(runtime: Runtime) -> None:
    taken = _take_in(runtime, 5, IntakeChannel.DESK)  # the 3rd, 4th and 5th are flagged
    flagged = [o.application_id for o in taken if o.status == "flagged"]
    assert len(flagged) == 3
    with UnitOfWork(runtime.engine) as uow:
        first = worklist.decisions(uow, runtime, SUPERVISOR, size=2)
        assert (first.total, first.pages, first.page) == (5, 3, 1)
        assert first.by_status == {"flagged": 3, "submitted": 2}
        assert [r.application_id for r in first.rows] == flagged[:2]  # flagged, oldest first
        last = worklist.decisions(uow, runtime, SUPERVISOR, size=2, page=99)
        assert last.page == 3 and len(last.rows) == 1
        newest = worklist.decisions(uow, runtime, SUPERVISOR, size=5, sort="newest")
        assert [r.application_id for r in newest.rows][:3] == flagged[::-1]
        by_signal = worklist.decisions(uow, runtime, SUPERVISOR, flag="clerk_velocity")
        assert {r.application_id for r in by_signal.rows} == set(flagged)
        assert worklist.decisions(uow, runtime, SUPERVISOR, flag="document_reuse").total == 0
        submitted = worklist.decisions(uow, runtime, SUPERVISOR, status="submitted")
        assert submitted.total == 2
        with pytest.raises(BadInput):
            worklist.decisions(uow, runtime, SUPERVISOR, flag="not_a_signal")
        with pytest.raises(Forbidden, match=r"Your role \(clerk\) cannot decide applications"):
            worklist.decisions(uow, runtime, CLERK)

        assert worklist.awaiting_card(uow, runtime, SUPERVISOR).total == 0
        approve(uow, runtime, SUPERVISOR, flagged[0], "Originals seen")
        waiting = worklist.awaiting_card(uow, runtime, SUPERVISOR)
        assert [r.application_id for r in waiting.rows] == [flagged[0]]
        assert worklist.decisions(uow, runtime, SUPERVISOR).total == 4
        with pytest.raises(Forbidden, match="cannot issue cards"):
            worklist.awaiting_card(uow, runtime, CLERK)
