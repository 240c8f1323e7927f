"""The rules table, one test per default rule: facts in, the proposal and its rule out."""

from __future__ import annotations

from typing import Any

import pytest

from cityid.disclosure.rules import (
    DEFAULT_RULE_ID,
    RELEASABLE_FIELDS,
    RequestFacts,
    ScopeKind,
    propose,
)
from cityid.disclosure.scope import parse_scope
from cityid.errors import BadInput
from cityid.policy import load_policy

POLICY = load_policy()


def facts(kind: str, instrument: str, scope: ScopeKind = "personal", **more: Any) -> RequestFacts:
    return RequestFacts(kind, instrument, scope, **more)


def test_self_access_is_granted_once_identity_is_checked() -> None:
    checked = propose(POLICY, facts("applicant", "none", identity_checked=True, in_scope=1, held=1))
    assert (checked.decision, checked.rule) == ("granted", "self-access")
    assert checked.fields == RELEASABLE_FIELDS
    assert not checked.notify_applicant  # they asked themselves

    unchecked = propose(POLICY, facts("applicant", "none", in_scope=1, held=1))
    assert (unchecked.decision, unchecked.rule) == ("denied", DEFAULT_RULE_ID)
    assert "identity" in unchecked.notes[0]


def test_a_representative_with_written_consent_goes_to_counsel() -> None:
    found = propose(
        POLICY,
        facts("representative", "written_consent", fields=["address"], in_scope=1, held=1),
    )
    assert (found.decision, found.rule) == ("granted", "representative-with-consent")
    assert found.counsel_review and found.fields == ("address",)


def test_chicago_2025_federal_administrative_subpoena_is_refused() -> None:
    # ICE's administrative subpoena for three years of CityKey applicant data.
    scope = parse_scope({"from": "2022-01-01", "to": "2024-12-31"})
    assert scope.kind == "personal" and scope.covers_everyone_in_range
    found = propose(
        POLICY,
        facts("federal_law_enforcement", "administrative_subpoena", scope.kind, held=50_000),
    )
    assert (found.decision, found.rule) == ("denied", "administrative-subpoena-refused")
    assert found.fields == ()


def test_judicial_process_goes_to_counsel_for_the_named_fields_only() -> None:
    named = facts(
        "federal_law_enforcement", "judicial_warrant", fields=["family_name", "address"],
        in_scope=1, held=1,
    )  # fmt: skip
    found = propose(POLICY, named)
    assert (found.decision, found.rule) == ("granted", "judicial-process-counsel-review")
    assert found.counsel_review and found.fields == ("family_name", "address")
    # A court order that names no fields gets nothing.
    unnamed = propose(POLICY, facts("court", "court_order", in_scope=1, held=1))
    assert (unnamed.decision, unnamed.rule) == ("denied", "judicial-process-counsel-review")


def test_foil_aggregate_statistics_are_public() -> None:
    found = propose(POLICY, facts("public", "none", "aggregate"))
    assert (found.decision, found.rule) == ("granted", "foil-aggregate-public")


def test_foil_for_personal_data_is_refused() -> None:
    found = propose(POLICY, facts("public", "none", in_scope=900_000, held=900_000))
    assert (found.decision, found.rule) == ("denied", "foil-personal-refused")


def test_third_parties_without_judicial_process_get_nothing() -> None:
    for kind in ("local_police", "federal_law_enforcement", "other_agency", "court"):
        found = propose(POLICY, facts(kind, "none", fields=["address"], in_scope=1, held=1))
        assert (found.decision, found.rule) == ("denied", "third-party-without-judicial-process")


def test_no_records_when_nothing_in_scope_is_held_but_a_refusal_never_looks() -> None:
    warrant = facts("local_police", "judicial_warrant", fields=["address"], in_scope=1, held=0)
    assert propose(POLICY, warrant).decision == "no_records"
    partly = facts("local_police", "judicial_warrant", fields=["address"], in_scope=2, held=1)
    assert propose(POLICY, partly).decision == "partially_granted"
    subpoena = facts("federal_law_enforcement", "administrative_subpoena", in_scope=1, held=0)
    assert propose(POLICY, subpoena).decision == "denied"


def test_nothing_matches_means_the_policy_default_refusal() -> None:
    found = propose(POLICY, facts("applicant", "administrative_subpoena", in_scope=1, held=1))
    assert (found.decision, found.rule) == ("denied", DEFAULT_RULE_ID)


def test_the_rules_are_the_policy_files() -> None:
    # A city that dropped its administrative-subpoena rule would send them to default-deny;
    # one that put FOIL-personal first would refuse a warrant from the public too.
    rules = [r for r in POLICY.disclosure.rules if r.id != "administrative-subpoena-refused"]
    city = POLICY.model_copy(
        update={"disclosure": POLICY.disclosure.model_copy(update={"rules": rules})}
    )
    found = propose(city, facts("federal_law_enforcement", "administrative_subpoena", held=1))
    assert found.rule == DEFAULT_RULE_ID


@pytest.mark.parametrize(
    ("scope", "message"),
    [
        ({"fields": ["address"]}, "application_ids or a date range"),
        ({"application_ids": ["app-1"], "fields": ["ssn"]}, "unknown fields"),
        ({"aggregate": True, "application_ids": ["app-1"]}, "aggregate scope"),
        ({"from": "2016-12-31", "to": "2016-01-01"}, "after"),
        ("not json", "not JSON"),
    ],
)
def test_a_malformed_scope_is_refused_with_a_reason(scope: Any, message: str) -> None:
    with pytest.raises(BadInput, match=message):
        parse_scope(scope)


def test_notices_speak_the_applicants_language_or_english() -> None:
    from cityid.disclosure.notice_texts import NOTICE_TEXTS, render_notice

    assert {"eng", "spa", "zho", "rus", "ben", "hat", "kor", "ara"} <= set(NOTICE_TEXTS)
    for language in NOTICE_TEXTS:
        used, text = render_notice(
            language, program="IDNYC", request_id="req-1", decided_on="2017-01-20",
            fields=["address"],
        )  # fmt: skip
        assert used == language and "req-1" in text and "address" in text
    used, text = render_notice(
        "wol", program="IDNYC", request_id="req-1", decided_on="2017-01-20", fields=["address"]
    )
    assert used == "eng" and text.startswith("IDNYC: notice of a disclosure")


def test_the_report_html_draws_a_chart_with_no_script() -> None:
    from cityid.disclosure.report import bar_chart_svg
    from cityid.disclosure.report_html import render_report_html

    report = {
        "program": "IDNYC", "generated_at": "2017-04-01T00:00:00+00:00",
        "quarters": [{
            "quarter": "2016-Q4", "requests_total": 3, "overrides": 0, "records_destroyed": {},
            "holds_placed": 1, "holds_released": 0, "cards_issued": 0,
            "requests": [
                {"requester_kind": "public", "instrument": "none", "decision": d, "count": n}
                for d, n in (("denied", 2), ("granted", 1))
            ],
        }],
        "totals": {"requests": 3, "requests_by_decision": {"denied": 2, "granted": 1},
                   "requests_by_requester_kind": {"public": 3}, "overrides": 0,
                   "records_destroyed": {}, "holds_placed": 1, "holds_released": 0,
                   "cards_issued": 0},
        "sources": {},
    }  # fmt: skip
    svg = bar_chart_svg(report)
    assert svg.count("<rect") == 5 + 2  # the legend, then one bar per decision
    assert "<script" not in svg and "style=" not in svg
    page = render_report_html(report, load_policy().program)
    assert "<svg" in page and "2016-Q4" in page
