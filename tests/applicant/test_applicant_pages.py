"""The applicant pages: language choice, the points checklist from the policy, /me/."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from fastapi.testclient import TestClient

from cityid.bootstrap import open_runtime
from cityid.enrollment.tables import applications
from cityid.operations.accounts import add_user
from cityid.rendering import i18n
from cityid.staff.actor import Actor
from cityid.store.uow import UnitOfWork
from cityid.web.app import create_app

HTML = {"accept": "text/html"}
CLERK_PASSWORD = "a clerk's long test password"


def _points(page: str, code: str, kind: str) -> int:
    found = re.search(rf'data-doc="{code}" data-kind="{kind}">(\d+)<', page)
    assert found, f"no {kind} points shown for {code}"
    return int(found.group(1))


def test_accept_language_spanish_gives_the_spanish_page(client: TestClient) -> None:
    page = client.get("/apply/", headers={**HTML, "accept-language": "es-MX,es;q=0.9,en;q=0.5"})
    assert page.status_code == 200
    assert '<html lang="es" dir="ltr">' in page.text
    assert "Solicite su tarjeta IDNYC" in page.text
    assert "Apply for IDNYC" not in page.text
    assert page.headers["content-language"] == "es"


def test_lang_parameter_arabic_is_right_to_left_and_remembered(client: TestClient) -> None:
    page = client.get("/me/?lang=ar", headers={**HTML, "accept-language": "es"})
    assert '<html lang="ar" dir="rtl">' in page.text
    assert i18n.language("ar").gettext("Check my application") in page.text
    assert "cityid_lang=ar" in page.headers["set-cookie"]
    again = client.get("/apply/", headers={**HTML, "accept-language": "es"})
    assert '<html lang="ar" dir="rtl">' in again.text  # the cookie wins over the header


def test_chinese_and_unsupported_languages(client: TestClient) -> None:
    chinese = client.get("/apply/", headers={**HTML, "accept-language": "zh-CN,zh;q=0.8"})
    assert '<html lang="zh-Hans" dir="ltr">' in chinese.text
    other = client.get("/apply/", headers={**HTML, "accept-language": "de-DE, fr;q=0.5"})
    assert '<html lang="en" dir="ltr">' in other.text
    assert "Apply for IDNYC" in other.text


def test_negotiation_rules() -> None:
    assert i18n.negotiate(None, None, "fr;q=0.9, ko;q=0.8, ru;q=0.95") == "ru"
    assert i18n.negotiate("ht", "ko", "es") == "ht"
    assert i18n.negotiate("xx", "bn", "es") == "bn"
    assert i18n.negotiate(None, None, "zh-TW") == "en"  # Traditional is not offered
    assert i18n.negotiate(None, None, "es;q=0, en") == "en"


def test_checklist_points_come_from_the_policy(data_dir: Path) -> None:
    policy_file = data_dir / "policy.toml"
    text = policy_file.read_text("utf-8")
    changed = text.replace(
        'code = "foreign_national_id"\nname = "Foreign national identity card with photo"\n'
        'category = "identity"\nidentity_points = 2',
        'code = "foreign_national_id"\nname = "Foreign national identity card with photo"\n'
        'category = "identity"\nidentity_points = 4',
    )
    assert changed != text
    policy_file.write_text(changed, "utf-8")
    runtime = open_runtime(data_dir)
    try:
        with TestClient(create_app(runtime), base_url="https://testserver") as client:
            start = client.get("/apply/", headers=HTML).text
            assert _points(start, "foreign_national_id", "identity") == 4
            assert _points(start, "us_passport", "identity") == 3
            # 4 identity points now, but nothing for residency.
            result = client.get("/apply/checklist?doc=foreign_national_id", headers=HTML).text
            assert 'id="identity-total">4<' in result
            assert 'data-need="residency"' in result
            assert 'data-need="identity"' not in result
    finally:
        runtime.close()


def test_checklist_says_when_documents_are_enough(client: TestClient) -> None:
    enough = client.get("/apply/checklist?doc=foreign_passport&doc=utility_bill", headers=HTML)
    assert "Yes, these documents should be enough" in enough.text
    # The offer of a reference carries the chosen documents, and nothing else is asked.
    assert 'action="/apply/start?lang=en"' in enough.text
    assert '<input type="hidden" name="doc" value="utility_bill">' in enough.text
    assert 'name="given_name"' not in enough.text
    short = client.get("/apply/checklist?doc=utility_bill", headers=HTML).text
    assert "Not yet." in short
    assert "a document with your photo" in short
    assert 'data-need="identity"' in short


def _enroll_one(cli: Any, data_dir: Path, tmp_path: Path) -> tuple[str, str, str]:
    out = tmp_path / "one.jsonl"
    password = tmp_path / "clerk.pw"
    password.write_text(CLERK_PASSWORD)
    runtime = open_runtime(data_dir)
    try:
        with UnitOfWork(runtime.engine) as uow:
            add_user(uow, runtime.policy, username="clerk1", role="clerk",
                     password=CLERK_PASSWORD, by=Actor("test", "test", "admin"))  # fmt: skip
            uow.commit()
    finally:
        runtime.close()
    base = ("--json", "--data-dir", str(data_dir))
    clerk = ("--actor", "clerk1", "--password-file", str(password))
    assert cli(*base, "synth", "applicants", "--count", "1", "--out", str(out)).code == 0
    enrolled = cli(*base, *clerk, "enroll", "--file", str(out))
    assert enrolled.code == 0, enrolled.out + enrolled.err
    application_id = enrolled.json["items"][0]["application_id"]
    born = json.loads(out.read_text().splitlines()[0])["date_of_birth"]
    runtime = open_runtime(data_dir)
    try:
        with runtime.engine.connect() as conn:
            reference = conn.execute(
                sa.select(applications.c.reference).where(
                    applications.c.application_id == application_id
                )
            ).scalar_one()
    finally:
        runtime.close()
    return str(reference), born, enrolled.json["items"][0]["status"]


def test_status_check_with_reference_and_date_of_birth(
    data_dir: Path, cli: Any, tmp_path: Path
) -> None:
    reference, born, status = _enroll_one(cli, data_dir, tmp_path)
    runtime = open_runtime(data_dir)
    try:
        with TestClient(create_app(runtime), base_url="https://testserver") as client:
            found = client.post(
                "/me/status?lang=es", data={"reference": reference, "date_of_birth": born}
            )
            assert found.status_code == 200
            assert f'data-status="{status}"' in found.text
            assert '<html lang="es"' in found.text
            client.cookies.clear()  # back to English
            wrong_day = (dt.date.fromisoformat(born) + dt.timedelta(days=1)).isoformat()
            missed = client.post(
                "/me/status", data={"reference": reference, "date_of_birth": wrong_day}
            )
            assert missed.status_code == 404
            assert "could not find an application" in missed.text
            assert reference not in missed.text
    finally:
        runtime.close()


def test_what_the_city_keeps(client: TestClient) -> None:
    page = client.get("/me/", headers=HTML).text
    # The default policy stopped keeping document copies on 2016-12-07.
    assert 'data-not-held="document_copy"' in page
    assert 'data-record-class="document_copy"' not in page
    assert 'data-record-class="application"' in page
    assert "Kept until 2 years after your card expires." in page


def test_renewal_window_from_the_card_rules(client: TestClient) -> None:
    today = dt.date.today()
    soon = client.get(f"/me/renew?expires={today + dt.timedelta(days=30)}", headers=HTML).text
    assert "You can renew now" in soon
    later = client.get(f"/me/renew?expires={today + dt.timedelta(days=365)}", headers=HTML).text
    assert "too early to renew" in later
    gone = client.get(f"/me/renew?expires={today - dt.timedelta(days=400)}", headers=HTML).text
    assert "Renewal closed" in gone
    assert client.get("/me/renew?expires=soon", headers=HTML).status_code == 422


def test_receipt_check_rejects_what_is_not_a_receipt(client: TestClient) -> None:
    garbage = client.post("/me/receipt", data={"receipt": "hello"})
    assert garbage.status_code == 422
    assert "This is not a receipt" in garbage.text
    forged = {"application_id": "app-x", "entry_index": 0, "entry": "AAAA", "proof": [],
              "checkpoint": "example.org/log\n1\nAAAA\n"}  # fmt: skip
    checked = client.post("/me/receipt", data={"receipt": json.dumps(forged)})
    assert "This receipt does not check out." in checked.text


def test_other_pages_still_render_in_english(client: TestClient) -> None:
    login = client.get("/console/login", headers={**HTML, "accept-language": "ar"})
    assert login.status_code == 200
    assert "Skip to content" in login.text
    assert 'dir="rtl"' not in login.text


def test_every_language_renders_every_page(client: TestClient) -> None:
    expires = dt.date.today() + dt.timedelta(days=20)
    paths = ["/apply/", "/apply/checklist?doc=us_passport", "/me/", f"/me/renew?expires={expires}"]
    for code in i18n.LANGUAGES:
        language = i18n.language(code)
        for path in paths:
            sep = "&" if "?" in path else "?"
            page = client.get(f"{path}{sep}lang={code}", headers=HTML)
            assert page.status_code == 200, (code, path)
            assert f'<html lang="{language.html_lang}" dir="{language.direction}">' in page.text
            assert language.gettext("My application and card") in page.text
