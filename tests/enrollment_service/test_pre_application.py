"""Starting online: a reference for a list of documents, nothing personal kept, and the
clerk's desk picking the list up from the reference."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from cityid.audit.tables import audit_entries
from cityid.bootstrap import open_runtime
from cityid.enrollment import pre_application
from cityid.enrollment.tables import pre_applications
from cityid.errors import BadInput, Forbidden, NotFound
from cityid.runtime import Runtime
from cityid.staff.actor import Actor
from cityid.store.uow import UnitOfWork
from cityid.web.app import create_app

from .helpers import applicant_line
from .test_web import _login, _wizard_values

TODAY = dt.date(2026, 11, 22)


@pytest.fixture
def client(runtime: Runtime, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    monkeypatch.setenv("CITYID_INSECURE_COOKIES", "true")
    with TestClient(create_app(open_runtime(runtime.data_dir))) as test_client:
        yield test_client


def test_a_reference_for_the_documents_in_spanish_then_the_desk_fills_them_in(
    client: TestClient, runtime: Runtime, accounts: dict[str, Actor]
) -> None:
    chosen = {"doc": ["foreign_passport", "utility_bill"]}
    page = client.post("/apply/start?lang=es", data=chosen)
    assert page.status_code == 200
    assert "Su número de referencia" in page.text
    found = re.search(r'id="pre-reference" class="reference">([0-9A-Z]{5}-[0-9A-Z]{5})<', page.text)
    assert found, page.text
    reference = found[1]

    with UnitOfWork(runtime.engine, read_only=True) as uow:
        rows = uow.conn.execute(sa.select(pre_applications)).all()
    assert [(r.reference, r.documents, r.language) for r in rows] == [
        (reference, '["foreign_passport", "utility_bill"]', "es")
    ]  # and nothing else: the table has no column for anything about the person

    csrf = _login(client, accounts["clerk"])
    desk = client.get(f"/console/enrollment/?pre={reference.lower()}")
    assert desk.status_code == 200
    assert f"Started online with reference <strong>{reference}</strong>" in desk.text
    assert 'name="doc0_type" value="foreign_passport"' in desk.text
    assert 'name="doc1_type" value="utility_bill"' in desk.text
    unknown = client.get("/console/enrollment/?pre=00000-00000")
    assert "no application was started online with that reference" in unknown.text

    # The application goes in: the reference has served and is deleted now, not in 90 days.
    carried = re.search(r'name="pre_reference" value="([^"]+)"', desk.text)
    assert carried and carried[1] == reference
    form = {**_wizard_values(applicant_line()), "pre_reference": reference,
            "csrf_token": csrf, "step": "review", "go": "submit"}  # fmt: skip
    done = client.post("/console/enrollment/", data=form)
    assert "Application taken in" in done.text, done.text
    with UnitOfWork(runtime.engine, read_only=True) as uow:
        assert uow.conn.execute(sa.select(pre_applications)).all() == []
        closed = uow.conn.execute(
            sa.select(sa.func.count()).where(audit_entries.c.action == "pre_application.close")
        ).scalar_one()
    assert closed == 1


def test_bad_choices_lapsed_references_and_who_may_look(runtime: Runtime) -> None:
    with UnitOfWork(runtime.engine) as uow:
        with pytest.raises(BadInput, match="unknown document type"):
            pre_application.start(uow, runtime, ["library_card_of_mars"], None, TODAY)
        made = pre_application.start(uow, runtime, ["utility_bill"], None, TODAY)
        uow.commit()
    clerk = Actor("c-1", "c-1", "clerk")
    later = made.expires_on + dt.timedelta(days=1)
    with UnitOfWork(runtime.engine) as uow:
        assert pre_application.find(uow, runtime, clerk, made.reference, TODAY).documents
        with pytest.raises(NotFound):
            pre_application.find(uow, runtime, clerk, made.reference, later)
        with pytest.raises(Forbidden):
            auditor = Actor("a-1", "a-1", "auditor")
            pre_application.find(uow, runtime, auditor, made.reference, TODAY)
        # The next start after a reference lapses deletes it.
        pre_application.start(uow, runtime, [], None, later)
        uow.commit()
        left = uow.conn.execute(sa.select(pre_applications.c.reference)).scalars().all()
    assert made.reference not in left
