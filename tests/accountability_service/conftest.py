"""Fixtures: a runtime with staff at two centres, a clock to move, and intake."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from cityid.accountability.centres import set_centre
from cityid.audit import log as audit_log
from cityid.bootstrap import open_runtime
from cityid.enrollment import service
from cityid.operations.accounts import add_user
from cityid.runtime import POLICY_FILE, Runtime
from cityid.staff.actor import Actor
from cityid.store.uow import UnitOfWork
from tests.enrollment_service.helpers import applicant_line

STAFF_PASSWORD = "a long staff password 42"
ADMIN = Actor(user_id="test-admin", username="test-admin", role="admin")
# (username, role, centre)
PEOPLE = (
    ("clerk-a", "clerk", "bronx-1"),
    ("clerk-b", "clerk", "queens-1"),
    ("sup", "supervisor", None),
    ("inv", "investigator", None),
    ("aud", "auditor", None),
)


@dataclass
class Clock:
    """The audit log's clock; None is the real time."""

    at: dt.datetime | None = None

    def now(self) -> dt.datetime:
        return self.at or dt.datetime.now(dt.UTC)

    def move(self, delta: dt.timedelta) -> None:
        self.at = self.now() + delta


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    moved = Clock()
    monkeypatch.setattr(audit_log, "now", moved.now)
    return moved


def tune_policy(data_dir: Path, **values: int) -> None:
    """Set `[accountability]` numbers in the data dir's policy file."""
    path = data_dir / POLICY_FILE
    text = path.read_text("utf-8")
    for name, value in values.items():
        lines = text.split("\n")
        for i, line in enumerate(lines):
            if line.split("=")[0].strip() == name:
                lines[i] = f"{name} = {value}"
                break
        else:
            raise AssertionError(f"no {name} in the policy")
        text = "\n".join(lines)
    path.write_text(text, "utf-8")


@pytest.fixture
def runtime(data_dir: Path) -> Iterator[Runtime]:
    runtime = open_runtime(data_dir)
    yield runtime
    runtime.close()


@pytest.fixture
def people(runtime: Runtime) -> dict[str, Actor]:
    return make_people(runtime)


def make_people(runtime: Runtime) -> dict[str, Actor]:
    """The staff of PEOPLE, with real accounts and centres."""
    found = {}
    with UnitOfWork(runtime.engine) as uow:
        for username, role, centre in PEOPLE:
            found[username] = add_user(
                uow, runtime.policy, username=username, role=role, password=STAFF_PASSWORD,
                by=ADMIN,
            )  # fmt: skip
            if centre:
                set_centre(uow, runtime, ADMIN, username, centre)
        uow.commit()
    return found


def enroll(runtime: Runtime, clerk: Actor, centre: str | None, **line: Any) -> str:
    """One application taken by `clerk` at `centre`; returns its id."""
    today = runtime.today()
    with UnitOfWork(runtime.engine) as uow:
        request = service.parse_request(applicant_line(**line), runtime, today)
        outcome = service.intake(uow, runtime, clerk, request, today=today, centre=centre)
        uow.commit()
    assert outcome.application_id
    return outcome.application_id
