"""Counsel's queue in a real browser: open a request, see the proposal and its rule, decide
for named fields only, download the package."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import LiveServer, screenshot
from tests.disclosure.conftest import applicant_line

pytestmark = pytest.mark.browser
PASSWORD = "the law decides, carefully 2016"


def _run(live_server: LiveServer, *args: str) -> dict[str, Any]:
    done = live_server.cityid("--json", *args)
    assert done.returncode == 0, done.stdout + done.stderr
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def _staff_and_a_warrant(live_server: LiveServer, tmp_path: Path) -> tuple[str, str]:
    password = tmp_path / "staff.pw"
    password.write_text(PASSWORD)
    for username, role in (("counsel", "counsel"), ("clerk", "clerk")):
        _run(live_server, "user", "add", username, "--role", role, "--password-file", str(password))
    lines = tmp_path / "one.jsonl"
    lines.write_text(json.dumps(applicant_line("Ana", "Pérez Ruiz", "spa", "1988-02-14")) + "\n")
    enrolled = _run(
        live_server, "enroll", "--file", str(lines),
        "--actor", "clerk", "--password-file", str(password),
    )  # fmt: skip
    application_id = enrolled["items"][0]["application_id"]
    assert application_id, enrolled
    scope = {"application_ids": [application_id], "fields": ["family_name", "date_of_birth"]}
    filed = _run(
        live_server, "request", "file", "--requester-kind", "federal_law_enforcement",
        "--instrument", "judicial_warrant", "--scope", json.dumps(scope),
        "--requester", "Special Agent J. Doe", "--docket", "17-MJ-0420",
        "--actor", "counsel", "--password-file", str(password),
    )  # fmt: skip
    return filed["request_id"], application_id


def test_counsel_decides_from_the_queue_and_downloads_the_package(
    live_server: LiveServer, page: Any, tmp_path: Path
) -> None:
    request_id, application_id = _staff_and_a_warrant(live_server, tmp_path)

    page.goto(f"{live_server.url}/console/login")
    page.get_by_label("Username").fill("counsel")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/console/")
    page.get_by_role("link", name="Disclosure requests").click()
    page.wait_for_url("**/console/disclosure/")
    row = page.get_by_role("row").filter(has_text=request_id)
    assert "judicial-process-counsel-review" in row.inner_text()
    screenshot(page, "counsel-queue")

    page.get_by_role("link", name=request_id).click()
    page.wait_for_url(f"**/console/disclosure/{request_id}")
    assert page.locator("#proposed-decision").inner_text() == "granted"
    assert page.locator("#proposed-rule").inner_text() == "judicial-process-counsel-review"
    assert "Special Agent J. Doe" in page.content()
    screenshot(page, "counsel-request")

    # The warrant names two fields; counsel grants one of them, with a written reason.
    page.get_by_label("Decision").select_option("granted")
    page.get_by_label("family_name").check()
    page.get_by_label("Written reason (required)").fill(
        "The warrant supports the family name only; the birth date is beyond its particularity."
    )
    page.get_by_role("button", name="Decide with this").click()
    page.wait_for_selector("#final-decision")
    assert page.locator("#final-decision").inner_text() == "granted"
    assert "overrides the proposal" in page.content()
    screenshot(page, "counsel-decided")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download package (JSON)").click()
    saved = tmp_path / "package.json"
    download_info.value.save_as(saved)
    package = json.loads(saved.read_text())
    assert package["request_id"] == request_id and package["fields"] == ["family_name"]
    assert package["records"] == [{"application_id": application_id, "family_name": "Pérez Ruiz"}]

    with page.expect_download() as pdf_info:
        page.get_by_role("link", name="Download package (PDF)").click()
    pdf = tmp_path / "package.pdf"
    pdf_info.value.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF")

    # The public report counts it, with no login.
    page.goto(f"{live_server.url}/transparency")
    assert page.locator("svg").count() >= 1
    assert page.locator("#total-requests").inner_text() == "1"
    screenshot(page, "transparency-report")
