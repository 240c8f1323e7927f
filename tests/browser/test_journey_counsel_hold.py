"""Counsel in a real browser: a court order arrives, counsel places a hold on document
copies, and the records officer's plan shows every copy blocked by it; released with the
court's reason, the same plan makes them due."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import LiveServer, screenshot
from tests.browser.journey_helpers import add_staff, run_cli, sign_in, sign_out
from tests.retention.retention_helpers import write_backlog

pytestmark = pytest.mark.browser
BACKLOG = 8


def _import_backlog(live_server: LiveServer, tmp_path: Path, password: Path) -> int:
    backlog = tmp_path / "backlog.jsonl"
    write_backlog(backlog, BACKLOG)
    imported = run_cli(live_server, "import", "legacy", "--file", str(backlog),
                       "--actor", "rhoda", "--password-file", str(password))  # fmt: skip
    assert imported["enrolled"] == BACKLOG, imported
    # Each document presented left a copy in the backlog.
    lines = backlog.read_text(encoding="utf-8").splitlines()
    return sum(len(json.loads(line)["documents"]) for line in lines)


def _plan_as_of(page: Any, day: str) -> Any:
    """Plan from the disposition page; the newest batch's row."""
    page.goto(page.url.split("/console/")[0] + "/console/retention/")
    page.get_by_label("Plan what is due as of").fill(day)
    page.get_by_role("button", name="Plan", exact=True).click()
    page.wait_for_url("**/console/retention/")
    return page.locator("tbody tr").first


def test_counsel_places_a_hold_and_the_plan_is_blocked(
    live_server: LiveServer, page: Any, tmp_path: Path
) -> None:
    password = add_staff(live_server, tmp_path, celia="counsel", rhoda="records_officer")
    copies = _import_backlog(live_server, tmp_path, password)

    sign_in(page, live_server, "celia")
    page.goto(f"{live_server.url}/console/retention/holds")
    assert "No holds." in page.locator("table").inner_text()
    page.get_by_label("Authority (court)").fill("Supreme Court, Richmond County")
    page.get_by_label("Index or docket number").fill("80258/16")
    page.get_by_label("Order date").fill("2016-12-05")
    page.get_by_label("Reason", exact=True).fill("Order to show cause: preserve the copies")
    page.get_by_label("Only records matching every limit below").check()
    page.get_by_label("Document copies").check()
    page.get_by_role("button", name="Place hold").click()
    page.wait_for_url("**/console/retention/holds")
    row = page.locator("tbody tr").first
    assert "active" in row.inner_text() and "80258/16" in row.inner_text()
    hold_id = row.locator("td").first.inner_text().strip()
    screenshot(page, "counsel-hold-placed")

    # A release without a reason is not possible: the browser asks for one first.
    release = row.get_by_role("button", name="Release")
    release.click()
    assert page.locator(f"#release-{hold_id}:invalid").count() == 1
    sign_out(page, live_server)

    # The records officer plans the Dec 31 destruction: everything is blocked, by that hold.
    sign_in(page, live_server, "rhoda")
    batch = _plan_as_of(page, "2017-04-20")
    cells = batch.locator("td")
    assert cells.nth(3).inner_text() == "planned"
    assert cells.nth(4).inner_text() == "0"  # due
    blocked = cells.nth(5).inner_text()
    assert blocked.startswith(str(copies)), blocked
    assert re.search(rf"{re.escape(hold_id)}: {copies}\b", blocked), blocked
    screenshot(page, "counsel-hold-plan-blocked")
    sign_out(page, live_server)

    # Counsel releases it with the court's reason; the same plan now finds all of them due.
    sign_in(page, live_server, "celia")
    page.goto(f"{live_server.url}/console/retention/holds")
    page.locator(f"#release-{hold_id}").fill("Petition dismissed for lack of standing, Apr 2017")
    page.get_by_role("button", name="Release").click()
    page.wait_for_url("**/console/retention/holds")
    row = page.locator("tbody tr").first
    assert "released" in row.inner_text() and "lack of standing" in row.inner_text()
    batch = _plan_as_of(page, "2017-04-20")
    cells = batch.locator("td")
    assert cells.nth(4).inner_text() == str(copies)
    assert cells.nth(5).inner_text().strip() == "0"
    screenshot(page, "counsel-hold-released-plan-due")
