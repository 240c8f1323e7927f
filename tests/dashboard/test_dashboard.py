"""The supervisor's dashboard: its counts match what was done, its page draws them, and
nobody's name appears on it (both database backends)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from cityid.audit import service as audit_service
from cityid.bootstrap import open_runtime
from cityid.cards import issuing
from cityid.enrollment import service as enrollment
from cityid.enrollment import transitions
from cityid.enrollment.tables import applications
from cityid.errors import Forbidden
from cityid.matching import review
from cityid.matching.tables import review_items
from cityid.operations.accounts import add_user
from cityid.reports.dashboard import DUE_NOW, build_dashboard, records_due
from cityid.retention import holds
from cityid.runtime import Runtime
from cityid.staff.actor import Actor
from cityid.store.uow import UnitOfWork
from cityid.web.app import create_app
from tests.enrollment_service.helpers import applicant_line

PASSWORD = "a long dashboard password 42"
PEOPLE = [
    ("Marisol", "Quintanilla-Ybarra", dt.date(1988, 4, 17), "ZQ7741839", "11368"),
    ("Oluwaseun", "Adebayo-Whitfield", dt.date(1979, 9, 2), "AB1234567", "10027"),
    ("Thandiwe", "Nakamura-Okafor", dt.date(2001, 1, 30), "CD7654321", "11220"),
]
# Someone presenting Marisol's passport number under another name: a document-reuse flag.
REUSER = ("Wilhelmina", "Castellanos-Duarte", dt.date(1990, 6, 5), "ZQ7741839", "10453")
NAMES = [part for person in (*PEOPLE, REUSER) for part in person[:2]]

CLERK = Actor("user-clerk", "clerk1", "clerk")
INVESTIGATOR = Actor("user-investigator", "investigator1", "investigator")
COUNSEL = Actor("user-counsel", "counsel1", "counsel")


@dataclass
class Scenario:
    runtime: Runtime
    supervisor: Actor
    issued_application: str
    review_item: str


def _intake(uow: UnitOfWork, runtime: Runtime, person: tuple[Any, ...]) -> str:
    given, family, born, number, postal = person
    line = applicant_line(
        given=given, family=family, born=born, number=number, postal_code=postal, photo=True
    )
    line["documents"][1]["number"] = f"ACCT-{postal}"  # each their own utility bill
    request = enrollment.parse_request(line, runtime, runtime.today())
    outcome = enrollment.intake(uow, runtime, CLERK, request)
    assert outcome.application_id, outcome.reasons
    return outcome.application_id


@pytest.fixture
def scenario(data_dir: Path) -> Iterator[Scenario]:
    """Four applications today (one flagged for document reuse, decided), one card issued,
    two holds placed and one of them released."""
    runtime = open_runtime(data_dir)
    with UnitOfWork(runtime.engine) as uow:
        admin = Actor("test-admin", "test-admin", "admin")
        supervisor = add_user(
            uow, runtime.policy, username="sup1", role="supervisor", password=PASSWORD, by=admin
        )
        add_user(uow, runtime.policy, username="clerk1", role="clerk", password=PASSWORD, by=admin)
        ids = [_intake(uow, runtime, person) for person in PEOPLE]
        _intake(uow, runtime, REUSER)
        transitions.approve(uow, runtime, supervisor, ids[0])
        issuing.issue(uow, runtime, supervisor, ids[0])
        uow.commit()
    with UnitOfWork(runtime.engine) as uow:
        item_id = uow.conn.execute(
            sa.select(review_items.c.item_id).where(review_items.c.kind == "document_reuse")
        ).scalar_one()
        review.decide(uow, runtime, INVESTIGATOR, item_id, "fraud_referred")
        for docket in ("80258-16", "80311-16"):
            holds.place_hold(
                uow, runtime, COUNSEL, authority="Supreme Court, Richmond County",
                docket=docket, reason="preserve pending hearing",
                scope={"record_classes": ["document_copy"]}, order_date=dt.date(2016, 12, 5),
            )  # fmt: skip
        first = holds.list_holds(uow, runtime, COUNSEL)[0].hold_id
        holds.release_hold(uow, runtime, COUNSEL, first, reason="petitioners lacked standing")
        uow.commit()
    yield Scenario(runtime, supervisor, ids[0], item_id)
    runtime.close()


def test_the_counts_equal_what_was_done_and_one_read_is_audited(scenario: Scenario) -> None:
    runtime = scenario.runtime
    today = runtime.today()
    with UnitOfWork(runtime.engine) as uow:
        board = build_dashboard(uow, runtime, scenario.supervisor)
        uow.commit()

    assert board.enrollments_per_day[-1] == (today, 4)
    assert board.enrollments_in_window == 4 and len(board.enrollments_per_day) == 14
    assert board.applications_by_status["issued"] == 1
    assert board.applications_by_status["flagged"] >= 1
    assert sum(board.applications_by_status.values()) == 4
    reuse = board.flags["document_reuse"]
    assert reuse == {"open": 0, "duplicate": 0, "not_duplicate": 0, "fraud_referred": 1}
    assert board.cards_by_status["active"] == 1
    assert sum(board.cards_by_status.values()) == 1
    assert board.records_by_class["application"] == 4
    assert board.records_by_class["document_attestation"] == 8  # two documents each
    assert board.records_by_class["card"] == 1
    # The issued application's cohort is named by its period, not by an opaque key id.
    cohorts = {(c.record_class, c.cohort): c.count for c in board.records_by_cohort}
    assert sum(n for (cls, _), n in cohorts.items() if cls == "application") == 4
    assert all(re.fullmatch(r"\d{4}(-\d{2})?", c) for cls, c in cohorts if cls == "card")
    assert [h.docket for h in board.active_holds] == ["80311-16"]
    assert board.open_batches == []

    with UnitOfWork(runtime.engine, read_only=True) as uow:
        entries = audit_service.entry_page(uow, action="dashboard.read")
    assert len(entries) == 1
    assert scenario.supervisor.user_id in str(entries[0])

    with UnitOfWork(runtime.engine) as uow, pytest.raises(Forbidden):
        build_dashboard(uow, runtime, CLERK)


def test_records_fall_due_on_their_day(scenario: Scenario) -> None:
    runtime = scenario.runtime
    with UnitOfWork(runtime.engine, read_only=True) as uow:
        due_on = uow.conn.execute(
            sa.select(applications.c.due_on).where(
                applications.c.application_id == scenario.issued_application
            )
        ).scalar_one()
        assert due_on is not None
        before = records_due(uow, due_on - dt.timedelta(days=40), months_ahead=3)
        on_the_day = records_due(uow, due_on, months_ahead=3)
    month = f"{due_on.year:04d}-{due_on.month:02d}"
    assert before[DUE_NOW].get("application", 0) == 0
    assert before[month]["application"] == 1
    assert on_the_day[DUE_NOW]["application"] == 1


@pytest.fixture
def client(scenario: Scenario, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    monkeypatch.setenv("CITYID_INSECURE_COOKIES", "true")
    with TestClient(create_app(scenario.runtime)) as client:
        yield client


def _bearer(client: TestClient, username: str) -> dict[str, str]:
    answer = client.post("/api/v1/tokens", json={"username": username, "password": PASSWORD})
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['token']}", "Accept": "text/html"}


def test_the_page_draws_the_counts_and_names_nobody(client: TestClient) -> None:
    page = client.get("/console/dashboard/", headers=_bearer(client, "sup1"))
    assert page.status_code == 200, page.text
    html = page.text
    today = dt.datetime.now(dt.UTC).date().isoformat()

    svgs = re.findall(r"<svg.*?</svg>", html, flags=re.S)
    assert len(svgs) == 6  # with card production
    for svg in svgs:  # each chart names itself for screen readers, and runs nothing
        assert re.search(r'<title id="[a-z]+-title">[^<]+</title>', svg)
        assert re.search(r'<desc id="[a-z]+-desc">[^<]+</desc>', svg)
        assert "<script" not in svg and "style=" not in svg
    # The right bars: one per non-zero count, each saying what it counts.
    assert f"<title>{today}: 4 enrolled</title>" in html
    assert "<title>document_reuse: 1 fraud_referred</title>" in html
    assert "<title>active: 1 cards</title>" in html
    assert "<title>waiting for a batch: 1 cards</title>" in html
    assert "<title>application: 4 records</title>" in html
    assert svgs[0].count("<rect") == 1  # four enrollments today, none on the other days
    # The data tables behind the charts say the same.
    table = re.search(r'<table id="table-cards">.*?</table>', html, flags=re.S)
    assert table and re.search(r"<th scope=\"row\">active</th><td>1</td>", table.group(0))
    assert "80311-16" in html and "80258-16" not in html  # the released hold is not active

    lowered = html.lower()
    for name in NAMES:
        for part in re.split(r"[- ]", name):
            assert part.lower() not in lowered, part
    assert "preserve pending hearing" not in html  # counsel's words stay with the hold

    refused = client.get("/console/dashboard/", headers=_bearer(client, "clerk1"))
    assert refused.status_code == 403
    assert "<svg" not in refused.text
