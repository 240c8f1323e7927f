"""Caretakers: who needs one, and what proves the caretaker's identity and bond (pure)."""

from __future__ import annotations

import tomllib
from typing import Any

import pytest
from pydantic import ValidationError

from cityid.enrollment.applicant import InvalidApplicant
from cityid.enrollment.eligibility import decide
from cityid.policy import Policy
from cityid.policy.loader import default_policy_text

from .enrollment_helpers import POLICY, TODAY, applicant, born_aged, document, years_before

MINOR_DOCS = [
    document("us_birth_certificate", issuing_country="USA"),
    document("school_id", issuing_country="USA"),
    document("utility_bill", issuing_country="USA"),
]


def _carer(*docs: dict[str, Any], relationship: str = "parent") -> dict[str, Any]:
    return {"relationship": relationship, "documents": list(docs)}


PARENT = _carer(document("consular_id"), document("us_birth_certificate", issuing_country="USA"))


def _decide(age: int, policy: Policy = POLICY, **overrides: Any) -> Any:
    overrides.setdefault("documents", MINOR_DOCS)
    person = applicant(policy, date_of_birth=born_aged(age).isoformat(), **overrides)
    return decide(person, policy, TODAY)


def _with_caretaker_rules(**changes: Any) -> Policy:
    rules = POLICY.eligibility.caretaker.model_copy(update=changes)
    eligibility = POLICY.eligibility.model_copy(update={"caretaker": rules})
    return POLICY.model_copy(update={"eligibility": eligibility})


@pytest.mark.parametrize("age", [10, 13])
def test_applicants_of_ten_to_thirteen_need_a_caretaker(age: int) -> None:
    alone = _decide(age)
    assert not alone.eligible
    assert alone.reasons == [
        "applicants aged 10 to 13 apply with a caretaker (a parent or guardian) who brings proof"
    ]
    assert _decide(age, caretaker=PARENT).eligible


def test_from_fourteen_a_caretaker_is_not_needed() -> None:
    assert _decide(14).eligible


def test_the_caretaker_proves_who_they_are_and_the_bond() -> None:
    no_bond = _decide(12, caretaker=_carer(document("consular_id")))
    assert no_bond.reasons == [
        "the caretaker needs a document that proves their relationship to the applicant"
    ]
    no_identity = _decide(
        12, caretaker=_carer(document("us_birth_certificate", issuing_country="USA"))
    )
    assert no_identity.reasons == [
        "the caretaker needs an original document that proves who they are"
    ]


def test_the_caretakers_documents_are_checked_like_the_applicants() -> None:
    expired = document("consular_id", expires=years_before(TODAY, 1).isoformat())
    copy = document("us_birth_certificate", issuing_country="USA", has_original=False)
    decision = _decide(12, caretaker=_carer(expired, copy))
    assert not decision.eligible
    assert "the caretaker's consular identification card has expired" in decision.reasons
    assert "the caretaker's U.S. birth certificate is not the original" in decision.reasons
    assert [d.counted for d in decision.caretaker_documents] == [False, False]
    # The caretaker's documents never add to the applicant's points.
    assert decision.total_points == _decide(12).total_points


def test_a_guardian_proves_the_bond_with_a_court_order() -> None:
    guardian = _carer(
        document("us_passport", issuing_country="USA"),
        {"type": "guardianship_order", "number": "G-2016-0042", "issuing_country": "USA"},
        relationship="legal_guardian",
    )
    assert _decide(11, caretaker=guardian).eligible


def test_adults_may_come_with_a_caretaker_only_if_the_policy_says_so() -> None:
    helper = _carer(
        document("nys_dmv_id", issuing_country="USA"),
        {"type": "caregiver_authorization", "number": "POA-77", "issuing_country": "USA"},
        relationship="caregiver",
    )
    adult_docs = [document("foreign_passport"), document("utility_bill")]
    assert _decide(40, documents=adult_docs, caretaker=helper).eligible
    strict = _with_caretaker_rules(adults_may_have_one=False)
    refused = _decide(40, strict, documents=adult_docs, caretaker=helper)
    assert refused.reasons == ["this program does not take an adult's application with a caretaker"]


def test_unknown_relationships_and_documents_are_named_by_field() -> None:
    with pytest.raises(InvalidApplicant) as bad:
        applicant(caretaker=_carer(document("consular_id"), relationship="neighbour"))
    assert ("caretaker.relationship", "not one of the program's caretaker relationships") in (
        bad.value.field_errors
    )
    with pytest.raises(InvalidApplicant) as odd:
        applicant(caretaker=_carer(document("utility_bill")))
    fields = [f for f, _ in odd.value.field_errors]
    assert fields == ["caretaker.documents.0.type"]
    with pytest.raises(InvalidApplicant):
        applicant(caretaker={"relationship": "parent", "documents": []})


def test_a_policy_naming_an_unknown_caretaker_document_does_not_load() -> None:
    data = tomllib.loads(default_policy_text())
    data["eligibility"]["caretaker"]["relationship_documents"].append("letter_from_a_friend")
    with pytest.raises(ValidationError, match="letter_from_a_friend"):
        Policy.model_validate(data)
