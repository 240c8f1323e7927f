"""Screening at intake: document reuse, nickname-and-typo duplicates, nothing in the clear."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from cityid.matching.tables import match_encodings, review_items
from cityid.runtime import Runtime
from cityid.staff.actor import Actor
from tests.enrollment_service.helpers import dump_database

from .conftest import enroll, person

BORN = dt.date(1975, 3, 8)


def test_a_reused_passport_number_is_flagged(runtime: Runtime, staff: dict[str, Actor]) -> None:
    first, flags = enroll(
        runtime, staff["clerk"], person("Amara", "Okonkwo", BORN, "P4410927", "BILL-1")
    )
    assert flags == []
    second, flags = enroll(
        runtime,
        staff["clerk"],
        person("Teodoro", "Villanueva", dt.date(1990, 11, 2), "p 441-0927", "BILL-2",
               postal_code="10027"),
    )  # fmt: skip
    assert {"kind": "document_reuse", "of": first, "score": None} in flags
    assert not [f for f in flags if f["kind"] == "possible_duplicate"]
    with runtime.engine.connect() as conn:
        items = conn.execute(
            sa.select(review_items).where(review_items.c.kind == "document_reuse")
        ).all()
    assert [(i.application_id, i.other_application_id, i.status) for i in items] == [
        (second, first, "open")
    ]


def test_a_nickname_and_typo_duplicate_is_flagged_with_score_and_the_other_id(
    runtime: Runtime, staff: dict[str, Actor]
) -> None:
    first, _ = enroll(
        runtime, staff["clerk"], person("William", "Johnston", BORN, "X1000001", "B-100")
    )
    second, flags = enroll(
        runtime, staff["clerk"], person("Bill", "Jonston", BORN, "X2000002", "B-200")
    )
    duplicates = [f for f in flags if f["kind"] == "possible_duplicate"]
    assert [f["of"] for f in duplicates] == [first]
    score = duplicates[0]["score"]
    assert score is not None and runtime.policy.matching.duplicate_threshold <= score < 1.0
    # someone else entirely (another name, birthday and address) is not flagged
    _, flags = enroll(
        runtime,
        staff["clerk"],
        person("Priya", "Raghunathan", dt.date(2001, 7, 19), "X3000003", "B-300",
               postal_code="10027"),
    )  # fmt: skip
    assert flags == []
    with runtime.engine.connect() as conn:
        item = conn.execute(
            sa.select(review_items).where(review_items.c.kind == "possible_duplicate")
        ).one()
        stored = conn.execute(sa.select(sa.func.count()).select_from(match_encodings)).scalar()
    assert (item.application_id, item.other_application_id) == (second, first)
    assert item.score == score
    assert stored == 3


def test_no_table_holds_a_name_or_document_number_in_the_clear(
    runtime: Runtime, staff: dict[str, Actor]
) -> None:
    people = [
        ("Elizabeth", "Szczepanska", "QK8841207", "UTIL-99172"),
        ("Betsy", "Szczepanska", "QK8841207", "UTIL-55018"),  # nickname, same passport
        ("Oluwaseun", "Adebayo-Okafor", "AB5522913", "UTIL-77345"),
    ]
    flagged: list[str] = []
    for given, family, passport, bill in people:
        _, flags = enroll(runtime, staff["clerk"], person(given, family, BORN, passport, bill))
        flagged.extend(f["kind"] for f in flags)
    assert "document_reuse" in flagged and "possible_duplicate" in flagged

    dump = dump_database(runtime.engine).lower()
    for given, family, passport, bill in people:
        for secret in (given, family, *family.split("-"), passport, bill, bill.replace("-", "")):
            assert secret.lower().encode() not in dump, secret
