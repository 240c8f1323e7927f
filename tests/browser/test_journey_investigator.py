"""The investigator's journey in a real browser: two near-duplicate applicants come in
through batch intake, the pair waits in the review queue, the investigator compares them
side by side, decides, and the queue shows the decision."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import LiveServer, screenshot
from tests.browser.journey_helpers import add_staff, run_cli, sign_in
from tests.matching_service.conftest import person

pytestmark = pytest.mark.browser
BORN = dt.date(1971, 6, 2)


def _enroll_a_near_duplicate_pair(live_server: LiveServer, tmp_path: Path) -> tuple[str, str]:
    password = add_staff(live_server, tmp_path, clerk="clerk", investigator="investigator")
    lines = tmp_path / "pair.jsonl"
    people = [
        person("William", "Johnston", BORN, "X1000001", "B-100", photo=True),
        person("Bill", "Jonston", BORN, "X2000002", "B-200", photo=True),
    ]
    lines.write_text("".join(json.dumps(p, ensure_ascii=False) + "\n" for p in people))
    enrolled = run_cli(
        live_server, "enroll", "--file", str(lines),
        "--actor", "clerk", "--password-file", str(password),
    )  # fmt: skip
    first, second = (item["application_id"] for item in enrolled["items"])
    kinds = {flag["kind"] for flag in enrolled["items"][1]["flags"]}
    assert "possible_duplicate" in kinds, enrolled
    return first, second


def test_investigator_compares_the_pair_and_decides(
    live_server: LiveServer, page: Any, tmp_path: Path
) -> None:
    first, second = _enroll_a_near_duplicate_pair(live_server, tmp_path)

    sign_in(page, live_server, "investigator")
    page.get_by_role("link", name="Review queue").click()
    page.wait_for_url("**/console/review/")
    items = page.get_by_role("table").filter(has_text="Why it is here")
    row = items.get_by_role("row").filter(has_text="May be a person already enrolled")
    expect(row).to_have_count(1)
    assert first in row.inner_text() and second in row.inner_text()
    assert "open" in row.inner_text()
    screenshot(page, "journey-investigator-1-queue")

    item_id = row.get_by_role("link").inner_text()
    row.get_by_role("link", name=item_id).click()
    page.wait_for_url(f"**/console/review/{item_id}")
    side_by_side = page.get_by_role("table")
    header = side_by_side.get_by_role("row").first.inner_text()
    assert first in header and second in header
    given = side_by_side.get_by_role("row").filter(
        has=page.get_by_role("rowheader", name="Given name")
    )
    assert {"William", "Bill"} <= set(given.inner_text().split())
    family = side_by_side.get_by_role("row").filter(
        has=page.get_by_role("rowheader", name="Family name")
    )
    assert {"Johnston", "Jonston"} <= set(family.inner_text().split())
    expect(page.get_by_role("img", name=f"Photo of application {first}")).to_be_visible()
    expect(page.get_by_role("img", name=f"Photo of application {second}")).to_be_visible()
    screenshot(page, "journey-investigator-2-side-by-side")

    page.get_by_role("radio", name="Not a duplicate").check()
    page.get_by_role("button", name="Record decision").click()
    expect(page.get_by_role("status")).to_have_text("Decision recorded.")
    assert "not_duplicate" in page.locator("main").inner_text()
    expect(page.get_by_role("button", name="Record decision")).to_have_count(0)

    # The queue: no longer open; shown under "decided" with its decision.
    page.get_by_role("link", name="Back to the queue").click()
    expect(page.get_by_role("link", name=item_id)).to_have_count(0)
    page.get_by_label("Show").select_option("decided")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**/console/review/?status=decided*")
    decided = page.get_by_role("row").filter(has_text=item_id)
    expect(decided).to_contain_text("decided: not duplicate")
    counts = page.get_by_role("table").filter(has_text="Fraud referred")
    words = "May be a person already enrolled"
    tally = counts.get_by_role("row").filter(has_text=words).get_by_role("cell")
    expect(tally).to_have_text([re.compile(words), "0", "0", "1", "0"])
    screenshot(page, "journey-investigator-3-decided")
