"""One SQLite data dir per test, and the app on it with bearer tokens for its callers.

The doors under fuzz are the same on both backends.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from cityid.bootstrap import open_runtime
from cityid.operations.accounts import add_user
from cityid.staff.actor import Actor
from cityid.store.uow import UnitOfWork
from cityid.web.app import create_app
from tests.conftest import ADMIN_PASSWORD

CLERK_PASSWORD = "a clerk's long passphrase 1"


@pytest.fixture
def sqlite_data_dir(tmp_path: Path, settings_for: Any) -> Path:
    from cityid.datadir import init_data_dir

    directory = tmp_path / "data"
    init_data_dir(directory, settings_for(directory), admin_password=ADMIN_PASSWORD)
    return directory


def _token(client: TestClient, username: str, password: str) -> str:
    answer = client.post("/api/v1/tokens", json={"username": username, "password": password})
    assert answer.status_code == 200, answer.text
    return str(answer.json()["token"])


@pytest.fixture
def fuzz_app(sqlite_data_dir: Path) -> Iterator[Any]:
    """The app on a fresh data dir, and bearer tokens: anonymous (None), clerk, admin."""
    runtime = open_runtime(sqlite_data_dir)
    with UnitOfWork(runtime.engine) as uow:
        add_user(uow, runtime.policy, username="clerk1", role="clerk",
                 password=CLERK_PASSWORD, by=Actor("test", "test", "admin"))  # fmt: skip
        uow.commit()
    app = create_app(runtime)
    with TestClient(app) as client:
        tokens = {
            "anonymous": None,
            "clerk": _token(client, "clerk1", CLERK_PASSWORD),
            "admin": _token(client, "admin", ADMIN_PASSWORD),
        }
        yield app, tokens


ROLE_PASSWORD = "a long passphrase for a role 5"


@pytest.fixture
def fuzz_app_every_role(sqlite_data_dir: Path) -> Iterator[Any]:
    """The app, and a bearer token for each role (and None for anonymous)."""
    from cityid.vocabulary import ROLES

    runtime = open_runtime(sqlite_data_dir)
    with UnitOfWork(runtime.engine) as uow:
        for role in ROLES:
            add_user(uow, runtime.policy, username=f"fuzz-{role.replace('_', '-')}", role=role,
                     password=ROLE_PASSWORD, by=Actor("test", "test", "admin"))  # fmt: skip
        uow.commit()
    app = create_app(runtime)
    with TestClient(app) as client:
        tokens: dict[str, str | None] = {"anonymous": None}
        for role in ROLES:
            tokens[role] = _token(client, f"fuzz-{role.replace('_', '-')}", ROLE_PASSWORD)
        yield app, tokens
