"""/me/access: a resident sees who looked at their record after a one-time code."""

from __future__ import annotations

import base64
import json
import re

import sqlalchemy as sa
from fastapi.testclient import TestClient

from cityid.accountability.report_check import verify_report
from cityid.audit.service import verifier_keys
from cityid.enrollment import lookup
from cityid.enrollment.tables import applications
from cityid.store.uow import UnitOfWork
from cityid.web.app import create_app
from tests.notices_service.test_codes import sent_code, wrong

from .conftest import enroll

BORN = "1988-04-17"  # applicant_line's date of birth


def test_a_resident_sees_who_looked_at_their_record(runtime, people) -> None:
    app_id = enroll(runtime, people["clerk-a"], "bronx-1", contact_email="res@example.org")
    for actor, purpose in ((people["clerk-a"], "intake"), (people["sup"], "desk_request")):
        with UnitOfWork(runtime.engine) as uow:
            lookup.show(uow, runtime, actor, app_id, purpose=purpose)
            uow.commit()
    with runtime.engine.connect() as conn:
        reference = conn.execute(
            sa.select(applications.c.reference).where(applications.c.application_id == app_id)
        ).scalar_one()

    with TestClient(create_app(runtime)) as client:
        assert "Who looked at my record" in client.get("/me/").text
        blank = client.post("/me/access/code", data={"given": "", "date_of_birth": BORN})
        assert blank.status_code == 422 and 'id="given-error"' in blank.text
        wrong_day = client.post(
            "/me/access/code", data={"given": reference, "date_of_birth": "1988-04-18"}
        )
        assert wrong_day.status_code == 404 and 'data-problem="not_found"' in wrong_day.text
        asked = client.post("/me/access/code", data={"given": reference, "date_of_birth": BORN})
        assert asked.status_code == 200, asked.text
        code_id = re.search(r'name="code_id" value="([^"]+)"', asked.text)
        assert code_id
        code = sent_code(type("Office", (), {"runtime": runtime})())  # type: ignore[arg-type]
        form = {"given": reference, "date_of_birth": BORN, "code_id": code_id[1]}
        bad = client.post("/me/access/confirm", data={**form, "code": wrong(code)})
        assert bad.status_code == 422 and "Tries left: 2" in bad.text
        done = client.post("/me/access/confirm", data={**form, "code": code})
        assert done.status_code == 200, done.text

    rows = re.findall(r"<tr>\s*<td data-label=\"#\">.*?</tr>", done.text, re.S)
    assert any("bronx-1" in r and ">Clerk<" in r and ">Enrollment<" in r for r in rows)
    assert any(">Supervisor<" in r and ">A request you made at a centre<" in r for r in rows)
    for name in ("clerk-a", ">sup<", "Quintanilla", "res@example.org"):
        assert name not in done.text
    link = re.search(r'href="data:application/json;base64,([^"]+)"', done.text)
    assert link
    doc = json.loads(base64.b64decode(link[1]))
    assert doc["application_id"] == app_id and len(doc["lines"]) == len(rows)
    verdict = verify_report(doc, verifier_keys(runtime))
    assert verdict.ok, verdict.message
