from __future__ import annotations

import datetime as dt

from matching_helpers import TestHasher, applicant
from synthetic import applicants

import cityid.matching.signals as signals
from cityid.enrollment.document_token import document_token
from cityid.matching.encoding import BloomEncoder
from cityid.matching.evaluate import evaluate
from cityid.policy.model import Matching

NOW = dt.datetime(2016, 12, 7, 10, 0, tzinfo=dt.UTC)


def test_a_reused_passport_number_yields_document_reuse(hasher: TestHasher) -> None:
    # the register keeps token -> applications; the number itself is never stored
    register: dict[bytes, list[str]] = {}
    for app_id, number in [("app-1", "G12345678"), ("app-2", "X99887766")]:
        register.setdefault(document_token(hasher, "passport", "MEX", number), []).append(app_id)
    presented = document_token(hasher, "passport", "MEX", "g1234 5678")
    flags = signals.document_reuse(register.get(presented, []), applicant_id="app-3")
    assert flags == [{"kind": "document_reuse", "of": "app-1", "score": None}]
    fresh = document_token(hasher, "passport", "MEX", "G00000001")
    assert signals.document_reuse(register.get(fresh, []), applicant_id="app-3") == []


def test_possible_duplicate_flags_carry_score_and_other_id(matching: Matching) -> None:
    flags = signals.possible_duplicates(
        [("app-7", 0.91234), ("app-9", 0.5), ("app-3", 0.95)], matching, applicant_id="app-3"
    )
    assert flags == [{"kind": "possible_duplicate", "of": "app-7", "score": 0.9123}]


def test_address_velocity_counts_the_window(matching: Matching) -> None:
    inside = [NOW - dt.timedelta(days=d) for d in range(matching.address_max_applications)]
    outside = [NOW - dt.timedelta(days=matching.address_window_days + 1 + d) for d in range(20)]
    assert signals.address_velocity(inside, NOW, matching) == [
        {"kind": "address_velocity", "of": None, "score": None}
    ]
    assert signals.address_velocity(inside[:-1] + outside, NOW, matching) == []


def test_clerk_velocity(matching: Matching) -> None:
    burst = [NOW - dt.timedelta(seconds=30 * i) for i in range(matching.clerk_max_applications)]
    assert signals.clerk_velocity(burst, NOW, matching)[0]["kind"] == "clerk_velocity"
    spread = [NOW - dt.timedelta(hours=2 + i) for i in range(100)]
    assert signals.clerk_velocity(spread, NOW, matching) == []


def test_mrz_and_expiry_flags() -> None:
    assert signals.mrz_failure(False) == [{"kind": "mrz_failure", "of": None, "score": None}]
    assert signals.mrz_failure(True) == signals.mrz_failure(None) == []
    today = dt.date(2016, 12, 7)
    assert signals.document_expired(dt.date(2016, 12, 6), today)[0]["kind"] == "document_expired"
    assert signals.document_expired(dt.date(2016, 12, 7), today) == []


def test_same_dwelling_gives_the_same_address_key(encoder: BloomEncoder) -> None:
    a = encoder.address_key(applicant(line1="123 Amsterdam Avenue", line2="Apt 4B"))
    b = encoder.address_key(applicant(line1="123 amsterdam ave.", line2="#4b"))
    c = encoder.address_key(applicant(line1="123 Amsterdam Avenue", line2="Apt 5C"))
    assert a is not None and a == b and a != c


def test_keyed_matching_is_about_as_good_as_plaintext(
    encoder: BloomEncoder, matching: Matching
) -> None:
    result = evaluate(applicants(3000, seed=5), encoder, matching.duplicate_threshold)
    keyed, plain = result.keyed, result.plaintext
    assert result.blocking_recall >= 0.9
    assert keyed.precision >= 0.9
    assert keyed.f1 >= plain.f1 - 0.05
