"""The eligibility rules of DESIGN.md, one by one: an applicant who passes, one who
fails, and the sentence the clerk reads out."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from cityid.enrollment.eligibility import decide
from cityid.enrollment.mrz import parse_mrz
from cityid.policy import Policy

from .enrollment_helpers import (
    POLICY,
    TODAY,
    applicant,
    born_aged,
    document,
    with_eligibility,
    years_before,
)


def _broken_check_digit(mrz: str) -> str:
    first, second = mrz.split("\n")
    wrong = str((int(second[9]) + 1) % 10)
    return first + "\n" + second[:9] + wrong + second[10:]


@dataclasses.dataclass
class Rule:
    name: str
    passing: dict[str, Any]
    failing: dict[str, Any]
    reason: str
    policy: Policy = POLICY


def _docs(*docs: dict[str, Any]) -> list[dict[str, Any]]:
    return list(docs)


MINOR_DOCS = _docs(
    document("us_birth_certificate", issuing_country="USA"),
    document("school_id", issuing_country="USA"),
    document("utility_bill", issuing_country="USA"),
)
NO_PHOTO_DOCS = _docs(
    document("us_birth_certificate", issuing_country="USA"),
    document("foreign_birth_certificate"),
    document("utility_bill", issuing_country="USA"),
)
expired_lease = document("residential_lease", expires=years_before(TODAY, 0, 5).isoformat())
passport_expired_2y = document(
    "foreign_passport", expires=years_before(TODAY, 2).isoformat(), number="P7654321"
)
passport_expired_4y = document("foreign_passport", expires=years_before(TODAY, 4).isoformat())
bad_mrz_passport = document("foreign_passport")
bad_mrz_passport["mrz"] = _broken_check_digit(bad_mrz_passport["mrz"])

PARENT = {
    "relationship": "parent",
    "documents": [document("consular_id"), document("us_birth_certificate", issuing_country="USA")],
}

RULES = [
    Rule(
        "minimum age",
        passing={
            "date_of_birth": born_aged(10).isoformat(),
            "documents": MINOR_DOCS,
            "caretaker": PARENT,
        },
        failing={"date_of_birth": born_aged(9).isoformat(), "documents": MINOR_DOCS},
        reason="applicant must be at least 10 years old",
    ),
    Rule(
        "identity points",
        passing={"documents": _docs(document("foreign_passport"), document("utility_bill"))},
        failing={"documents": _docs(document("consular_id"), document("utility_bill"))},
        reason="needs 1 more identity point",
    ),
    Rule(
        "residency points",
        passing={"documents": _docs(document("foreign_passport"), document("pay_stub"))},
        failing={"documents": _docs(document("foreign_passport"))},
        reason="needs 1 more residency point",
    ),
    Rule(
        "total points (a city asking for 5)",
        passing={
            "documents": _docs(
                document("foreign_passport"), document("utility_bill"), document("school_id")
            )
        },
        failing={"documents": _docs(document("foreign_passport"), document("utility_bill"))},
        reason="needs 1 more point in all (identity or residency)",
        policy=with_eligibility(min_points_total=5),
    ),
    Rule(
        "a document with a photo",
        passing={
            "documents": _docs(
                document("consular_id"),
                document("foreign_birth_certificate"),
                document("utility_bill"),
            )
        },
        failing={"documents": NO_PHOTO_DOCS},
        reason="needs a document with a photo",
    ),
    Rule(
        "photo exemption: 21 with a caretaker passes, 22 with a caretaker fails",
        passing={
            "date_of_birth": born_aged(21).isoformat(),
            "caretaker_present": True,
            "documents": NO_PHOTO_DOCS,
        },
        failing={
            "date_of_birth": born_aged(22).isoformat(),
            "caretaker_present": True,
            "documents": NO_PHOTO_DOCS,
        },
        reason="needs a document with a photo",
    ),
    Rule(
        "photo exemption needs the caretaker there",
        passing={
            "date_of_birth": born_aged(15).isoformat(),
            "caretaker_present": True,
            "documents": NO_PHOTO_DOCS,
        },
        failing={
            "date_of_birth": born_aged(15).isoformat(),
            "caretaker_present": False,
            "documents": NO_PHOTO_DOCS,
        },
        reason="needs a document with a photo",
    ),
    Rule(
        "a document showing date of birth",
        passing={
            "documents": _docs(
                document("school_id"), document("us_birth_certificate"), document("utility_bill")
            )
        },
        failing={"documents": _docs(document("school_id"), document("utility_bill"))},
        reason="needs a document showing date of birth",
    ),
    Rule(
        "expired documents count nothing",
        passing={"documents": _docs(document("foreign_passport"), document("residential_lease"))},
        failing={"documents": _docs(document("foreign_passport"), expired_lease)},
        reason="the residential lease has expired and counts no points",
    ),
    Rule(
        "originals only",
        passing={"documents": _docs(document("foreign_passport"), document("utility_bill"))},
        failing={
            "documents": _docs(
                document("foreign_passport", has_original=False), document("utility_bill")
            )
        },
        reason="the foreign passport is not the original and counts no points",
    ),
    Rule(
        "machine-readable passport expired under 3 years counts 2, over 3 years counts 0",
        passing={
            "documents": _docs(
                passport_expired_2y, document("foreign_drivers_license"), document("utility_bill")
            )
        },
        failing={
            "documents": _docs(
                passport_expired_4y, document("foreign_drivers_license"), document("utility_bill")
            )
        },
        reason="the foreign passport expired more than 3 years ago and counts no points",
    ),
    Rule(
        "MRZ check digits must validate",
        passing={"documents": _docs(document("foreign_passport"), document("utility_bill"))},
        failing={"documents": _docs(bad_mrz_passport, document("utility_bill"))},
        reason=(
            "the foreign passport's machine-readable zone fails its check "
            "(document number, overall) and counts no points"
        ),
    ),
    Rule(
        "a city's own minimum age",
        passing={"date_of_birth": born_aged(14).isoformat(), "documents": MINOR_DOCS},
        failing={"date_of_birth": born_aged(13).isoformat(), "documents": MINOR_DOCS},
        reason="applicant must be at least 14 years old",
        policy=with_eligibility(min_age=14),
    ),
]


@pytest.mark.parametrize("rule", RULES, ids=[r.name for r in RULES])
def test_rule_passes_and_fails_with_a_readable_reason(rule: Rule) -> None:
    passing = decide(applicant(rule.policy, **rule.passing), rule.policy, TODAY)
    assert passing.eligible, passing.reasons
    assert passing.reasons == []

    failing = decide(applicant(rule.policy, **rule.failing), rule.policy, TODAY)
    assert not failing.eligible
    assert rule.reason in failing.reasons


def test_points_are_added_up_by_category() -> None:
    decision = decide(
        applicant(
            documents=[
                document("consular_id"),
                document("foreign_birth_certificate"),
                document("bank_statement"),
                document("pay_stub"),
            ]
        ),
        POLICY,
        TODAY,
    )
    assert (decision.identity_points, decision.residency_points, decision.total_points) == (4, 2, 6)
    assert [d.points for d in decision.document_points] == [2, 2, 1, 1]


def test_shortfalls_are_all_read_out_together() -> None:
    decision = decide(applicant(documents=[document("school_id")]), POLICY, TODAY)
    assert decision.reasons == [
        "needs 2 more identity points",
        "needs 1 more residency point",
        "needs a document showing date of birth",
    ]


def test_recently_expired_passport_counts_two_identity_points_and_says_so() -> None:
    decision = decide(
        applicant(documents=[passport_expired_2y, document("utility_bill")]), POLICY, TODAY
    )
    passport = decision.document_points[0]
    assert (passport.identity_points, passport.counted) == (2, True)
    assert passport.note == (
        "the foreign passport expired less than 3 years ago and counts 2 identity points "
        "instead of 3"
    )
    assert decision.reasons == [passport.note, "needs 1 more identity point"]


def test_passport_expired_exactly_three_years_ago_counts_nothing() -> None:
    expired = document("foreign_passport", expires=years_before(TODAY, 3).isoformat())
    decision = decide(applicant(documents=[expired, document("utility_bill")]), POLICY, TODAY)
    assert decision.document_points[0].points == 0


def test_a_document_expiring_today_still_counts() -> None:
    passport = document("foreign_passport", expires=TODAY.isoformat())
    decision = decide(applicant(documents=[passport, document("utility_bill")]), POLICY, TODAY)
    assert decision.eligible


def test_grace_applies_only_to_machine_readable_passports() -> None:
    old_id = document("foreign_national_id", expires=years_before(TODAY, 1).isoformat())
    decision = decide(
        applicant(documents=[old_id, document("school_id"), document("utility_bill")]),
        POLICY,
        TODAY,
    )
    assert decision.document_points[0].points == 0
    assert "the foreign national identity card with photo has expired and counts no points" in (
        decision.reasons
    )


def test_nys_licence_with_city_address_satisfies_everything_alone() -> None:
    strict = with_eligibility(min_points_total=6, min_identity_points=5)
    licence = document("nys_driver_license", issuing_country="USA", number="123456789")
    decision = decide(applicant(strict, documents=[licence]), strict, TODAY)
    assert decision.eligible
    assert decision.sufficient_alone == "nys_driver_license"
    # It counts both its identity and its residency points.
    assert (decision.identity_points, decision.residency_points) == (3, 1)


def test_nys_licence_without_city_address_is_not_enough_alone() -> None:
    strict = with_eligibility(min_points_total=6, min_identity_points=5)
    licence = document("nys_driver_license", issuing_country="USA", number="123456789")
    elsewhere = strict.model_copy(
        update={"residency": strict.residency.model_copy(update={"postal_codes": ["10001"]})}
    )
    person = applicant(strict, documents=[licence])  # lives in 11372, not in `elsewhere`
    decision = decide(person, elsewhere, TODAY)
    assert not decision.eligible
    assert decision.sufficient_alone is None
    assert "needs 2 more identity points" in decision.reasons


def test_mrz_failure_is_reported_for_the_fraud_queue() -> None:
    decision = decide(
        applicant(documents=[bad_mrz_passport, document("utility_bill")]), POLICY, TODAY
    )
    assert [(f.index, f.type) for f in decision.mrz_failures] == [(0, "foreign_passport")]
    assert "document_number" in decision.mrz_failures[0].failed_checks
    assert decision.document_points[0].points == 0


def test_zone_of_the_wrong_shape_counts_nothing() -> None:
    passport = document("foreign_passport", mrz="P<MEXGARCIA<<MARIA")
    decision = decide(applicant(documents=[passport, document("utility_bill")]), POLICY, TODAY)
    assert decision.mrz_failures[0].failed_checks == ["format"]
    assert not decision.eligible


def test_mrz_failure_noted_even_when_other_documents_suffice() -> None:
    decision = decide(
        applicant(documents=[bad_mrz_passport, document("nys_dmv_id", issuing_country="USA")]),
        POLICY,
        TODAY,
    )
    assert decision.eligible
    assert decision.reasons == []
    assert decision.mrz_failures and decision.notes


def test_same_document_twice_counts_once() -> None:
    bill = document("utility_bill", number="555")
    decision = decide(
        applicant(documents=[document("foreign_passport"), bill, dict(bill)]), POLICY, TODAY
    )
    assert decision.residency_points == 1
    assert decision.document_points[2].note == "the same document was shown twice; it counts once"


def test_valid_generated_zone_is_accepted() -> None:
    passport = document("foreign_passport")
    assert parse_mrz(passport["mrz"]).valid
    decision = decide(applicant(documents=[passport, document("utility_bill")]), POLICY, TODAY)
    assert decision.eligible and decision.mrz_failures == []


def test_reasons_never_carry_document_numbers() -> None:
    decision = decide(applicant(documents=[bad_mrz_passport]), POLICY, TODAY)
    text = " ".join(decision.reasons + decision.notes)
    assert bad_mrz_passport["number"] not in text
