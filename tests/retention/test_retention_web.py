"""The console for counsel (holds, with CSRF) and the public receipt check page."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from cityid.bootstrap import open_runtime
from cityid.enrollment.tables import applications
from cityid.jsonable import to_json
from cityid.operations.accounts import add_user
from cityid.retention import disposition, legacy_import
from cityid.retention.receipts import issue_receipts
from cityid.runtime import Runtime
from cityid.staff.actor import Actor
from cityid.store.uow import UnitOfWork
from cityid.web.app import create_app
from tests.retention.retention_helpers import ADMIN, PASSWORD, actors, write_backlog


@pytest.fixture
def runtime(data_dir: Path) -> Iterator[Runtime]:
    opened = open_runtime(data_dir)
    yield opened
    opened.close()


# The console and the public page are thin doors onto services the other tests run on both
# databases; once (on SQLite) is enough here.
pytestmark = pytest.mark.parametrize("fresh_database_url", ["sqlite"], indirect=True)


def _csrf(text: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', text)
    assert match
    return match.group(1)


def test_counsel_places_and_releases_holds_in_the_console(runtime: Runtime) -> None:
    with UnitOfWork(runtime.engine) as uow:
        add_user(uow, runtime.policy, username="celia", role="counsel", password=PASSWORD, by=ADMIN)
        uow.commit()
    with TestClient(create_app(runtime), base_url="https://testserver") as client:
        login = client.get("/console/login")
        client.post("/console/login", data={"username": "celia", "password": PASSWORD,
                                             "csrf_token": _csrf(login.text)})  # fmt: skip
        page = client.get("/console/retention/holds")
        assert page.status_code == 200 and "Place a hold" in page.text
        form = {"authority": "Supreme Court", "docket": "80258/16", "reason": "FOIL",
                "covers": "all", "order_date": "2016-12-05"}  # fmt: skip
        forged = client.post("/console/retention/holds", data=form | {"csrf_token": "x"})
        assert forged.status_code == 403
        # A scope with no limit is refused in words, on the form, and nothing is placed.
        vague = client.post("/console/retention/holds", data=form | {
            "covers": "some", "csrf_token": _csrf(page.text)})  # fmt: skip
        assert vague.status_code == 200 and "Choose what the hold covers" in vague.text
        assert "No holds." in vague.text and 'value="80258/16"' in vague.text
        placed = client.post("/console/retention/holds", data=form | {"csrf_token":
                             _csrf(page.text)}, follow_redirects=False)  # fmt: skip
        assert placed.status_code == 303
        listed = client.get("/console/retention/holds").text
        hold_id = re.search(r"(hold-[0-9a-f]{16})", listed)
        assert hold_id and "80258/16" in listed
        released = client.post(
            f"/console/retention/holds/{hold_id.group(1)}/release",
            data={"reason": "lifted", "csrf_token": _csrf(listed)},
            follow_redirects=False,
        )
        assert released.status_code == 303
        assert "Released" in client.get("/console/retention/holds").text
        batches = client.get("/console/retention/")
        assert batches.status_code == 200 and "Disposition batches" in batches.text


def test_the_public_page_checks_a_receipt(runtime: Runtime, tmp_path: Path) -> None:
    staff = actors()
    backlog = tmp_path / "backlog.jsonl"
    write_backlog(backlog, 3)
    legacy_import.import_legacy(runtime, staff.officer, backlog)
    with UnitOfWork(runtime.engine) as uow:
        batch = disposition.plan(uow, runtime, staff.officer, as_of=dt.date(2017, 5, 1))
        disposition.approve(uow, runtime, staff.officer, batch.batch_id)
        disposition.approve(uow, runtime, staff.counsel, batch.batch_id)
        uow.commit()
    disposition.execute(runtime, Actor.system(), batch.batch_id)
    with UnitOfWork(runtime.engine, read_only=True) as uow:
        app_id, reference = uow.conn.execute(
            sa.select(applications.c.application_id, applications.c.reference).limit(1)
        ).one()
    receipt = json.dumps(to_json({"receipts": issue_receipts(runtime, app_id)}))
    with TestClient(create_app(runtime), base_url="https://testserver") as client:
        assert client.get("/receipts/check").status_code == 200
        good = client.post("/receipts/check", data={"reference": reference, "receipt": receipt})
        assert 'data-result="ok"' in good.text and app_id in good.text
        tampered = receipt.replace('"entry_index": ', '"entry_index": 1')
        bad = client.post("/receipts/check", data={"reference": reference, "receipt": tampered})
        assert 'data-result="bad"' in bad.text
        junk = client.post("/receipts/check", data={"receipt": "hello"})
        assert 'data-result="bad"' in junk.text
