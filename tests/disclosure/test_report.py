"""The public transparency report: its counts equal the requests filed; no login, no person."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import Counter
from typing import Any

from fastapi.testclient import TestClient

from cityid.web.app import create_app
from tests.disclosure.conftest import City, decide, file_request

FILED: list[tuple[dt.date, str, str, dict[str, Any], str | None]] = [
    # (received on, requester kind, instrument, scope, decide as)
    (dt.date(2016, 12, 5), "federal_law_enforcement", "administrative_subpoena",
     {"from": "2014-01-01", "to": "2016-12-31"}, "confirm"),
    (dt.date(2016, 12, 9), "public", "none", {"aggregate": True}, "confirm"),
    (dt.date(2016, 12, 20), "public", "none", {"from": "2014-01-01"}, None),
    (dt.date(2017, 1, 4), "local_police", "judicial_warrant",
     {"application_ids": ["maria"], "fields": ["family_name"]}, "override"),
    (dt.date(2017, 2, 1), "court", "court_order",
     {"application_ids": ["app-00000000000000000000"], "fields": ["address"]}, "confirm"),
]  # fmt: skip


def test_the_report_counts_exactly_the_requests_filed(city: City) -> None:
    expected: Counter[tuple[str, str, str, str]] = Counter()
    for received, kind, instrument, scope, how in FILED:
        if "application_ids" in scope:
            scope = scope | {
                "application_ids": [city.applications.get(i, i) for i in scope["application_ids"]]
            }
        filed = file_request(city, kind, instrument, scope, received_on=received)
        decision = "pending"
        if how == "confirm":
            decision = decide(city, filed.request_id).decision
        elif how == "override":
            decision = decide(
                city, filed.request_id, override="denied", reason="The warrant was unsigned."
            ).decision
        quarter = f"{received.year}-Q{(received.month - 1) // 3 + 1}"
        expected[(quarter, kind, instrument, decision)] += 1

    client = TestClient(create_app(city.runtime))
    report = client.get("/transparency.json").json()  # no login
    counted: Counter[tuple[str, str, str, str]] = Counter()
    for quarter in report["quarters"]:
        for item in quarter["requests"]:
            key = (quarter["quarter"], item["requester_kind"], item["instrument"], item["decision"])
            counted[key] += item["count"]
    assert counted == expected
    assert report["totals"]["requests"] == len(FILED)
    assert report["totals"]["requests_by_decision"] == {
        "denied": 2, "granted": 1, "no_records": 1, "pending": 1,
    }  # fmt: skip
    this_quarter = f"{dt.date.today().year}-Q{(dt.date.today().month - 1) // 3 + 1}"
    overrides = {q["quarter"]: q["overrides"] for q in report["quarters"]}
    assert overrides[this_quarter] == 1  # counted when counsel decided
    assert report["totals"]["overrides"] == 1
    assert report["sources"]["disclosure_requests"] is True

    table = client.get("/transparency.csv")
    assert table.status_code == 200 and table.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(table.text)))
    assert sum(int(r["count"]) for r in rows if r["measure"] == "requests") == len(FILED)

    page = client.get("/transparency", headers={"accept": "text/html"})
    assert page.status_code == 200 and "<svg" in page.text and "Transparency report" in page.text
    assert "2016-Q4" in page.text

    # Nothing about a person: not the cardholders, not the requesters.
    for text in (page.text, table.text, str(report)):
        assert "García" not in text and "Zhang" not in text and "app-" not in text

    # The CLI door gives the same numbers.
    cli_report = city.cli("--json", "--data-dir", str(city.data_dir), "report", "transparency")
    assert cli_report.json["totals"] == report["totals"]
    cli_csv = city.cli(
        "--data-dir", str(city.data_dir), "report", "transparency", "--format", "csv"
    )
    assert cli_csv.out.splitlines()[0].startswith("quarter,measure")

    # Counsel's console is not public.
    queue = client.get("/console/disclosure/", follow_redirects=False)
    assert queue.status_code in (401, 303)
