"""How many statements one intake sends the database (each is a round trip)."""

from __future__ import annotations

from cityid.devtools.bench.enrollment import statements_per_intake
from cityid.devtools.bench.suites import STATEMENTS_BEFORE
from cityid.runtime import Runtime


def test_an_intake_sends_fewer_statements_than_before_issue_19(runtime: Runtime) -> None:
    dialect = runtime.engine.dialect.name
    count = statements_per_intake(runtime, samples=5)
    assert count.statements <= STATEMENTS_BEFORE[dialect] - 2, count.kinds
    # an encoding is written in one statement (an upsert), not deleted then inserted
    assert "DELETE match_encodings" not in count.kinds
    assert count.kinds.count("INSERT match_encodings") == 1
