"""Fixtures: a runtime on each backend, staff, a centre with next week's slots released."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from cityid.appointments import centres
from cityid.appointments.results import Slot
from cityid.bootstrap import open_runtime
from cityid.runtime import Runtime
from cityid.staff.actor import Actor
from cityid.store.uow import UnitOfWork


@pytest.fixture
def runtime(data_dir: Path) -> Iterator[Runtime]:
    runtime = open_runtime(data_dir)
    yield runtime
    runtime.close()


@pytest.fixture
def staff() -> dict[str, Actor]:
    return {
        role: Actor(user_id=f"user-{role}", username=f"{role}1", role=role)
        for role in ("clerk", "supervisor", "auditor")
    }


def next_monday(today: dt.date) -> dt.date:
    return today + dt.timedelta(days=7 - today.weekday())


@pytest.fixture
def week(runtime: Runtime, staff: dict[str, Actor]) -> list[Slot]:
    """Centre "bronx-hub" with next week's slots: every open slot, soonest first."""
    monday = next_monday(runtime.today())
    with UnitOfWork(runtime.engine) as uow:
        centres.save_centre(
            uow, runtime, staff["supervisor"], "bronx-hub", name="Bronx Hub",
            borough="Bronx", address="1 Fordham Plaza", languages=["eng", "spa"],
            accessibility="Step-free entrance",
        )  # fmt: skip
        centres.release_week(uow, runtime, staff["supervisor"], "bronx-hub", monday)
        uow.commit()
    with UnitOfWork(runtime.engine) as uow:
        now = dt.datetime.now(dt.UTC)
        return centres.open_slots(uow, "bronx-hub", monday, 7, now)


STAFF_PASSWORD = "a long staff password 42"


@pytest.fixture
def accounts(runtime: Runtime) -> dict[str, Actor]:
    """A clerk and a supervisor with real accounts, for the CLI and the web to sign in."""
    from cityid.operations.accounts import add_user

    admin = Actor(user_id="test-admin", username="test-admin", role="admin")
    people = {}
    with UnitOfWork(runtime.engine) as uow:
        for role in ("clerk", "supervisor"):
            people[role] = add_user(
                uow, runtime.policy, username=f"{role}1", role=role,
                password=STAFF_PASSWORD, by=admin,
            )  # fmt: skip
        uow.commit()
    return people


@pytest.fixture
def password_file(tmp_path: Path) -> Path:
    path = tmp_path / "staff.password"
    path.write_text(STAFF_PASSWORD)
    return path
