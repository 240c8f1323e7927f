"""TOTP second factor: required roles set it up at sign-in before anything else, codes
are single-use, another account's code and wrong codes are refused and logged, recovery
codes work once, and a password alone never buys an API token for an account with TOTP."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from cityid.audit.tables import audit_entries
from cityid.operations import accounts
from cityid.staff import totp
from cityid.staff.tables import staff_recovery_codes, staff_users
from cityid.store.uow import UnitOfWork
from tests.conftest import ADMIN_PASSWORD
from tests.staff.staff_helpers import Clock, add_staff, clients, form_token, sign_in

pytestmark = pytest.mark.second_factor


def _enrol(client: TestClient, clock: Clock) -> tuple[str, list[str]]:
    """On the set-up page: read the key, answer with its code; returns key and codes."""
    page = client.get("/console/second-factor")
    assert page.status_code == 200
    assert "<svg" in page.text, "the QR code is on the page"
    found = re.search(r'id="totp-secret">([A-Z2-7 ]+)<', page.text)
    assert found
    secret = found.group(1).replace(" ", "")
    done = client.post(
        "/console/second-factor",
        data={"code": totp.code_at(secret, clock.now()), "csrf_token": form_token(page)},
    )
    assert done.status_code == 200, done.text[:300]
    codes = re.findall(r"<li><code>([a-z0-9]{5}-[a-z0-9]{5})</code></li>", done.text)
    return secret, codes


def _code_page(client: TestClient, code: str) -> Any:
    page = client.get("/console/login/code")
    return client.post(
        "/console/login/code",
        data={"code": code, "csrf_token": form_token(page)},
        follow_redirects=False,
    )


def _sign_out(client: TestClient) -> None:
    home = client.get("/console/")
    client.post("/console/logout", data={"csrf_token": form_token(home)})


def test_an_admin_without_totp_is_taken_to_set_up_before_anything_else(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = Clock(monkeypatch)
    with clients(data_dir, "198.51.100.7") as (_runtime, [client]):
        answer = sign_in(client, "admin", ADMIN_PASSWORD)
        assert answer.headers["location"] == "/console/second-factor"
        for page in ("/console/", "/console/staff/", "/console/audit/"):
            refused = client.get(page, headers={"accept": "text/html"}, follow_redirects=False)
            assert refused.status_code == 303, page
            assert refused.headers["location"] == "/console/login"
        assert client.get("/api/v1/me").status_code == 401
        secret, codes = _enrol(client, clock)
        assert len(codes) == 10 and len(set(codes)) == 10
        assert "Welcome, admin" in client.get("/console/").text
        assert client.get("/console/staff/").status_code == 200
        _sign_out(client)

        assert sign_in(client, "admin", ADMIN_PASSWORD).headers["location"] == "/console/login/code"
        assert client.get("/console/", follow_redirects=False).status_code == 303
        clock.advance(seconds=30)
        ok = _code_page(client, totp.code_at(secret, clock.now()))
        assert ok.status_code == 303 and ok.headers["location"] == "/console/"
        assert "Welcome, admin" in client.get("/console/").text


def test_a_code_is_refused_when_replayed_wrong_or_of_another_account(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = Clock(monkeypatch)
    with clients(data_dir, "198.51.100.7", "198.51.100.8") as (runtime, [admin, other]):
        add_staff(runtime, "counsel1", "counsel")
        sign_in(admin, "admin", ADMIN_PASSWORD)
        admin_secret, _ = _enrol(admin, clock)
        sign_in(other, "counsel1")
        counsel_secret, _ = _enrol(other, clock)
        _sign_out(admin)
        clock.advance(seconds=30)

        sign_in(admin, "admin", ADMIN_PASSWORD)
        used = totp.code_at(admin_secret, clock.now())
        assert _code_page(admin, used).status_code == 303
        _sign_out(admin)
        sign_in(admin, "admin", ADMIN_PASSWORD)
        replayed = _code_page(admin, used)
        assert replayed.status_code == 401
        assert "used already" in replayed.text
        theirs = _code_page(admin, totp.code_at(counsel_secret, clock.now()))
        assert theirs.status_code == 401 and "not right for this account" in theirs.text
        wrong = _code_page(admin, "000000" if used != "000000" else "111111")
        assert wrong.status_code == 401
        assert admin.get("/console/", follow_redirects=False).status_code == 303

        with UnitOfWork(runtime.engine, read_only=True) as uow:
            refused = uow.conn.execute(
                sa.select(sa.func.count())
                .select_from(audit_entries)
                .where(audit_entries.c.action == "staff.second_factor_refused")
            ).scalar_one()
            entries = b"".join(uow.conn.execute(sa.select(audit_entries.c.entry)).scalars())
        assert refused == 3
        for secret in (admin_secret, counsel_secret):
            assert secret.encode() not in entries
        assert used.encode() not in entries


def test_guessing_codes_locks_the_account_like_wrong_passwords(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = Clock(monkeypatch)
    with clients(data_dir, "198.51.100.7") as (runtime, [client]):
        sign_in(client, "admin", ADMIN_PASSWORD)
        secret, _ = _enrol(client, clock)
        _sign_out(client)
        clock.advance(seconds=30)
        sign_in(client, "admin", ADMIN_PASSWORD)
        for _ in range(runtime.policy.security.lockout_after_failures):
            assert _code_page(client, "12345x").status_code == 401
        locked = _code_page(client, totp.code_at(secret, clock.now()))
        assert locked.status_code == 401, "locked: even the right code is refused now"


def test_a_recovery_code_works_once(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    clock = Clock(monkeypatch)
    with clients(data_dir, "198.51.100.7") as (runtime, [client]):
        sign_in(client, "admin", ADMIN_PASSWORD)
        _secret, codes = _enrol(client, clock)
        _sign_out(client)
        sign_in(client, "admin", ADMIN_PASSWORD)
        used = _code_page(client, codes[0].upper().replace("-", " "))  # as typed off paper
        assert used.status_code == 303
        assert "recovery code" in client.get(used.headers["location"]).text
        _sign_out(client)
        sign_in(client, "admin", ADMIN_PASSWORD)
        again = _code_page(client, codes[0])
        assert again.status_code == 401
        assert _code_page(client, codes[1]).status_code == 303
        with UnitOfWork(runtime.engine, read_only=True) as uow:
            hashes = uow.conn.execute(sa.select(staff_recovery_codes.c.code_hash)).scalars().all()
            sealed = uow.conn.execute(sa.select(staff_users.c.totp_secret)).scalars().all()
        assert all(h.startswith("$argon2id$") for h in hashes)
        assert all(codes[2] not in h for h in hashes)
        assert _secret.encode() not in b"".join(s for s in sealed if s)


def test_optional_roles_sign_in_with_a_password_and_may_turn_totp_on(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = Clock(monkeypatch)
    with clients(data_dir, "198.51.100.7") as (runtime, [client]):
        add_staff(runtime, "clerk1", "clerk")
        assert sign_in(client, "clerk1").headers["location"] == "/console/"
        secret, _ = _enrol(client, clock)
        _sign_out(client)
        assert sign_in(client, "clerk1").headers["location"] == "/console/login/code"
        clock.advance(seconds=30)
        assert _code_page(client, totp.code_at(secret, clock.now())).status_code == 303


def test_api_tokens_need_the_code_once_totp_is_on_and_an_admin_can_reset_it(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch, cli: Any
) -> None:
    clock = Clock(monkeypatch)
    with clients(data_dir, "198.51.100.7") as (runtime, [client]):
        body = {"username": "admin", "password": ADMIN_PASSWORD}
        early = client.post("/api/v1/tokens", json=body)
        assert early.status_code == 401 and "set it up" in early.json()["error"]["message"]
        sign_in(client, "admin", ADMIN_PASSWORD)
        secret, _ = _enrol(client, clock)
        bare = client.post("/api/v1/tokens", json=body)
        assert bare.status_code == 401 and "second_factor" in bare.json()["error"]["message"]
        clock.advance(seconds=30)
        code = totp.code_at(secret, clock.now())
        issued = client.post("/api/v1/tokens", json={**body, "second_factor": code})
        assert issued.status_code == 200
        again = client.post("/api/v1/tokens", json={**body, "second_factor": code})
        assert again.status_code == 401, "a code buys one token, not two"

        reset = cli("--json", "--data-dir", str(data_dir), "user", "reset-2fa", "admin")
        assert reset.code == 0, reset.err
        assert client.get("/console/", follow_redirects=False).status_code == 303, "signed out"
        assert sign_in(client, "admin", ADMIN_PASSWORD).headers["location"] == (
            "/console/second-factor"
        )
        with UnitOfWork(runtime.engine, read_only=True) as uow:
            admin = accounts.find_user(uow, "admin")
            assert not uow.conn.execute(
                sa.select(staff_recovery_codes).where(
                    staff_recovery_codes.c.user_id == admin.user_id
                )
            ).first()


def test_which_roles_must_set_up_totp_is_the_policys(data_dir: Path) -> None:
    from cityid.vocabulary import ROLES

    with clients(data_dir, "198.51.100.7") as (runtime, [client]):
        required = set(runtime.policy.security.second_factor_required_roles)
        assert required == {"admin", "counsel", "records_officer"}
        for role in ROLES:
            name = f"user-{role.replace('_', '-')}"
            add_staff(runtime, name, role)
            first = sign_in(client, name).headers["location"]
            wanted = "/console/second-factor" if role in required else "/console/"
            assert first == wanted, role
            client.cookies.clear()
