"""Fixtures: an opened runtime on each backend, and staff to act as."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from cityid.bootstrap import open_runtime
from cityid.operations.accounts import add_user
from cityid.runtime import Runtime
from cityid.staff.actor import Actor
from cityid.store.uow import UnitOfWork

STAFF_PASSWORD = "a long staff password 42"


@pytest.fixture
def runtime(data_dir: Path) -> Iterator[Runtime]:
    runtime = open_runtime(data_dir)
    yield runtime
    runtime.close()


@pytest.fixture
def staff() -> dict[str, Actor]:
    """A clerk and a supervisor as the services see them (no accounts: no password hashing)."""
    return {
        role: Actor(user_id=f"user-{role}", username=f"{role}1", role=role)
        for role in ("clerk", "supervisor")
    }


@pytest.fixture
def accounts(runtime: Runtime) -> dict[str, Actor]:
    """A clerk and a supervisor with real accounts, for the CLI and the web to sign in."""
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
