"""Hypothesis on the backlog importer: a damaged line is reported by number, never a crash.

`cityid import legacy` reads files made by other systems, hundreds of thousands of
lines at a time; one odd line must not stop the import or leave half a record.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cityid.bootstrap import open_runtime
from cityid.devtools.synth.applicants import generate_applicants
from cityid.retention.legacy_import import import_legacy
from cityid.runtime import Runtime
from cityid.staff.actor import Actor
from tests.fuzz.test_fuzz_parsers import JSON_LEAVES, _mutate_text, _paths, _set

OFFICER = Actor("u_records", "records", "records_officer")
SEEDS = [
    {k: v for k, v in line.items() if k != "truth"} | {"enrolled_on": "2015-03-02"}
    for line in generate_applicants(6, seed=3, today=dt.date(2015, 3, 2))
]


@pytest.fixture
def runtime(sqlite_data_dir: Path) -> Any:
    opened = open_runtime(sqlite_data_dir)
    yield opened
    opened.close()


def test_the_undamaged_seed_lines_import(runtime: Runtime, tmp_path: Path) -> None:
    """The fuzz below starts from lines the importer takes, so damage is what it meets."""
    path = tmp_path / "backlog.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in SEEDS), encoding="utf-8")
    report = import_legacy(runtime, OFFICER, path)
    assert report.imported == len(SEEDS), report.items


def _damaged_line(data: st.DataObject) -> str:
    document = json.loads(json.dumps(data.draw(st.sampled_from(SEEDS))))
    extra_keys = st.sampled_from(["enrolled_on", "status", "card_expires_on", "documents"])
    if data.draw(st.booleans()):
        document[data.draw(extra_keys)] = data.draw(JSON_LEAVES)
    for _ in range(data.draw(st.integers(0, 3))):
        paths = _paths(document)
        if paths:
            path = data.draw(st.sampled_from(paths))
            _set(document, path, data.draw(JSON_LEAVES), delete=data.draw(st.booleans()))
    text = json.dumps(document, ensure_ascii=False)
    if data.draw(st.integers(0, 4)) == 0:
        text = _mutate_text(data, text, st.characters(exclude_characters="\n\r"))
    return text


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_damaged_backlog_lines_are_reported_and_the_rest_imported(
    runtime: Runtime, tmp_path: Path, data: st.DataObject
) -> None:
    lines = [_damaged_line(data) for _ in range(data.draw(st.integers(1, 8)))]
    path = tmp_path / f"backlog-{data.draw(st.integers(0, 10**9))}.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = import_legacy(runtime, OFFICER, path)
    assert report.imported + report.invalid + report.skipped_done == report.lines
    for item in report.items:
        if item["status"] == "invalid":
            assert item["application_id"] is None and item["reasons"]
