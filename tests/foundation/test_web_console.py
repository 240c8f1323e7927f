"""The web shell: health, readiness, sign-in with CSRF and lockout, bearer tokens."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from cityid.bootstrap import open_runtime
from cityid.web.app import create_app
from tests.conftest import ADMIN_PASSWORD


@pytest.fixture
def client(data_dir: Path) -> TestClient:
    runtime = open_runtime(data_dir)
    with TestClient(create_app(runtime), base_url="https://testserver") as test_client:
        yield test_client
    runtime.close()


def _login_form(client: TestClient) -> str:
    page = client.get("/console/login")
    assert page.status_code == 200
    match = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert match
    return match.group(1)


def test_health_readiness_and_openapi(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["checks"] == {"database": "ok", "keystore": "ok"}
    assert client.get("/openapi.json").json()["info"]["title"] == "cityid"


def test_sign_in_sets_a_secure_session_cookie(client: TestClient) -> None:
    csrf = _login_form(client)
    response = client.post(
        "/console/login",
        data={"username": "admin", "password": ADMIN_PASSWORD, "csrf_token": csrf},
        follow_redirects=False,
    )
    assert response.status_code == 303
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("__Host-cityid_session=")
    for attribute in ("Secure", "HttpOnly", "SameSite=strict", "Path=/"):
        assert attribute.lower() in cookie.lower()
    home = client.get("/console/")
    assert "Welcome, admin" in home.text
    assert home.headers["cache-control"] == "no-store"
    assert "frame-ancestors 'none'" in home.headers["content-security-policy"]


def test_sign_in_without_the_form_token_is_refused(client: TestClient) -> None:
    _login_form(client)
    response = client.post(
        "/console/login",
        data={"username": "admin", "password": ADMIN_PASSWORD, "csrf_token": "forged"},
        follow_redirects=False,
    )
    assert response.status_code == 400
    assert "cityid_session" not in response.headers.get("set-cookie", "")


def test_sign_out_needs_the_session_csrf_token(client: TestClient) -> None:
    csrf = _login_form(client)
    client.post(
        "/console/login", data={"username": "admin", "password": ADMIN_PASSWORD, "csrf_token": csrf}
    )
    refused = client.post("/console/logout", data={"csrf_token": "wrong"}, follow_redirects=False)
    assert refused.status_code == 403
    assert "Welcome" in client.get("/console/").text
    session_csrf = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/console/").text)
    assert session_csrf
    client.post("/console/logout", data={"csrf_token": session_csrf.group(1)})
    assert client.get("/console/", follow_redirects=False).status_code == 303


def test_repeated_failures_lock_the_account(client: TestClient, data_dir: Path) -> None:
    limit = open_runtime(data_dir).policy.security.lockout_after_failures
    for _ in range(limit):
        csrf = _login_form(client)
        wrong = client.post(
            "/console/login",
            data={"username": "admin", "password": "wrong password!!", "csrf_token": csrf},
        )
        assert wrong.status_code == 401
    csrf = _login_form(client)
    locked = client.post(
        "/console/login", data={"username": "admin", "password": ADMIN_PASSWORD, "csrf_token": csrf}
    )
    assert locked.status_code == 401, "the right password does not open a locked account"
    assert "locked" in locked.text


def test_bearer_tokens_are_issued_used_and_revoked(client: TestClient) -> None:
    issued = client.post("/api/v1/tokens", json={"username": "admin", "password": ADMIN_PASSWORD})
    assert issued.status_code == 200
    token = issued.json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/me", headers=headers).json()["role"] == "admin"
    assert (
        client.delete(f"/api/v1/tokens/{issued.json()['token_id']}", headers=headers).status_code
        == 204
    )
    after = client.get("/api/v1/me", headers=headers)
    assert after.status_code == 401
    assert after.json()["error"]["code"] == "unauthenticated"


def test_wrong_password_for_the_api_is_401_without_detail(client: TestClient) -> None:
    response = client.post("/api/v1/tokens", json={"username": "nobody", "password": "x" * 12})
    assert response.status_code == 401
    assert "nobody" not in response.text
