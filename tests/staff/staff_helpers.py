"""Helpers for the staff-account tests: a client per address, sign-in, a movable clock."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from cityid.bootstrap import open_runtime
from cityid.operations import accounts
from cityid.operations.accounts import add_user
from cityid.runtime import Runtime
from cityid.staff.actor import Actor
from cityid.store.uow import UnitOfWork
from cityid.web.app import create_app

STAFF_PASSWORD = "a staffer's long passphrase 7"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


class Clock:
    """The sign-in clock (accounts.clock_now), moved forward by tests."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.offset = dt.timedelta()
        real = accounts.clock_now
        monkeypatch.setattr(accounts, "clock_now", lambda: real() + self.offset)

    def advance(self, **delta: float) -> None:
        self.offset += dt.timedelta(**delta)

    def now(self) -> dt.datetime:
        return accounts.clock_now()


def add_staff(runtime: Runtime, username: str, role: str) -> Actor:
    with UnitOfWork(runtime.engine) as uow:
        user = add_user(
            uow, runtime.policy, username=username, role=role, password=STAFF_PASSWORD,
            by=Actor("test", "test", "admin"),
        )  # fmt: skip
        uow.commit()
    return user


@contextmanager
def clients(data_dir: Path, *addresses: str) -> Iterator[tuple[Runtime, list[TestClient]]]:
    """One app, and a test client for each client address (all against the same app)."""
    runtime = open_runtime(data_dir)
    app = create_app(runtime)
    made = [
        TestClient(app, base_url="https://testserver", client=(address, 40000))
        for address in addresses
    ]
    with made[0]:
        yield runtime, made
    runtime.close()


def form_token(page: Any) -> str:
    match = CSRF.search(page.text)
    assert match, page.text[:500]
    return match.group(1)


def sign_in(client: TestClient, username: str, password: str = STAFF_PASSWORD) -> Any:
    """Post the sign-in form; returns the answer (not following the redirect)."""
    token = form_token(client.get("/console/login"))
    return client.post(
        "/console/login",
        data={"username": username, "password": password, "csrf_token": token},
        follow_redirects=False,
    )
