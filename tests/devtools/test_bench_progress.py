"""`cityid bench` shows its progress on stderr and keeps stdout to the one JSON document."""

from __future__ import annotations

import json
from typing import Any


def test_bench_progress_goes_to_stderr_and_the_json_stays_whole(cli: Any) -> None:
    result = cli("--json", "bench", "--only", "crypto", "--size", "5")
    assert result.code == 0, result.err
    document = json.loads(result.out)  # nothing but the document on stdout
    assert {row["name"] for row in document["results"]} >= {"crypto_seal_record"}
    assert "bench suites" in result.err and "1/1" in result.err
