"""The console for staff with a queue (issue 22): the desk in words, queues that count and
page, actions on the row, confirmations, forms instead of JSON, nothing cut off at 1280 px,
and axe-core on every page these journeys visit."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import LiveServer, screenshot
from tests.browser.journey_helpers import add_staff, run_cli, sign_in, sign_out
from tests.browser.test_accessibility import AXE, BLOCKING

pytestmark = pytest.mark.browser

WIDE, PHONE = {"width": 1280, "height": 800}, {"width": 390, "height": 844}
FLAG_CODES = ("clerk_velocity", "possible_duplicate", "document_reuse", "address_velocity")


def _axe(page: Any) -> None:
    """No serious or critical axe-core violation on the page as it stands."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    bad = [
        f"{v['id']} ({v['impact']}) at {[' '.join(n['target']) for n in v['nodes'][:3]]}"
        for v in result["violations"]
        if v["impact"] in BLOCKING
    ]
    assert not bad, f"{page.url}: " + "; ".join(bad)


def _fits(page: Any, selector: str, width: int = 1280) -> None:
    """Every element matching `selector` ends inside the viewport (nothing cut off)."""
    edges = page.eval_on_selector_all(
        selector, "els => els.map(e => e.getBoundingClientRect().right)"
    )
    assert edges, f"nothing matches {selector}"
    assert max(edges) <= width, f"{page.url}: {selector} reaches {max(edges)} px of {width}"


def _no_overflow(page: Any, width: int) -> None:
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"{page.url}: the page is {scroll} px wide at {width} px"


def _in_view(page: Any, selector: str) -> None:
    box = page.locator(selector).bounding_box()
    height = page.viewport_size["height"]
    assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= height, box


def test_the_desk_speaks_in_words_and_refuses_before_the_photo(
    live_server: LiveServer, browser: Any, tmp_path: Path
) -> None:
    add_staff(live_server, tmp_path, clerk="clerk")
    context = browser.new_context(viewport=WIDE, bypass_csp=True)
    page = context.new_page()
    sign_in(page, live_server, "clerk")
    page.goto(f"{live_server.url}/console/enrollment/")

    # The step bar reads as steps; languages are named in their own language.
    for n, (item, name) in enumerate(
        zip(page.locator(".steps li").all(), ["Applicant", "Documents", "Photo", "Review"]), 1
    ):
        assert item.inner_text().startswith(f"{n} {name}"), item.inner_text()
    language = page.get_by_label("Preferred language")
    assert "Español (Spanish)" in language.inner_text()
    assert not re.search(r"\b(eng|spa)\b", language.inner_text())

    tomorrow = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    page.get_by_label("Given name(s), as written").fill("Amara")
    page.get_by_label("Family name(s), as written").fill("Okonkwo")
    page.get_by_label("Date of birth").fill(tomorrow)
    page.get_by_label("Street address").fill("1520 Grand Concourse")
    page.get_by_label("City or borough").fill("Bronx")
    page.get_by_label("Postal code").fill("10457")
    language.select_option("spa")
    page.get_by_role("button", name="Next: documents").click()

    # The problem in words, beside its field, and in a summary that has the focus.
    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link")).to_have_text("Date of birth cannot be in the future")
    inline = page.locator("#e-date_of_birth")
    expect(inline).to_have_text(re.compile("Date of birth cannot be in the future"))
    expect(page.get_by_label("Date of birth")).to_have_attribute("aria-invalid", "true")
    field_box = page.get_by_label("Date of birth").bounding_box()
    inline_box = inline.bounding_box()
    assert field_box and inline_box and 0 <= field_box["y"] - inline_box["y"] < 80
    assert "date_of_birth" not in page.locator("main").inner_text()
    _axe(page)
    screenshot(page, "desk-error-1280")
    page.set_viewport_size(PHONE)
    _no_overflow(page, PHONE["width"])
    screenshot(page, "desk-error-390")
    page.set_viewport_size(WIDE)

    page.get_by_label("Date of birth").fill("1990-05-01")
    page.get_by_role("button", name="Next: documents").click()
    expect(page.locator('[aria-current="step"] .step-name')).to_have_text("Documents")

    # Fields that fit the document: a utility bill has no issuing country, no expiry.
    first = page.get_by_role("group", name=re.compile("^Document 1"))
    first.get_by_label("Type").select_option("foreign_passport")
    first.get_by_label("Document number").fill("G12345678")
    first.get_by_label("Issuing country").fill("XYZ")
    first.get_by_label("Expires").fill((dt.date.today() + dt.timedelta(days=900)).isoformat())
    second = page.get_by_role("group", name=re.compile("^Document 2"))
    second.get_by_label("Type").select_option("utility_bill")
    expect(second.get_by_label("Issuing country")).to_be_hidden()
    expect(second.get_by_label("Expires")).to_be_hidden()
    second.get_by_label("Document number").fill("ACCT 5521")
    page.get_by_role("button", name="Next: photo").click()

    expect(page.locator("#error-summary")).to_be_focused()
    words = "Document 1 (Foreign passport): the issuing country is not a country code we know"
    expect(page.locator("#error-summary")).to_contain_text(words)
    expect(page.locator("#e-doc0_country")).to_contain_text(words)
    assert "documents." not in page.locator("main").inner_text()

    # The tally stays in view while the clerk scrolls to the last document, at both widths.
    for size in (WIDE, PHONE):
        page.set_viewport_size(size)
        page.locator("#f-doc3_type").scroll_into_view_if_needed()
        _in_view(page, "#tally")
        _no_overflow(page, size["width"])
    screenshot(page, "desk-documents-390")
    page.set_viewport_size(WIDE)
    screenshot(page, "desk-documents-1280")

    # Without the passport the applicant is not eligible: refused before any photo.
    first.get_by_label("Issuing country").fill("MEX")
    first.get_by_label("Type").select_option("")
    page.get_by_role("button", name="Next: photo").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("^Not eligible yet"))
    expect(page.locator("input[type=file]")).to_have_count(0)
    expect(page.locator("main")).to_contain_text("identity point")
    _axe(page)
    screenshot(page, "desk-refused-1280")

    # A document was missed: back to the documents, everything still filled in.
    page.get_by_role("button", name=re.compile("Back to the documents")).click()
    first = page.get_by_role("group", name=re.compile("^Document 1"))
    first.get_by_label("Type").select_option("foreign_passport")
    page.get_by_role("button", name="Next: photo").click()
    expect(page.locator('[aria-current="step"] .step-name')).to_have_text("Photo")
    page.get_by_role("button", name="Next: review").click()
    page.get_by_role("button", name="Submit application").click()

    # The outcome tells the clerk what to do; the applicant's view shows nothing internal.
    expect(page.get_by_role("heading", level=1)).to_have_text("Application taken in")
    shown = page.locator("main").inner_text()
    assert not any(code in shown for code in FLAG_CODES), shown
    assert "flagged" not in page.get_by_role("heading", level=1).inner_text().lower()
    reference = page.locator(".receipt-reference").inner_text().strip()
    assert len(reference) >= 6
    _axe(page)
    screenshot(page, "desk-outcome-1280")
    page.emulate_media(media="print")
    expect(page.locator(".receipt")).to_be_visible()
    expect(page.locator(".topbar")).to_be_hidden()
    expect(page.locator(".staff-only")).to_be_hidden()
    screenshot(page, "desk-receipt-print")
    page.emulate_media(media="screen")
    page.set_viewport_size(PHONE)
    _no_overflow(page, PHONE["width"])
    screenshot(page, "desk-outcome-390")
    context.close()


def _enroll(live_server: LiveServer, tmp_path: Path, password: Path, count: int) -> list[str]:
    lines = tmp_path / "batch.jsonl"
    run_cli(live_server, "synth", "applicants", "--count", str(count), "--documents",
            "--out", str(lines))  # fmt: skip
    enrolled = run_cli(live_server, "enroll", "--file", str(lines), "--actor", "clerk",
                       "--password-file", str(password))  # fmt: skip
    assert enrolled["flagged"] == 0, enrolled  # a batch is not one clerk rushing a queue
    return [i["application_id"] for i in enrolled["items"] if i["application_id"]]


def test_queues_count_page_and_act_on_the_row(
    live_server: LiveServer, browser: Any, tmp_path: Path
) -> None:
    password = add_staff(live_server, tmp_path, clerk="clerk", supervisor="supervisor")
    stored = _enroll(live_server, tmp_path, password, 14)
    assert len(stored) > 6, stored
    approved = stored[0]
    run_cli(live_server, "application", "approve", approved, "--reason", "Originals seen",
            "--actor", "supervisor", "--password-file", str(password))  # fmt: skip
    context = browser.new_context(viewport=WIDE, bypass_csp=True)
    page = context.new_page()

    # A clerk is told in words what their role cannot do.
    sign_in(page, live_server, "clerk")
    page.goto(f"{live_server.url}/console/review/")
    expect(page.locator("main")).to_contain_text("Your role (clerk) cannot open the review queue")
    page.goto(f"{live_server.url}/console/")
    sign_out(page, live_server)

    # The decisions queue: a count, pages, the reason each row is there.
    sign_in(page, live_server, "supervisor")
    page.goto(f"{live_server.url}/console/enrollment/queue?size=5")
    waiting = len(stored) - 1
    expect(page.locator("#queue-count")).to_contain_text(f"{waiting} applications match")
    pages = -(-waiting // 5)
    expect(page.locator(".pager")).to_contain_text(f"Page 1 of {pages}")
    expect(page.locator("table.queue tbody tr")).to_have_count(5)
    expect(page.locator("table.queue tbody tr").first).to_contain_text(
        "Waiting for the usual decision"
    )
    _fits(page, "table.queue tr > :last-child")
    _axe(page)
    screenshot(page, "queue-decisions-1280")
    page.get_by_role("link", name="Next page").click()
    expect(page.locator(".pager")).to_contain_text(f"Page 2 of {pages}")
    page.get_by_label("Status").select_option("flagged")
    page.get_by_role("button", name="Show").click()
    expect(page.locator("#queue-count")).to_contain_text("0 applications match")

    # The review queue fits 1280 px.
    page.goto(f"{live_server.url}/console/review/")
    expect(page.locator("#queue-count")).to_be_visible()
    _fits(page, "table tr > :last-child")
    _axe(page)

    # The card: issued from the approved application's own row.
    page.goto(f"{live_server.url}/console/cards/")
    expect(page.locator("#awaiting-count")).to_contain_text("1 approved application")
    row = page.get_by_role("row").filter(has_text=approved)
    _fits(page, "table.queue tr > :last-child")
    _axe(page)
    screenshot(page, "queue-cards-1280")
    row.get_by_role("button", name="Issue card").click()
    expect(page.get_by_role("status")).to_have_text("Card issued.")

    # Revoking is final: a confirmation page first, then the card is revoked.
    page.locator("#status-reason").fill("Reported stolen by the cardholder")
    page.get_by_role("button", name="Revoke").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"^Revoke card .+\?$"))
    expect(page.locator("[data-card-status]")).to_have_count(0)
    _fits(page, "button")
    _axe(page)
    screenshot(page, "confirm-revoke-1280")
    page.get_by_role("button", name="Yes, revoke the card").click()
    expect(page.locator("[data-card-status]")).to_have_text("revoked")
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/console/enrollment/queue?size=5")
    _no_overflow(page, PHONE["width"])
    screenshot(page, "queue-decisions-390")
    context.close()


def test_counsel_places_a_hold_and_logs_a_request_with_fields(
    live_server: LiveServer, browser: Any, tmp_path: Path
) -> None:
    password = add_staff(live_server, tmp_path, clerk="clerk", celia="counsel", aud="auditor")
    stored = _enroll(live_server, tmp_path, password, 3)
    context = browser.new_context(viewport=WIDE, bypass_csp=True)
    page = context.new_page()
    sign_in(page, live_server, "celia")

    # A hold's scope as fields: the server builds the scope object.
    page.goto(f"{live_server.url}/console/retention/holds")
    assert "JSON" not in page.locator("main").inner_text()
    expect(page.locator("textarea[name=scope]")).to_have_count(0)
    page.get_by_label("Authority (court)").fill("Supreme Court, Richmond County")
    page.get_by_label("Index or docket number").fill("80258/16")
    page.get_by_label("Reason", exact=True).fill("Preserve the copies")
    page.get_by_label("Only records matching every limit below").check()
    page.get_by_label("Document copies").check()
    page.get_by_label("Enrolled from").fill("2015-01-12")
    page.get_by_label("Enrolled to").fill("2016-12-06")
    page.get_by_label("Application ids (one per line)").fill(stored[0])
    _axe(page)
    page.get_by_role("button", name="Place hold").click()
    row = page.locator("tbody tr").first
    expect(row).to_contain_text("Document copies; enrolled 2015-01-12 to 2016-12-06")
    expect(row).to_contain_text(f"1 application: {stored[0]}")
    _fits(page, "table tr > :last-child")
    screenshot(page, "counsel-hold-fields-1280")
    held = run_cli(live_server, "hold", "list", "--actor", "celia", "--password-file",
                   str(password))["holds"][0]  # fmt: skip
    assert held["scope"] == {
        "record_classes": ["document_copy"], "enrolled_from": "2015-01-12",
        "enrolled_to": "2016-12-06", "application_ids": [stored[0]],
    }, held  # fmt: skip

    # Approving a destruction is confirmed on its own page.
    page.goto(f"{live_server.url}/console/retention/")
    page.get_by_label("Plan what is due as of").fill("2040-01-01")
    page.get_by_role("button", name="Plan", exact=True).click()
    page.get_by_role("button", name="Approve").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("^Approve destruction"))
    _axe(page)
    page.get_by_role("button", name="Yes, approve the destruction").click()
    expect(page.locator("tbody tr").first).to_contain_text("1 / 2")
    _fits(page, "table tr > :last-child")
    _fits(page, "button")
    screenshot(page, "retention-batches-1280")

    # A disclosure request logged by counsel, with fields.
    page.goto(f"{live_server.url}/console/disclosure/")
    page.get_by_role("link", name="Log a new request").click()
    page.get_by_label("Who is asking").select_option("federal_law_enforcement")
    page.get_by_label("Legal instrument").select_option("administrative_subpoena")
    page.get_by_label("Index, docket or reference number").fill("ICE-2025-0001")
    page.get_by_label("Application ids named (one per line)").fill(stored[0])
    page.get_by_label("Family name").check()
    _axe(page)
    screenshot(page, "disclosure-file-1280")
    page.get_by_role("button", name="Log the request").click()
    page.wait_for_url(re.compile(r".*/console/disclosure/(?!new)[^/]+$"))
    expect(page.locator("main")).to_contain_text(re.compile("administrative.subpoena", re.I))
    _axe(page)
    sign_out(page, live_server)

    # The audit log fits 1280 px.
    sign_in(page, live_server, "aud")
    page.goto(f"{live_server.url}/console/audit/")
    _fits(page, "table tr > :last-child")
    _axe(page)
    screenshot(page, "audit-1280")
    context.close()
