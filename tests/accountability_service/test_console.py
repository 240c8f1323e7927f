"""The console: a purpose prompt before a record opens, and a synthetic insider driven
through the console whose alert the auditor works in the queue."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient

from cityid.bootstrap import open_runtime
from cityid.runtime import Runtime
from cityid.staff.actor import Actor
from cityid.web.app import create_app

from .conftest import STAFF_PASSWORD, Clock, enroll, make_people, tune_policy


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


@pytest.fixture
def tuned(data_dir: Path) -> Iterator[tuple[Runtime, dict[str, Actor]]]:
    tune_policy(data_dir, max_reads_per_hour=20)
    runtime = open_runtime(data_dir)
    yield runtime, make_people(runtime)
    runtime.close()


def _client(runtime: Runtime) -> TestClient:
    return TestClient(create_app(runtime), base_url="https://testserver")


def test_the_console_asks_why_before_it_opens_a_record(tuned) -> None:
    runtime, people = tuned
    app_id = enroll(runtime, people["clerk-a"], "bronx-1")
    with _client(runtime) as client:
        _login(client, people["clerk-a"])
        asked = client.get(f"/console/applications/{app_id}")
        assert "Why are you opening this record?" in asked.text
        assert "Quintanilla" not in asked.text
        assert 'name="purpose"' in asked.text and "desk request" in asked.text
        opened = client.get(f"/console/applications/{app_id}?purpose=desk_request")
        assert "Quintanilla-Ybarra" in opened.text
        again = client.get(f"/console/applications/{app_id}")  # remembered for the task
        assert "Quintanilla-Ybarra" in again.text
        csrf = _login(client, people["clerk-b"])
        refused = client.get(f"/console/applications/{app_id}?purpose=intake")
        assert refused.status_code == 403 and "another centre" in refused.text
        found = client.post(
            "/console/applications/search",
            data={"family_name": "Quintanilla-Ybarra", "given_name": "Marisol",
                  "date_of_birth": "1988-04-17", "purpose": "", "csrf_token": csrf},
        )  # fmt: skip
        assert found.status_code == 403 and "names a purpose" in found.text


def test_a_synthetic_insider_in_the_console_raises_an_alert_the_auditor_works(
    tuned, clock: Clock
) -> None:
    runtime, people = tuned
    records = [
        enroll(runtime, people["clerk-a"], "bronx-1", given=f"Persona{i}",
               family=f"Apellido{i}", number=f"ZQ77700{i:02d}")
        for i in range(3)
    ]  # fmt: skip
    tz = ZoneInfo(runtime.policy.program.timezone)  # mid-morning: only the rate is odd
    clock.at = dt.datetime.combine(dt.datetime.now(tz).date(), dt.time(10, 5), tz)
    with _client(runtime) as client:
        _login(client, people["clerk-a"])
        for i in range(30):  # far more than the (tuned) normal 20 an hour
            clock.move(dt.timedelta(seconds=30))
            page = client.get(f"/console/applications/{records[i % 3]}?purpose=intake")
            assert page.status_code == 200

        csrf = _login(client, people["aud"])
        empty = client.get("/console/accountability/alerts")
        assert "No open alerts." in empty.text
        scanned = client.post("/console/accountability/alerts/scan", data={"csrf_token": csrf})
        assert scanned.status_code == 200 and "new alerts" in scanned.text
        assert "More reads in an hour than normal" in scanned.text
        assert "clerk-a (clerk, bronx-1)" in scanned.text
        link = re.search(r'href="(/console/accountability/alerts/alert-[0-9a-f]+)"', scanned.text)
        assert link
        alert = client.get(link[1])
        assert alert.text.count("application.read") == 30
        assert all(r in alert.text for r in records)
        board = client.get("/console/dashboard/")
        assert re.search(
            r'id="insider-alerts"><a href="/console/accountability/alerts">1<', board.text
        )
        closed = client.post(f"{link[1]}/close", data={"outcome": "referred", "csrf_token": csrf})
        assert "Alert closed." in closed.text and "closed: referred" in closed.text
        assert "No open alerts." in client.get("/console/accountability/alerts").text
        bad = client.post(f"{link[1]}/close", data={"outcome": "referred", "csrf_token": csrf})
        assert bad.status_code == 409


def test_the_desk_report_shows_and_downloads_a_report_that_verifies(tuned) -> None:
    from cityid.accountability.report_check import verify_report
    from cityid.audit.service import verifier_keys

    runtime, people = tuned
    app_id = enroll(runtime, people["clerk-a"], "bronx-1")
    with _client(runtime) as client:
        _login(client, people["sup"])
        client.get(f"/console/applications/{app_id}?purpose=desk_request")
        _login(client, people["clerk-a"])
        page = client.get(f"/console/accountability/report?application_id={app_id}")
        assert page.status_code == 200
        assert "desk request" in page.text and "supervisor" in page.text
        assert "sup<" not in page.text and "Quintanilla" not in page.text
        download = client.get(
            f"/console/accountability/report?application_id={app_id}&download=true"
        )
        assert download.headers["content-disposition"].startswith("attachment")
        verdict = verify_report(download.json(), verifier_keys(runtime))
        assert verdict.ok, verdict.message
        missing = client.get("/console/accountability/report?application_id=app-nope")
        assert missing.status_code == 404
