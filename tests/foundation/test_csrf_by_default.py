"""CSRF is on by default: every unsafe route a session cookie reaches refuses a request
without the session's token, and the routes that opt out are exactly the named few."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient

from cityid.runtime import Runtime
from cityid.web import csrf
from cityid.web.app import create_app
from tests.conftest import ADMIN_PASSWORD

# Public endpoints and the sign-in form (its own login CSRF); no session signs them in.
OPTED_OUT = {
    "console.login",
    "auth_api.issue_token",
    "enrollment_api.check_status",
    "cards_public.verify_api",
    "cards_public.verify_upload",
    "applicant.apply_start",
    "applicant.me_status",
    "applicant.me_receipt",
    "retention_public.check",
    "appointments_public.appointments_book",
    "appointments_public.appointments_manage",
    "appointments_public.appointments_move",
    "appointments_public.appointments_cancel",
    "resident_card.card_code",
    "resident_card.card_confirm",
    "accountability_resident.access_code",
    "accountability_resident.access_confirm",
}
REFUSED = "did not come from this console"


@pytest.fixture
def app(data_dir: Path) -> Iterator[FastAPI]:
    runtime = Runtime.open(data_dir)
    yield create_app(runtime)
    runtime.close()


def _signed_in(app: FastAPI) -> tuple[TestClient, str]:
    """A client holding an admin session cookie, and that session's CSRF token."""
    client = TestClient(app, base_url="https://testserver")
    page = client.get("/console/login")
    login = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert login
    client.post(
        "/console/login",
        data={"username": "admin", "password": ADMIN_PASSWORD, "csrf_token": login[1]},
    )
    home = client.get("/console/")
    token = re.search(r'name="csrf_token" value="([^"]+)"', home.text)
    assert token, "the console home carries the session's token (the sign-out form)"
    return client, token[1]


def _unsafe_routes(app: FastAPI) -> list[tuple[APIRoute, str, str]]:
    """(route, method, full path) for every unsafe method of every route in the table."""
    found = []
    # FastAPI keeps included routers as branches: walk the routes they add up to.
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if isinstance(route, APIRoute) and context.path:
            methods = sorted((context.methods or set()) & csrf.UNSAFE_METHODS)
            found += [(route, method, context.path) for method in methods]
    return found


def _url(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "x", path)


def test_the_opted_out_routes_are_exactly_the_named_list(app: FastAPI) -> None:
    keys = [csrf.route_key(route) for route, _, _ in _unsafe_routes(app)]
    assert csrf.EXEMPT == OPTED_OUT
    for name in OPTED_OUT:
        assert keys.count(name) == 1, f"{name} names one unsafe route"


def test_every_unsafe_cookie_route_refuses_a_request_without_the_token(app: FastAPI) -> None:
    client, _token = _signed_in(app)
    checked = []
    with client:
        for route, method, path in _unsafe_routes(app):
            if csrf.route_key(route) in OPTED_OUT:
                continue
            for body in ({}, {"data": {"csrf_token": "forged"}}):
                answer = client.request(method, _url(path), follow_redirects=False, **body)
                assert answer.status_code == 403, (method, path, answer.text)
                assert REFUSED in answer.json()["error"]["message"], (method, path)
            checked.append((method, path))
    # 20 JSON-API writes and 16 console forms when this was written; none may fall out.
    assert sum(path.startswith("/api/") for _, path in checked) >= 20
    assert len(checked) >= 36


def test_the_token_in_a_header_or_a_form_field_passes(app: FastAPI) -> None:
    client, token = _signed_in(app)
    with client:
        # Past the check, the route answers for itself: no such token to revoke.
        sent = client.delete("/api/v1/tokens/no-such-token", headers={"X-CSRF-Token": token})
        assert sent.status_code == 404, sent.text
        out = client.post("/console/logout", data={"csrf_token": token}, follow_redirects=False)
        assert out.status_code == 303


def test_another_origin_is_refused_even_with_the_token(app: FastAPI) -> None:
    client, token = _signed_in(app)
    with client:
        for headers in (
            {"Origin": "https://evil.example"},
            {"Referer": "https://evil.example/page"},
            {"Sec-Fetch-Site": "cross-site"},
            {"Sec-Fetch-Site": "same-site", "Origin": "https://testserver"},
        ):
            answer = client.delete(
                "/api/v1/tokens/no-such-token", headers={"X-CSRF-Token": token, **headers}
            )
            assert answer.status_code == 403, headers
            assert "did not come from this site" in answer.json()["error"]["message"]
        for headers in (
            {"Origin": "https://testserver"},
            {"Origin": "null", "Sec-Fetch-Site": "same-origin"},
            {"Referer": "https://testserver/console/"},
        ):
            answer = client.delete(
                "/api/v1/tokens/no-such-token", headers={"X-CSRF-Token": token, **headers}
            )
            assert answer.status_code == 404, headers


def test_bearer_clients_and_signed_out_callers_need_no_token(app: FastAPI) -> None:
    client = TestClient(app, base_url="https://testserver")
    with client:
        issued = client.post(
            "/api/v1/tokens", json={"username": "admin", "password": ADMIN_PASSWORD}
        )
        assert issued.status_code == 200
        bearer = {"Authorization": f"Bearer {issued.json()['token']}"}
        assert client.delete("/api/v1/tokens/no-such-token", headers=bearer).status_code == 404
        # No session: the route answers 401 itself; CSRF has nothing to protect.
        assert client.post("/api/v1/cards", json={"application_id": "x"}).status_code == 401
