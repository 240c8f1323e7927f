"""Every guarded route (API and console) against every role: the policy's table decides.

The permission guarding a route is read from its `require(...)` dependency, so a new
route joins this matrix by itself. An allowed role may still get 404 or 422 for the
dummy ids used here, but never 401 or 403; a role the table leaves out gets 403.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from cityid.bootstrap import open_runtime
from cityid.operations.accounts import add_user, issue_api_token
from cityid.runtime import Runtime
from cityid.staff.actor import Actor
from cityid.staff.permissions import is_allowed
from cityid.store.uow import UnitOfWork
from cityid.vocabulary import ROLES
from cityid.web.app import create_app
from cityid.web.deps import PERMISSION_ATTRIBUTE


def _guards(dependant: object) -> Iterator[str]:
    call = getattr(dependant, "call", None)
    permission = getattr(call, PERMISSION_ATTRIBUTE, None)
    if permission:
        yield permission
    for sub in getattr(dependant, "dependencies", []):
        yield from _guards(sub)


def _api_routes(routes: list[object]) -> Iterator[APIRoute]:
    for route in routes:
        included = getattr(route, "original_router", None)  # FastAPI's lazily included routers
        if included is not None:
            yield from _api_routes(included.routes)
        elif isinstance(route, APIRoute):
            yield route


def guarded_routes(app: object) -> list[tuple[str, str, str]]:
    found = []
    for route in _api_routes(app.routes):  # type: ignore[attr-defined]
        permissions = sorted(set(_guards(route.dependant)))
        for method in sorted(route.methods - {"HEAD", "OPTIONS"}):
            for permission in permissions:
                found.append((method, route.path, permission))
    return found


def _fill(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "no-such-id", path)


@pytest.fixture
def matrix_client(data_dir: Path) -> Iterator[tuple[TestClient, dict[str, str], Runtime]]:
    runtime = open_runtime(data_dir)
    tokens: dict[str, str] = {}
    with UnitOfWork(runtime.engine) as uow:
        admin = Actor("matrix-admin", "matrix-admin", "admin")
        for role in ROLES:
            user = add_user(
                uow,
                runtime.policy,
                username=f"rbac-{role.replace('_', '-')}",
                role=role,
                password="matrix test passphrase",
                by=admin,
            )
            tokens[role] = issue_api_token(uow, runtime.policy, user, "rbac matrix")[1]
        uow.commit()
    with TestClient(create_app(runtime), base_url="https://testserver") as client:
        yield client, tokens, runtime
    runtime.close()


def test_every_guarded_route_answers_each_role_as_the_table_says(matrix_client) -> None:
    client, tokens, runtime = matrix_client
    routes = guarded_routes(client.app)
    assert any(path.startswith("/console/audit") for _, path, _ in routes)
    surprises = []
    checked = 0
    for method, path, permission in routes:
        anonymous = client.request(method, _fill(path), follow_redirects=False)
        if anonymous.status_code not in (401, 303):
            surprises.append(f"{method} {path} without sign-in: {anonymous.status_code}")
        for role in ROLES:
            response = client.request(
                method,
                _fill(path),
                headers={"Authorization": f"Bearer {tokens[role]}"},
                follow_redirects=False,
            )
            allowed = is_allowed(runtime.policy, Actor("x", "x", role), permission)
            checked += 1
            if allowed and response.status_code in (401, 403):
                surprises.append(f"{method} {path} as {role}: {response.status_code}, table allows")
            if not allowed and response.status_code != 403:
                surprises.append(
                    f"{method} {path} as {role}: {response.status_code}, table forbids"
                )
    assert surprises == [], "\n".join(surprises)
    assert checked >= len(ROLES)


def test_reads_are_scoped_by_role_centre_queue_and_age(matrix_client, monkeypatch) -> None:
    """The scope matrix (accountability): who opens which application, with a purpose."""
    import datetime as dt

    from cityid.accountability.centres import set_centre
    from cityid.audit import log as audit_log
    from cityid.enrollment import service
    from tests.enrollment_service.helpers import applicant_line

    client, tokens, runtime = matrix_client
    admin = Actor("matrix-admin", "matrix-admin", "admin")

    def enroll(centre: str, **line: Any) -> str:
        data = applicant_line(**line)
        data["documents"][1]["number"] = f"ACCT-{line['number']}"  # a bill of their own
        with UnitOfWork(runtime.engine) as uow:
            request = service.parse_request(data, runtime, runtime.today())
            done = service.intake(uow, runtime, admin_clerk, request, centre=centre)
            uow.commit()
        assert done.application_id
        return done.application_id

    admin_clerk = Actor("desk-clerk", "desk-clerk", "clerk")
    with UnitOfWork(runtime.engine) as uow:
        set_centre(uow, runtime, admin, "rbac-clerk", "bronx-1")
        uow.commit()
    own = enroll("bronx-1", given="Ana", family="Ruiz", number="ZQ9000001",
                 born=dt.date(1990, 2, 3))  # fmt: skip
    other = enroll("queens-1", given="Yusuf", family="Okafor", number="ZQ9000002",
                   born=dt.date(1971, 5, 6), postal_code="11201")  # fmt: skip
    queued = enroll("queens-1", given="Li", family="Wei", number="ZQ9000003",
                    born=dt.date(1985, 7, 8), postal_code="10453")  # fmt: skip
    enroll(
        "queens-1",
        given="Li",
        family="Wei",
        number="ZQ9000003",
        born=dt.date(1985, 7, 8),
        postal_code="10453",
    )  # the same person again: a flag
    records = {"own": own, "other": other, "queued": queued}
    may_read = {"clerk", "supervisor", "investigator"}
    expected = {
        "clerk": {"own"},
        "supervisor": {"own", "other", "queued"},
        "investigator": {"queued"},
    }

    def answers() -> dict[tuple[str, str], int]:
        return {
            (role, name): client.get(
                f"/api/v1/applications/{app_id}?purpose=desk_request",
                headers={"Authorization": f"Bearer {tokens[role]}"},
            ).status_code
            for role in ROLES
            for name, app_id in records.items()
        }

    def wanted(allowed: dict[str, set[str]]) -> dict[tuple[str, str], int]:
        return {
            (role, name): 200 if name in allowed.get(role, set()) else 403
            for role in ROLES
            for name in records
        }

    assert set(expected) == may_read
    assert answers() == wanted(expected)
    later = dt.datetime.now(dt.UTC) + dt.timedelta(
        days=runtime.policy.accountability.clerk_days_after_intake + 1
    )
    monkeypatch.setattr(audit_log, "now", lambda: later)
    assert answers() == wanted({**expected, "clerk": set()})  # too old for the clerk now
