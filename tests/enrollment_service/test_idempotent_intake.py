"""A desk client retrying an intake with its Idempotency-Key enrolls no one twice."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from cityid.audit.tables import audit_entries
from cityid.enrollment.tables import applications, intake_requests
from cityid.runtime import Runtime
from cityid.staff.actor import Actor
from cityid.store.uow import UnitOfWork
from cityid.web.app import create_app

from .conftest import STAFF_PASSWORD
from .helpers import applicant_line

KEY = "5f0c1e9a-retry-0001"


@pytest.fixture
def client(runtime: Runtime, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    monkeypatch.setenv("CITYID_INSECURE_COOKIES", "true")
    with TestClient(create_app(runtime)) as client:
        yield client


def _headers(client: TestClient, actor: Actor, key: str | None = KEY) -> dict[str, str]:
    answer = client.post(
        "/api/v1/tokens", json={"username": actor.username, "password": STAFF_PASSWORD}
    )
    assert answer.status_code == 200, answer.text
    headers = {"Authorization": f"Bearer {answer.json()['token']}"}
    if key is not None:
        headers["Idempotency-Key"] = key
    return headers


def _count(runtime: Runtime, table: sa.Table, *where: sa.ColumnElement[bool]) -> int:
    with UnitOfWork(runtime.engine, read_only=True) as uow:
        return int(uow.conn.execute(sa.select(sa.func.count()).select_from(table).where(*where))
                   .scalar_one())  # fmt: skip


def test_a_retry_gets_the_first_answer_and_enrolls_no_one_twice(
    client: TestClient, runtime: Runtime, accounts: dict[str, Actor]
) -> None:
    headers = _headers(client, accounts["clerk"])
    first = client.post("/api/v1/applications", json=applicant_line(), headers=headers)
    again = client.post("/api/v1/applications", json=applicant_line(), headers=headers)
    assert first.status_code == again.status_code == 200, again.text
    assert again.json() == first.json() and first.json()["application_id"]
    assert _count(runtime, applications) == 1
    replayed = audit_entries.c.action == "application.intake_replayed"
    assert _count(runtime, audit_entries, replayed) == 1

    # The key kept for the retry holds no name, address or document number.
    with UnitOfWork(runtime.engine, read_only=True) as uow:
        kept = uow.conn.execute(sa.select(intake_requests)).one()
    text = f"{kept.response} {kept.request_sha256}"
    for value in ("Quintanilla", "Marisol", "1988-04-17", applicant_line()["address"]["line1"]):
        assert value not in text

    # The same key for another applicant is the client's mistake: refused, nothing stored.
    other = applicant_line(given="Ana", family="Okafor", born=dt.date(1990, 1, 2), number="X1")
    reused = client.post("/api/v1/applications", json=other, headers=headers)
    assert reused.status_code == 409
    assert reused.json()["error"]["code"] == "idempotency_key_reused"
    assert _count(runtime, applications) == 1

    # Without a key, or with a fresh one, a request is a new intake as before.
    fresh = client.post(
        "/api/v1/applications", json=other, headers=_headers(client, accounts["clerk"], "k-2-fresh")
    )
    assert (
        fresh.status_code == 200
        and fresh.json()["application_id"] != first.json()["application_id"]
    )
    assert _count(runtime, applications) == 2


def test_keys_are_checked_and_forgotten_after_a_day(
    client: TestClient, runtime: Runtime, accounts: dict[str, Actor]
) -> None:
    bad = client.post(
        "/api/v1/applications",
        json=applicant_line(),
        headers=_headers(client, accounts["clerk"], "short"),
    )
    assert bad.status_code == 422 and "Idempotency-Key" in bad.json()["error"]["message"]
    assert _count(runtime, applications) == 0

    headers = _headers(client, accounts["clerk"])
    first = client.post("/api/v1/applications", json=applicant_line(), headers=headers)
    assert first.status_code == 200
    with UnitOfWork(runtime.engine) as uow:  # a day and a minute later
        uow.conn.execute(
            intake_requests.update().values(
                created_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=1, minutes=1)
            )
        )
        uow.commit()
    later = client.post("/api/v1/applications", json=applicant_line(), headers=headers)
    assert later.status_code == 200
    assert later.json()["application_id"] != first.json()["application_id"]
    assert _count(runtime, intake_requests) == 1  # the old one deleted, the new one kept


def test_two_retries_at_once_enroll_one_application(
    client: TestClient, runtime: Runtime, accounts: dict[str, Actor]
) -> None:
    headers = _headers(client, accounts["clerk"])
    start = threading.Barrier(3)
    answers: list[tuple[int, dict[str, object]]] = []

    def send() -> None:
        start.wait()
        answer = client.post("/api/v1/applications", json=applicant_line(), headers=headers)
        answers.append((answer.status_code, answer.json()))

    threads = [threading.Thread(target=send) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # SQLite serialises them (the others are replays); on PostgreSQL the losers of the
    # race roll back and say so.
    assert _count(runtime, applications) == 1
    enrolled = {body["application_id"] for status, body in answers if status == 200}
    assert len(enrolled) == 1
    for status, body in answers:
        assert status == 200 or body["error"]["code"] == "idempotency_key_in_flight"  # type: ignore[index]
