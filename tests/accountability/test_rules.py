"""The pure rules: purposes, scope, alert rules, and the offline report check."""

from __future__ import annotations

import datetime as dt

import pytest

from cityid.accountability.alert_rules import Context, LogEvent, evaluate
from cityid.accountability.purposes import Purpose, PurposeProblem, parse_purpose
from cityid.accountability.report_check import verify_report
from cityid.accountability.scope import ScopeFacts, decide
from cityid.policy.model import Accountability

RULES = Accountability()
NOW = dt.datetime(2026, 12, 4, 15, 0, tzinfo=dt.UTC)  # 10:00 in New York


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("intake", Purpose("intake")),
        (" desk_request ", Purpose("desk_request")),
        ("disclosure_request:req-0042", Purpose("disclosure_request", "req-0042")),
    ],
)
def test_purposes_from_the_list_are_accepted(text: str, expected: Purpose) -> None:
    assert parse_purpose(text, RULES) == expected


@pytest.mark.parametrize(
    ("text", "code"),
    [
        (None, "purpose_required"),
        ("", "purpose_required"),
        ("curiosity", "bad_purpose"),
        ("disclosure_request", "bad_purpose"),
        ("disclosure_request:Maria Lopez", "bad_purpose"),
        ("intake:extra", "bad_purpose"),
    ],
)
def test_other_purposes_are_refused_without_echoing_them(text: str | None, code: str) -> None:
    with pytest.raises(PurposeProblem) as refused:
        parse_purpose(text, RULES)
    assert refused.value.code == code
    assert "Maria" not in refused.value.message


def _facts(role: str, **changes: object) -> ScopeFacts:
    base = {"role": role, "staff_centre": "bronx-1", "record_centre": "bronx-1",
            "record_created_at": NOW - dt.timedelta(days=2), "in_review_queue": False,
            "now": NOW}  # fmt: skip
    return ScopeFacts(**{**base, **changes})  # type: ignore[arg-type]


def test_scope_by_role_centre_age_and_queue() -> None:
    assert decide(_facts("clerk"), RULES).allowed
    assert decide(_facts("clerk", record_centre="queens-1"), RULES).rule == "other_centre"
    old = NOW - dt.timedelta(days=RULES.clerk_days_after_intake, seconds=1)
    assert decide(_facts("clerk", record_created_at=old), RULES).rule == "past_intake_days"
    assert decide(_facts("clerk", staff_centre=None, record_centre=None), RULES).allowed
    assert not decide(_facts("clerk", staff_centre=None), RULES).allowed
    assert decide(_facts("investigator", in_review_queue=True), RULES).allowed
    assert decide(_facts("investigator"), RULES).rule == "not_in_review_queue"
    assert decide(_facts("supervisor", record_centre="queens-1"), RULES).allowed
    assert not decide(_facts("auditor"), RULES).allowed


def _reads(n: int, start: dt.datetime, every: dt.timedelta, **kw: object) -> list[LogEvent]:
    fields = {"actor": "u1", "action": "application.read", "targets": ("app-1",),
              "purpose": "intake"}  # fmt: skip
    fields.update(kw)  # type: ignore[arg-type]
    return [LogEvent(index=i, at=start + i * every, **fields) for i in range(n)]  # type: ignore[arg-type]


CONTEXT = Context({"u1": "bronx-1"}, {"app-1": "bronx-1", "app-2": "queens-1"},
                  {"app-1": True, "app-2": False}, "America/New_York")  # fmt: skip


def test_alert_rules_fire_at_their_thresholds_and_not_below() -> None:
    limit = RULES.alerts.max_reads_per_hour
    calm = _reads(limit, NOW, dt.timedelta(seconds=20))
    assert evaluate(calm, CONTEXT, RULES) == []
    busy = _reads(limit + 1, NOW, dt.timedelta(seconds=20))
    [alert] = evaluate(busy, CONTEXT, RULES)
    assert (alert.rule, alert.count, alert.indexes[:2]) == ("read_rate", limit + 1, (0, 1))

    night = _reads(RULES.alerts.off_shift_min_reads, NOW.replace(hour=3), dt.timedelta(minutes=1))
    assert [a.rule for a in evaluate(night, CONTEXT, RULES)] == ["off_shift"]
    elsewhere = _reads(RULES.alerts.other_centre_min_reads, NOW, dt.timedelta(minutes=5),
                       targets=("app-2",), purpose="desk_request")  # fmt: skip
    assert [a.rule for a in evaluate(elsewhere, CONTEXT, RULES)] == ["other_centre"]
    idle = _reads(RULES.alerts.no_task_min_reads, NOW, dt.timedelta(minutes=1),
                  targets=("app-3",), purpose="intake")  # fmt: skip
    context = Context({"u1": None}, {}, {"app-3": False}, "America/New_York")
    assert [a.rule for a in evaluate(idle, context, RULES)] == ["no_open_task"]


def test_searches_followed_by_an_intake_raise_nothing_and_lone_ones_do() -> None:
    n = RULES.alerts.searches_without_intake
    searches = _reads(n, NOW, dt.timedelta(minutes=10), action="application.search",
                      targets=(), found=1)  # fmt: skip
    intakes = [LogEvent(1000 + i, s.at + dt.timedelta(minutes=3), "u1", "application.create",
                        ("app-9",), "intake") for i, s in enumerate(searches)]  # fmt: skip
    assert evaluate([*searches, *intakes], CONTEXT, RULES) == []
    assert [a.rule for a in evaluate(searches, CONTEXT, RULES)] == ["search_without_intake"]
    misses = _reads(RULES.alerts.not_found_per_hour, NOW, dt.timedelta(minutes=2),
                    action="application.search", targets=(), found=0)  # fmt: skip
    found = {a.rule for a in evaluate(misses, CONTEXT, RULES)}
    assert "not_found_spike" in found


def test_a_report_check_says_why_it_fails_and_never_raises() -> None:
    assert not verify_report({}).ok
    assert "not an access report" in verify_report({"lines": []}).message
    bad = verify_report({"application_id": "app-1", "checkpoint": "junk", "lines": []})
    assert not bad.ok and bad.message.startswith("checkpoint")
