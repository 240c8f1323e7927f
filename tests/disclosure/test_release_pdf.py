"""The PDF of a release package: one page per screenful, the request id marked on each."""

from __future__ import annotations

import re
from typing import Any

from cityid.disclosure.release_pdf import page_mark, render_pages, render_pdf


def package(records: int) -> dict[str, Any]:
    return {
        "program": "IDNYC",
        "request_id": "req-0123456789abcdef",
        "requester_kind": "court",
        "instrument": "court_order",
        "received_on": "2017-01-03",
        "generated_at": "2017-01-20T10:00:00+00:00",
        "decision": "granted",
        "rule": "judicial-process-counsel-review",
        "fields": ["family_name", "address"],
        "records": [
            {"application_id": f"app-{i:020d}", "family_name": "Nguyễn", "address": {"city": "X"}}
            for i in range(records)
        ],
    }


def test_every_page_carries_the_request_id() -> None:
    big = package(records=80)
    pages = render_pages(big)
    assert len(pages) > 1
    marks = [page_mark(big, n, len(pages)) for n in range(1, len(pages) + 1)]
    assert all("req-0123456789abcdef" in mark for mark in marks)
    data = render_pdf(big)
    assert data.startswith(b"%PDF")
    assert len(re.findall(rb"/Type /Page\b(?!s)", data)) == len(pages)
    # The mark is drawn in the band above the rule on every page (ink is there).
    for page in pages:
        band = page.crop((90, 20, 900, 70)).convert("L")
        assert band.getextrema()[0] < 100


def test_a_refusal_package_says_nothing_is_released() -> None:
    answer = package(records=0) | {"decision": "denied", "fields": []}
    assert len(render_pages(answer)) == 1
