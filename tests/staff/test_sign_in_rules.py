"""Sign-in: lockout that ends by itself or by an admin, a throttle per client address
that keeps a stranger from locking a staffer out, and session idle and absolute ends."""

from __future__ import annotations

from pathlib import Path

import pytest

from cityid.errors import Unauthenticated
from cityid.operations import accounts
from cityid.staff.actor import Actor
from cityid.store.uow import UnitOfWork
from tests.conftest import ADMIN_PASSWORD
from tests.staff.staff_helpers import Clock, add_staff, clients, sign_in

ADMIN = Actor("test-admin", "test-admin", "admin")


def _fail(client, username: str, times: int) -> None:  # type: ignore[no-untyped-def]
    for _ in range(times):
        assert sign_in(client, username, "not the password!!").status_code == 401


def test_a_lockout_ends_when_its_time_is_up(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = Clock(monkeypatch)
    with clients(data_dir, "198.51.100.7") as (runtime, [client]):
        add_staff(runtime, "clerk1", "clerk")
        rules = runtime.policy.security
        _fail(client, "clerk1", rules.lockout_after_failures)
        assert sign_in(client, "clerk1").status_code == 401, "locked: the right password fails"
        clock.advance(minutes=rules.lockout_minutes - 1)
        assert sign_in(client, "clerk1").status_code == 401, "still locked a minute before"
        clock.advance(minutes=2)
        opened = sign_in(client, "clerk1")
        assert opened.status_code == 303
        assert opened.headers["location"] == "/console/"


def test_an_admin_unlocks_an_account_before_its_time(data_dir: Path) -> None:
    with clients(data_dir, "198.51.100.7") as (runtime, [client]):
        add_staff(runtime, "clerk1", "clerk")
        _fail(client, "clerk1", runtime.policy.security.lockout_after_failures)
        assert sign_in(client, "clerk1").status_code == 401
        with UnitOfWork(runtime.engine) as uow:
            with pytest.raises(Exception, match=r"cannot manage staff accounts"):
                accounts.unlock(uow, runtime.policy, Actor("c", "c", "clerk"), "clerk1")
            accounts.unlock(uow, runtime.policy, ADMIN, "clerk1")
            uow.commit()
        assert sign_in(client, "clerk1").status_code == 303


def test_a_stranger_hammering_an_account_does_not_lock_its_owner_out(data_dir: Path) -> None:
    with clients(data_dir, "203.0.113.66", "198.51.100.7") as (runtime, [stranger, owner]):
        add_staff(runtime, "clerk1", "clerk")
        rules = runtime.policy.security
        _fail(stranger, "clerk1", rules.lockout_after_failures + 3)
        assert sign_in(stranger, "clerk1").status_code == 401, "locked for the stranger"
        assert sign_in(owner, "clerk1").status_code == 303, "the owner, elsewhere, gets in"


def test_an_address_that_fails_too_often_waits_whatever_account_it_tries(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = Clock(monkeypatch)
    with clients(data_dir, "203.0.113.66", "198.51.100.7") as (runtime, [stranger, owner]):
        for n in range(3):
            add_staff(runtime, f"clerk{n}", "clerk")
        rules = runtime.policy.security
        tries = 0
        while tries < rules.throttle_failures_per_address:  # spread over many names
            for name in ("clerk0", "clerk1", "clerk2", "nobody"):
                if tries < rules.throttle_failures_per_address:
                    assert sign_in(stranger, name, "guess guess guess").status_code == 401
                    tries += 1
        assert sign_in(stranger, "admin", ADMIN_PASSWORD).status_code == 401, "throttled"
        assert sign_in(owner, "admin", ADMIN_PASSWORD).status_code == 303
        clock.advance(minutes=rules.throttle_minutes + 1)
        assert sign_in(stranger, "admin", ADMIN_PASSWORD).status_code == 303


def test_the_cli_and_api_count_failures_too(data_dir: Path) -> None:
    with clients(data_dir, "198.51.100.7") as (runtime, [client]):
        limit = runtime.policy.security.lockout_after_failures
        for _ in range(limit):
            wrong = client.post("/api/v1/tokens", json={"username": "admin", "password": "x" * 12})
            assert wrong.status_code == 401
        right = client.post(
            "/api/v1/tokens", json={"username": "admin", "password": ADMIN_PASSWORD}
        )
        assert right.status_code == 401
        with UnitOfWork(runtime.engine) as uow:  # the CLI signs in from "local"
            assert accounts.authenticate(uow, runtime.policy, "admin", ADMIN_PASSWORD).role
            with pytest.raises(Unauthenticated):
                accounts.authenticate(
                    uow, runtime.policy, "admin", ADMIN_PASSWORD, client="198.51.100.7"
                )


def test_a_session_ends_when_idle_and_at_its_absolute_end(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = Clock(monkeypatch)
    with clients(data_dir, "198.51.100.7") as (runtime, [client]):
        rules = runtime.policy.security
        add_staff(runtime, "clerk1", "clerk")
        assert sign_in(client, "clerk1").status_code == 303
        assert "Welcome, clerk1" in client.get("/console/").text
        clock.advance(minutes=rules.session_idle_minutes + 1)
        idle = client.get("/console/", follow_redirects=False)
        assert idle.status_code == 303 and idle.headers["location"] == "/console/login"
        assert client.get("/api/v1/me").status_code == 401

        assert sign_in(client, "clerk1").status_code == 303
        used = 0
        step = max(1, rules.session_idle_minutes - 2)
        while used + step < rules.session_minutes:  # kept busy: never idle
            clock.advance(minutes=step)
            used += step
            assert "Welcome, clerk1" in client.get("/console/").text
        clock.advance(minutes=rules.session_minutes - used + 1)
        ended = client.get("/console/", follow_redirects=False)
        assert ended.status_code == 303, "busy or not, a session ends at its absolute end"


def test_bearer_tokens_are_not_touched_by_console_timeouts(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = Clock(monkeypatch)
    with clients(data_dir, "198.51.100.7") as (runtime, [client]):
        issued = client.post(
            "/api/v1/tokens", json={"username": "admin", "password": ADMIN_PASSWORD}
        )
        headers = {"Authorization": f"Bearer {issued.json()['token']}"}
        clock.advance(minutes=runtime.policy.security.session_minutes + 5)
        assert client.get("/api/v1/me", headers=headers).status_code == 200
        assert (
            client.get("/api/v1/me", headers={"Authorization": "Bearer cid_forged"}).status_code
            == 401
        )
