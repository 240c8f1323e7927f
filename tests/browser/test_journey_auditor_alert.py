"""The auditor's journey at 1280 px: a clerk reads far more records than normal, the
auditor scans the log, opens the alert, sees the entries that raised it and closes it."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import expect

from tests.browser.conftest import LiveServer, screenshot
from tests.browser.journey_helpers import STAFF_PASSWORD, add_staff, run_cli, sign_in
from tests.enrollment_service.helpers import applicant_line

pytestmark = [
    pytest.mark.browser,
    pytest.mark.live_policy({"max_reads_per_hour = 120": "max_reads_per_hour = 10"}),
]


def _insider_reads(live_server: LiveServer, tmp_path: Path) -> list[str]:
    password = add_staff(live_server, tmp_path, auditor="auditor")
    run_cli(live_server, "user", "add", "nightclerk", "--role", "clerk", "--centre",
            "bronx-1", "--password-file", str(password))  # fmt: skip
    lines = tmp_path / "lines.jsonl"
    people = []
    for i in range(3):
        line = applicant_line(given=f"Persona{i}", family=f"Apellido{i}",
                              number=f"ZQ88800{i:02d}", centre="bronx-1")  # fmt: skip
        line["documents"][1]["number"] = f"ACCT-8880{i}"
        people.append(json.dumps(line))
    lines.write_text("\n".join(people) + "\n")
    enrolled = run_cli(live_server, "enroll", "--file", str(lines), "--actor", "nightclerk",
                       "--password-file", str(password))  # fmt: skip
    records = [item["application_id"] for item in enrolled["items"]]
    token = httpx.post(
        f"{live_server.url}/api/v1/tokens",
        json={"username": "nightclerk", "password": STAFF_PASSWORD},
    ).json()["token"]
    for i in range(15):  # more than the 10 an hour this city calls normal
        read = httpx.get(
            f"{live_server.url}/api/v1/applications/{records[i % 3]}?purpose=intake",
            headers={"Authorization": f"Bearer {token}"},
        )
        assert read.status_code == 200, read.text
    return records


def test_an_auditor_works_an_insider_alert(page, live_server: LiveServer, tmp_path) -> None:
    records = _insider_reads(live_server, tmp_path)

    sign_in(page, live_server, "auditor")
    page.get_by_role("link", name="Insider alerts").click()
    page.wait_for_url("**/console/accountability/alerts")
    expect(page.get_by_text("No open alerts.")).to_be_visible()
    page.get_by_role("button", name="Scan the log now").click()
    expect(page.get_by_role("status")).to_contain_text("new alerts")
    row = page.get_by_role("row").filter(has_text="More reads in an hour than normal")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("nightclerk (clerk, bronx-1)")
    screenshot(page, "auditor-alert-1-queue")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    row.get_by_role("link", name="Work this alert").click()
    page.wait_for_url("**/console/accountability/alerts/alert-*")
    entries = page.get_by_role("row").filter(has_text="application.read")
    expect(entries).to_have_count(15)
    for record in records:
        expect(page.get_by_role("cell", name=record).first).to_be_visible()
    screenshot(page, "auditor-alert-2-entries")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    page.get_by_label("Outcome").select_option("referred")
    page.get_by_role("button", name="Close the alert").click()
    expect(page.get_by_role("status")).to_have_text("Alert closed.")
    expect(page.get_by_text("closed: referred")).to_be_visible()
    screenshot(page, "auditor-alert-3-closed")
    page.get_by_role("link", name="Back to the queue").click()
    page.wait_for_url("**/console/accountability/alerts")
    expect(page.get_by_role("row").filter(has_text="More reads in an hour")).to_have_count(0)
