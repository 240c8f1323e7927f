"""The review queue on the web: API and console, investigators only, CSRF on the form."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from cityid.bootstrap import open_runtime
from cityid.operations.accounts import add_user
from cityid.staff.actor import Actor
from cityid.store.uow import UnitOfWork
from cityid.web.app import create_app

from .conftest import enroll, person

pytestmark = pytest.mark.parametrize("fresh_database_url", ["sqlite"], indirect=True)
PASSWORD = "a long staff password 42"
BORN = dt.date(1979, 1, 31)


@pytest.fixture
def client(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    monkeypatch.setenv("CITYID_INSECURE_COOKIES", "true")
    runtime = open_runtime(data_dir)
    with UnitOfWork(runtime.engine) as uow:
        for role in ("clerk", "investigator"):
            add_user(
                uow, runtime.policy, username=f"{role}1", role=role, password=PASSWORD,
                by=Actor("test-admin", "test-admin", "admin"),
            )  # fmt: skip
        uow.commit()
    clerk = Actor("user-clerk", "clerk1", "clerk")
    enroll(runtime, clerk, person("Katarzyna", "Wisniewska", BORN, "K1", "V-1"))
    enroll(runtime, clerk, person("Kasia", "Wisniewska", BORN, "K2", "V-2"))
    with TestClient(create_app(runtime)) as client:
        yield client
    runtime.close()


def _bearer(client: TestClient, username: str) -> dict[str, str]:
    answer = client.post("/api/v1/tokens", json={"username": username, "password": PASSWORD})
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['token']}"}


def _console_login(client: TestClient, username: str) -> None:
    page = client.get("/console/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token
    client.post(
        "/console/login",
        data={"username": username, "password": PASSWORD, "csrf_token": token[1]},
    )


def test_review_api_lists_shows_and_decides_for_investigators_only(client: TestClient) -> None:
    investigator, clerk = _bearer(client, "investigator1"), _bearer(client, "clerk1")
    assert client.get("/api/v1/review/items", headers=clerk).status_code == 403
    [item] = client.get("/api/v1/review/items", headers=investigator).json()["items"]
    assert item["kind"] == "possible_duplicate" and item["score"] >= 0.8
    shown = client.get(f"/api/v1/review/items/{item['item_id']}", headers=investigator).json()
    assert [a["applicant"]["given_name"] for a in shown["applications"]] == ["Kasia", "Katarzyna"]
    url = f"/api/v1/review/items/{item['item_id']}/decision"
    assert client.post(url, json={"decision": "duplicate"}, headers=clerk).status_code == 403
    assert client.post(url, json={"decision": "maybe"}, headers=investigator).status_code == 422
    done = client.post(url, json={"decision": "fraud_referred"}, headers=investigator)
    assert done.status_code == 200 and done.json()["decision"] == "fraud_referred"
    assert client.post(url, json={"decision": "duplicate"}, headers=investigator).status_code == 409
    assert "/api/v1/review/items/{item_id}/decision" in client.get("/openapi.json").json()["paths"]


def test_console_shows_the_pair_side_by_side_and_the_form_needs_csrf(client: TestClient) -> None:
    _console_login(client, "investigator1")
    queue = client.get("/console/review/")
    assert queue.status_code == 200 and "May be a person already enrolled" in queue.text
    item_id = re.search(r'href="/console/review/(rev-[0-9a-f]+)"', queue.text)
    assert item_id
    page = client.get(f"/console/review/{item_id[1]}")
    assert "Katarzyna" in page.text and "Kasia" in page.text
    # Why the item is here, in words; the stored codes stay out of sight.
    assert "close to another application" in page.text
    assert "at or above the review threshold" in page.text
    assert ">name_dob_address_encodings_similar<" not in page.text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert csrf
    url = f"/console/review/{item_id[1]}/decision"
    forged = client.post(url, data={"decision": "duplicate", "csrf_token": "forged"})
    assert forged.status_code == 403
    done = client.post(url, data={"decision": "not_duplicate", "csrf_token": csrf[1]})
    assert done.status_code == 200 and "not_duplicate" in done.text
