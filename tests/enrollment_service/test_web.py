"""The JSON API and the console desk (the web door is the same on both databases)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from cityid.bootstrap import open_runtime
from cityid.staff.actor import Actor
from cityid.web.app import create_app

from .conftest import STAFF_PASSWORD
from .helpers import applicant_line

pytestmark = pytest.mark.parametrize("fresh_database_url", ["sqlite"], indirect=True)


@pytest.fixture
def client(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    monkeypatch.setenv("CITYID_INSECURE_COOKIES", "true")
    runtime = open_runtime(data_dir)
    with TestClient(create_app(runtime)) as client:
        yield client
    runtime.close()


def _token(client: TestClient, actor: Actor) -> dict[str, str]:
    answer = client.post(
        "/api/v1/tokens", json={"username": actor.username, "password": STAFF_PASSWORD}
    )
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['token']}"}


def test_api_intake_read_search_and_decide(client: TestClient, accounts: dict[str, Actor]) -> None:
    clerk = _token(client, accounts["clerk"])
    created = client.post("/api/v1/applications", json=applicant_line(), headers=clerk)
    assert created.status_code == 200, created.text
    body = created.json()
    assert body["status"] == "submitted" and body["points"]["total"] == 4
    app_id = body["application_id"]

    bad = client.post(
        "/api/v1/applications", json=applicant_line(postal_code="07030"), headers=clerk
    )
    assert bad.status_code == 422
    assert "postal_code" in bad.json()["error"]["message"]

    shown = client.get(f"/api/v1/applications/{app_id}?purpose=intake", headers=clerk)
    assert shown.status_code == 200
    assert shown.json()["applicant"]["family_name"] == "Quintanilla-Ybarra"

    found = client.post(
        "/api/v1/applications/search",
        json={"family_name": "quintanilla ybarra", "given_name": "MARISOL",
              "date_of_birth": "1988-04-17"},
        headers={**clerk, "X-Cityid-Purpose": "intake"},
    )  # fmt: skip
    assert [a["application_id"] for a in found.json()["applications"]] == [app_id]

    assert (
        client.post(f"/api/v1/applications/{app_id}/approve", json={}, headers=clerk).status_code
        == 403
    )
    supervisor = _token(client, accounts["supervisor"])
    approved = client.post(
        f"/api/v1/applications/{app_id}/approve", json={"reason": "ok"}, headers=supervisor
    )
    assert approved.status_code == 200 and approved.json()["status"] == "approved"

    status = client.post(
        "/api/v1/applications/status-check",
        json={"reference": body["reference"], "date_of_birth": "1988-04-17"},
    )
    assert status.json() == {"reference": body["reference"], "status": "approved"}
    paths = client.get("/openapi.json").json()["paths"]
    assert "/api/v1/applications/{application_id}/reject" in paths


def _login(client: TestClient, actor: Actor) -> str:
    page = client.get("/console/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token
    client.post(
        "/console/login",
        data={"username": actor.username, "password": STAFF_PASSWORD, "csrf_token": token[1]},
    )
    home = client.get("/console/")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', home.text)
    assert csrf
    return csrf[1]


def _wizard_values(line: dict[str, Any]) -> dict[str, str]:
    values = {
        "given_name": line["given_name"],
        "family_name": line["family_name"],
        "date_of_birth": line["date_of_birth"],
        **{k: v for k, v in line["address"].items()},
    }
    for i, doc in enumerate(line["documents"]):
        values.update(
            {
                f"doc{i}_type": doc["type"],
                f"doc{i}_number": doc["number"],
                f"doc{i}_country": doc["issuing_country"],
                f"doc{i}_expires": doc.get("expires") or "",
                f"doc{i}_mrz": doc.get("mrz") or "",
            }
        )
    return values


def test_console_desk_tally_submit_and_view(client: TestClient, accounts: dict[str, Actor]) -> None:
    csrf = _login(client, accounts["clerk"])
    desk = client.get("/console/enrollment/")
    assert desk.status_code == 200 and 'name="given_name"' in desk.text

    values = _wizard_values(applicant_line())
    one_document = {k: v for k, v in values.items() if not k.startswith("doc1_")}
    tally = client.post("/console/enrollment/tally", data={**one_document, "csrf_token": csrf})
    assert "needs 1 more residency point" in tally.text
    refused = client.post("/console/enrollment/tally", data=one_document)
    assert refused.status_code == 403

    done = client.post(
        "/console/enrollment/",
        data={**values, "csrf_token": csrf, "step": "review", "go": "submit"},
    )
    assert done.status_code == 200 and "Application taken in" in done.text, done.text
    app_id = re.search(r"/console/applications/(app-[0-9a-f]+)", done.text)
    assert app_id
    view = client.get(f"/console/applications/{app_id[1]}?purpose=intake")
    assert "Quintanilla-Ybarra" in view.text
    assert 'value="approve"' not in view.text  # a clerk cannot decide
    assert client.get("/console/enrollment/queue").status_code == 403


def test_the_desk_form_submitted_twice_is_one_application(
    client: TestClient, accounts: dict[str, Actor]
) -> None:
    csrf = _login(client, accounts["clerk"])
    desk = client.get("/console/enrollment/")
    key = re.search(r'name="intake_key" value="([^"]+)"', desk.text)
    assert key, "the desk form carries its own idempotency key"
    form = {**_wizard_values(applicant_line()), "intake_key": key[1], "csrf_token": csrf,
            "step": "review", "go": "submit"}  # fmt: skip
    first = client.post("/console/enrollment/", data=form)
    again = client.post("/console/enrollment/", data=form)  # a double click, a resent form
    reference = re.search(r'<p class="receipt-reference mono">([^<]+)</p>', first.text)
    assert reference and reference[1] in again.text, again.text
    opened = re.findall(r"/console/applications/(app-[0-9a-f]+)", first.text + again.text)
    assert len(set(opened)) == 1
    # Back to the form, a changed answer, the same form: refused, not a second person.
    changed = client.post("/console/enrollment/", data={**form, "given_name": "Marisela"})
    assert "already submitted with other answers" in changed.text
    fresh = re.search(r'name="intake_key" value="([^"]+)"', client.get("/console/enrollment/").text)
    assert fresh and fresh[1] != key[1]
