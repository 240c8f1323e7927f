"""Purpose on every read, scope by role and centre, exceptions: through the doors and
services, on both databases."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from cityid.accountability import exceptions
from cityid.audit.entry import decode_entry
from cityid.audit.refusals import LoggedRefusal
from cityid.audit.tables import audit_entries
from cityid.bootstrap import open_runtime
from cityid.enrollment import lookup
from cityid.errors import BadInput
from cityid.matching import review
from cityid.operations.accounts import issue_api_token
from cityid.runtime import Runtime
from cityid.staff.actor import Actor
from cityid.store.uow import UnitOfWork
from cityid.web.app import create_app

from .conftest import Clock, enroll, make_people, tune_policy


def _entries(runtime: Runtime, action: str) -> list[Any]:
    with runtime.engine.connect() as conn:
        rows = conn.execute(
            sa.select(audit_entries.c.entry)
            .where(audit_entries.c.action == action)
            .order_by(audit_entries.c.idx)
        ).all()
    return [decode_entry(bytes(r.entry)) for r in rows]


def _open(runtime: Runtime, actor: Actor, application_id: str, purpose: str | None) -> str:
    with UnitOfWork(runtime.engine) as uow:
        shown = lookup.show(uow, runtime, actor, application_id, purpose=purpose)
        uow.commit()
    return shown.application_id


@pytest.fixture
def api(runtime: Runtime, people: dict[str, Actor]) -> Iterator[tuple[TestClient, dict]]:
    with UnitOfWork(runtime.engine) as uow:
        tokens = {
            name: {"Authorization": f"Bearer {issue_api_token(uow, runtime.policy, a, 't')[1]}"}
            for name, a in people.items()
        }
        uow.commit()
    with TestClient(create_app(runtime), base_url="https://testserver") as client:
        yield client, tokens


def test_a_read_without_a_purpose_is_refused_and_logged(runtime, people, api) -> None:
    client, tokens = api
    app_id = enroll(runtime, people["clerk-a"], "bronx-1")

    missing = client.get(f"/api/v1/applications/{app_id}", headers=tokens["clerk-a"])
    assert missing.status_code == 403
    assert missing.json()["error"]["code"] == "purpose_required"
    assert "intake" in missing.json()["error"]["message"]
    wrong = client.get(
        f"/api/v1/applications/{app_id}?purpose=curiosity", headers=tokens["clerk-a"]
    )
    assert wrong.status_code == 403 and wrong.json()["error"]["code"] == "bad_purpose"
    no_ref = client.get(
        f"/api/v1/applications/{app_id}",
        headers={**tokens["clerk-a"], "X-Cityid-Purpose": "disclosure_request"},
    )
    assert no_ref.json()["error"]["code"] == "bad_purpose"
    refused = _entries(runtime, "access.refused")
    assert [(e.reason, e.targets) for e in refused] == [
        ("purpose_required", (app_id,)),
        ("bad_purpose", (app_id,)),
        ("bad_purpose", (app_id,)),
    ]
    assert _entries(runtime, "application.read") == []  # nothing was opened

    opened = client.get(
        f"/api/v1/applications/{app_id}?purpose=desk_request", headers=tokens["clerk-a"]
    )
    assert opened.status_code == 200, opened.text
    by_request = client.get(
        f"/api/v1/applications/{app_id}",
        headers={**tokens["sup"], "X-Cityid-Purpose": "disclosure_request:req-0042"},
    )
    assert by_request.status_code == 200
    reads = _entries(runtime, "application.read")
    assert [(e.reason, e.reason_ref, dict(e.extra)) for e in reads] == [
        ("desk_request", None, {"role": "clerk", "office": "bronx-1"}),
        ("disclosure_request", "req-0042", {"role": "supervisor"}),
    ]
    assert all(e.actor not in ("clerk-a", "sup") for e in reads)  # an id, never a name


def test_the_cli_takes_a_purpose(runtime, people, cli, data_dir, tmp_path) -> None:
    app_id = enroll(runtime, people["clerk-a"], "bronx-1")
    secret = tmp_path / "pw"
    secret.write_text("a long staff password 42")
    base = ("--json", "--data-dir", str(data_dir), "--actor", "clerk-a")
    base = (*base, "--password-file", str(secret))
    refused = cli(*base, "application", "show", app_id)
    assert refused.code == 1 and refused.json["error"]["code"] == "purpose_required"
    shown = cli(*base, "application", "show", app_id, "--purpose", "intake")
    assert shown.code == 0 and shown.json["application_id"] == app_id
    assert [e.reason for e in _entries(runtime, "access.refused")] == ["purpose_required"]
    assert [e.reason for e in _entries(runtime, "application.read")] == ["intake"]


def test_a_clerk_opens_only_their_centres_recent_applications(
    runtime, people, clock: Clock
) -> None:
    mine = enroll(runtime, people["clerk-a"], "bronx-1")
    theirs = enroll(runtime, people["clerk-b"], "queens-1", given="Yusuf", number="ZQ1111111")
    assert _open(runtime, people["clerk-a"], mine, "intake") == mine
    with pytest.raises(LoggedRefusal) as other:
        _open(runtime, people["clerk-a"], theirs, "intake")
    assert other.value.code == "out_of_scope" and other.value.event.reason == "other_centre"
    assert _open(runtime, people["clerk-b"], theirs, "intake") == theirs
    assert _open(runtime, people["sup"], theirs, "intake") == theirs  # a supervisor: all

    clock.move(dt.timedelta(days=runtime.policy.accountability.clerk_days_after_intake + 1))
    with pytest.raises(LoggedRefusal) as old:
        _open(runtime, people["clerk-a"], mine, "desk_request")
    assert old.value.event.reason == "past_intake_days"


def test_an_investigator_opens_only_what_is_in_the_review_queue(runtime, people) -> None:
    first = enroll(runtime, people["clerk-a"], "bronx-1")
    twin = enroll(runtime, people["clerk-a"], "bronx-1", postal_code="11369")  # same person
    other = enroll(runtime, people["clerk-a"], "bronx-1", given="Yusuf", family="Okafor",
                   number="ZQ2222222", born=dt.date(1970, 1, 2))  # fmt: skip
    assert _open(runtime, people["inv"], other, "review_of_flag") == other  # flagged too
    with UnitOfWork(runtime.engine) as uow:  # the investigator clears its flags
        for item in review.list_items(uow, runtime, people["inv"], status="open"):
            if other in (item.application_id, item.other_application_id):
                review.decide(uow, runtime, people["inv"], item.item_id, "not_duplicate")
        uow.commit()
    assert _open(runtime, people["inv"], twin, "review_of_flag") == twin
    assert _open(runtime, people["inv"], first, "review_of_flag") == first
    with pytest.raises(LoggedRefusal) as refused:
        _open(runtime, people["inv"], other, "review_of_flag")
    assert refused.value.event.reason == "not_in_review_queue"


def test_a_supervisors_exception_lets_in_then_expires_and_is_logged(
    runtime, people, clock: Clock
) -> None:
    theirs = enroll(runtime, people["clerk-b"], "queens-1")
    with UnitOfWork(runtime.engine) as uow:
        with pytest.raises(BadInput):
            exceptions.grant(
                uow, runtime, people["sup"], username="clerk-a", application_id=theirs,
                hours=99, reason="resident_complaint",
            )  # fmt: skip
        granted = exceptions.grant(
            uow, runtime, people["sup"], username="clerk-a", application_id=theirs, hours=2,
            reason="resident_complaint",
        )  # fmt: skip
        uow.commit()
    with pytest.raises(Exception, match="cannot"), UnitOfWork(runtime.engine) as uow:
        exceptions.grant(uow, runtime, people["clerk-b"], username="clerk-a",
                         application_id=theirs, hours=1, reason="self_service")  # fmt: skip
    [logged] = _entries(runtime, "access.exception_granted")
    assert logged.targets == (granted.exception_id, people["clerk-a"].user_id, theirs)
    assert logged.actor == people["sup"].user_id and dict(logged.extra) == {"hours": 2}

    assert _open(runtime, people["clerk-a"], theirs, "desk_request") == theirs
    [read] = _entries(runtime, "application.read")
    assert read.extra["exception"] == granted.exception_id
    clock.move(dt.timedelta(hours=2, minutes=1))
    with pytest.raises(LoggedRefusal):
        _open(runtime, people["clerk-a"], theirs, "desk_request")


def test_search_is_capped_and_rate_limited(data_dir, people_tuned) -> None:
    runtime, people, client, tokens = people_tuned
    for i in range(3):  # three applications that answer the same name and birth date
        enroll(runtime, people["clerk-a"], "bronx-1", number=f"ZQ333333{i}",
               postal_code=f"1136{i}")  # fmt: skip
    body = {"family_name": "Quintanilla-Ybarra", "given_name": "Marisol",
            "date_of_birth": "1988-04-17"}  # fmt: skip
    headers = {**tokens["clerk-a"], "X-Cityid-Purpose": "desk_request"}
    answered = client.post("/api/v1/applications/search", json=body, headers=headers)
    assert answered.status_code == 200 and len(answered.json()["applications"]) == 2
    [first] = _entries(runtime, "application.search")
    assert first.extra["found"] == 2 and first.extra["capped"] == 2
    for _ in range(2):
        assert client.post("/api/v1/applications/search", json=body, headers=headers).is_success
    limited = client.post("/api/v1/applications/search", json=body, headers=headers)
    assert limited.status_code == 429 and limited.json()["error"]["code"] == "rate_limited"
    assert [e.reason for e in _entries(runtime, "access.refused")] == ["search_rate"]
    other = client.post(
        "/api/v1/applications/search",
        json=body,
        headers={**tokens["clerk-b"], "X-Cityid-Purpose": "desk_request"},
    )
    assert other.status_code == 200  # the limit is per staffer
    assert len(other.json()["applications"]) == 2


@pytest.fixture
def people_tuned(data_dir) -> Iterator[tuple[Runtime, dict[str, Actor], TestClient, dict]]:
    """Search capped at 2 results and 3 searches an hour."""
    tune_policy(data_dir, search_max_results=2, searches_per_hour=3)
    runtime = open_runtime(data_dir)
    found = make_people(runtime)
    with UnitOfWork(runtime.engine) as uow:
        tokens = {
            name: {"Authorization": f"Bearer {issue_api_token(uow, runtime.policy, a, 't')[1]}"}
            for name, a in found.items()
        }
        uow.commit()
    with TestClient(create_app(runtime), base_url="https://testserver") as client:
        yield runtime, found, client, tokens
    runtime.close()
