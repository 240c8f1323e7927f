"""An applicant, in a browser: the checklist in Spanish, their status in Spanish and Arabic."""

from __future__ import annotations

import json
from typing import Any

from tests.browser.conftest import LiveServer, screenshot


def _enrolled(live_server: LiveServer) -> tuple[str, str]:
    out = live_server.data_dir.parent / "one.jsonl"
    password = live_server.data_dir.parent / "clerk.pw"
    password.write_text("a clerk's long test password")
    made = live_server.cityid("--json", "synth", "applicants", "--count", "1", "--out", str(out))
    assert made.returncode == 0, made.stderr
    centre = json.loads(out.read_text().splitlines()[0])["centre"]  # the clerk works there
    added = live_server.cityid(
        "--json", "user", "add", "clerk1", "--role", "clerk", "--centre", centre,
        "--password-file", str(password),
    )  # fmt: skip
    assert added.returncode == 0, added.stdout + added.stderr
    clerk = ("--actor", "clerk1", "--password-file", str(password))
    enrolled = live_server.cityid("--json", *clerk, "enroll", "--file", str(out))
    assert enrolled.returncode == 0, enrolled.stderr
    application_id = json.loads(enrolled.stdout)["items"][0]["application_id"]
    shown = live_server.cityid(
        "--json",
        "application",
        "show",
        application_id,
        "--purpose",
        "desk_request",
        *clerk,
    )
    assert shown.returncode == 0, shown.stdout + shown.stderr
    record = json.loads(shown.stdout)
    return record["reference"], record["applicant"]["date_of_birth"]


def test_spanish_checklist_by_keyboard(live_server: LiveServer, page: Any) -> None:
    page.set_extra_http_headers({"Accept-Language": "es-US,es;q=0.9"})
    page.goto(f"{live_server.url}/apply/")
    assert page.get_attribute("html", "lang") == "es"
    page.check("#doc-foreign_passport")
    page.check("#doc-utility_bill")
    page.get_by_role("button", name="Hacer mi lista").press("Enter")
    page.wait_for_url("**/apply/checklist**")
    assert page.locator("#identity-total").inner_text() == "3"
    assert page.locator(".result.good").is_visible()
    # Started online: a reference number to show at the centre, no name asked.
    page.get_by_role("button", name="Obtener un número de referencia").press("Enter")
    page.wait_for_selector("#pre-reference")
    assert len(page.locator("#pre-reference").inner_text()) == len("XXXXX-XXXXX")
    screenshot(page, "applicant-reference-es")
    page.goto(f"{live_server.url}/apply/")
    screenshot(page, "applicant-apply-es")


def test_status_in_spanish_then_arabic(live_server: LiveServer, page: Any) -> None:
    reference, born = _enrolled(live_server)
    page.set_extra_http_headers({"Accept-Language": "es"})
    page.goto(f"{live_server.url}/me/")
    page.fill("#reference", reference)
    page.fill("#date_of_birth", born)
    page.locator("form[action^='/me/status'] button").click()
    page.wait_for_selector("#status-result")
    assert page.get_attribute("html", "lang") == "es"
    assert reference in page.locator("#status-result").inner_text()
    screenshot(page, "applicant-me-status-es")
    # The picker (a plain form, no JavaScript) switches to Arabic, right to left.
    page.select_option("#lang-picker", "ar")
    page.locator(".language-picker button").click()
    page.wait_for_url("**lang=ar**")
    assert page.get_attribute("html", "dir") == "rtl"
    page.fill("#reference", reference)
    page.fill("#date_of_birth", born)
    page.locator("form[action^='/me/status'] button").click()
    page.wait_for_selector("#status-result")
    assert page.get_attribute("html", "lang") == "ar"
    no_sideways_scroll = page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )
    assert no_sideways_scroll
    screenshot(page, "applicant-me-ar")
