"""Synthetic applicants: valid lines, the requested duplicates, and realistic variants."""

from __future__ import annotations

import base64
import collections
import io
import json
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from cityid.devtools.synth.applicants import generate_applicants, write_jsonl
from cityid.devtools.synth.names import NICKNAMES
from cityid.enrollment.applicant import parse_applicant_line
from cityid.enrollment.eligibility import decide
from cityid.enrollment.mrz import parse_mrz
from cityid.enrollment.normalise import dob_variants, normalise_name
from cityid.enrollment.photo import decode_photo_b64, process_photo
from cityid.errors import BadInput
from tests.enrollment.enrollment_helpers import POLICY, TODAY


@pytest.fixture(scope="module")
def lines() -> list[dict[str, Any]]:
    return list(generate_applicants(1500, duplicate_rate=0.2, seed=11, policy=POLICY, today=TODAY))


def _firsts(lines: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    first: dict[str, dict[str, Any]] = {}
    for line in lines:
        first.setdefault(line["truth"]["person_id"], line)
    return first


def test_every_line_parses_and_the_truth_matches_the_rules(lines: list[dict[str, Any]]) -> None:
    outcomes: collections.Counter[bool] = collections.Counter()
    for line in lines:
        person = parse_applicant_line(json.dumps(line, ensure_ascii=False), POLICY, TODAY)
        decision = decide(person, POLICY, TODAY)
        assert decision.eligible == line["truth"]["expect_eligible"], (line["truth"], decision)
        outcomes[decision.eligible] += 1
    # Mostly eligible, a few not.
    assert 0.02 < outcomes[False] / len(lines) < 0.12


def test_requested_share_of_duplicates(lines: list[dict[str, Any]]) -> None:
    seen: set[str] = set()
    repeats = 0
    for line in lines:
        person_id = line["truth"]["person_id"]
        repeats += person_id in seen
        assert ("changes" in line["truth"]) == (person_id in seen)
        seen.add(person_id)
    assert repeats == round(1500 * 0.2)
    assert sum("changes" in line["truth"] for line in lines) == repeats


def test_duplicates_differ_from_the_first_application(lines: list[dict[str, Any]]) -> None:
    first = _firsts(lines)
    kinds: collections.Counter[str] = collections.Counter()
    for line in lines:
        if "changes" not in line["truth"]:
            continue
        original = first[line["truth"]["person_id"]]
        assert _identity(line) != _identity(original)
        for change in line["truth"]["changes"]:
            kinds[change] += 1
        changes = set(line["truth"]["changes"])
        if changes == {"nickname"} and original["given_name"] in NICKNAMES:
            assert line["given_name"] in NICKNAMES[original["given_name"]]
        if "day_month_swapped" in changes:
            assert _date(line) in dob_variants(_date(original))[1:]
        if not changes & {"typo_given", "typo_family", "nickname", "surname_form", "other_script"}:
            assert (line["given_name"], line["family_name"]) == (
                original["given_name"], original["family_name"]
            )  # fmt: skip
        if changes == {"typo_family"}:
            assert normalise_name(line["family_name"]) != "" and (
                line["family_name"] != original["family_name"]
            )
    # Every way people really differ shows up in a file this size.
    for kind in ("typo_given", "typo_family", "nickname", "day_month_swapped", "moved",
                 "surname_form", "other_script", "different_document"):  # fmt: skip
        assert kinds[kind] > 0, kind


def _identity(line: dict[str, Any]) -> tuple[str, ...]:
    address = line["address"]
    return (line["given_name"], line["family_name"], line["date_of_birth"],
            address["line1"], address["line2"], address["postal_code"])  # fmt: skip


def _date(line: dict[str, Any]) -> Any:
    import datetime as dt

    return dt.date.fromisoformat(line["date_of_birth"])


def test_names_come_from_many_communities_and_scripts(lines: list[dict[str, Any]]) -> None:
    scripts: collections.Counter[str] = collections.Counter()
    for line in lines:
        for char in line["given_name"] + line["family_name"]:
            if char.isalpha():
                scripts[unicodedata.name(char).split()[0]] += 1
    for script in ("LATIN", "CYRILLIC", "CJK", "HANGUL", "ARABIC", "BENGALI"):
        assert scripts[script] > 0, script
    languages = {line["language"] for line in lines}
    assert {"spa", "eng", "zho", "rus", "ben", "hat", "kor", "ara", "pol"} <= languages


def test_addresses_are_in_the_city(lines: list[dict[str, Any]]) -> None:
    codes = set(POLICY.residency.postal_codes)
    cities = collections.Counter(line["address"]["city"] for line in lines)
    assert all(line["address"]["postal_code"] in codes for line in lines)
    assert {"New York", "Brooklyn", "Bronx", "Staten Island"} <= set(cities)


def test_machine_readable_documents_carry_valid_zones(lines: list[dict[str, Any]]) -> None:
    zones = 0
    for line in lines:
        for doc in line["documents"]:
            if "mrz" in doc:
                zones += 1
                result = parse_mrz(doc["mrz"])
                broken = line["truth"]["plan"] == "bad_mrz" and doc["type"].endswith("passport")
                assert result.valid != broken
                assert result.document_number == doc["number"][: len(result.document_number)]
    assert zones > len(lines) // 2


def test_same_seed_same_file_other_seed_other_file() -> None:
    def make(seed: int) -> list[dict[str, Any]]:
        return list(generate_applicants(50, 0.2, seed, policy=POLICY, today=TODAY))

    assert make(5) == make(5)
    assert make(5) != make(6)


def test_write_jsonl(tmp_path: Path) -> None:
    out = tmp_path / "applicants.jsonl"
    assert write_jsonl(out, 40, 0.1, seed=1, policy=POLICY, today=TODAY) == 40
    text = out.read_text("utf-8").splitlines()
    assert len(text) == 40
    for raw in text:
        parse_applicant_line(raw, POLICY, TODAY)


def test_with_documents_adds_scans_and_a_usable_photo() -> None:
    lines = list(generate_applicants(6, 0.0, 2, with_documents=True, policy=POLICY, today=TODAY))
    for line in lines:
        parse_applicant_line(json.dumps(line), POLICY, TODAY)
        process_photo(decode_photo_b64(line["photo"]))
        for doc in line["documents"]:
            scan = base64.b64decode(doc["copy_b64"])
            assert len(scan) < 20_000
            assert Image.open(io.BytesIO(scan)).format == "PNG"


def test_without_documents_there_are_no_images() -> None:
    line = next(generate_applicants(1, policy=POLICY, today=TODAY))
    assert "photo" not in line and all("copy_b64" not in d for d in line["documents"])


@pytest.mark.parametrize(("count", "rate"), [(-1, 0.0), (10, 1.0), (10, -0.1)])
def test_bad_arguments(count: int, rate: float) -> None:
    with pytest.raises(BadInput):
        list(generate_applicants(count, rate, policy=POLICY, today=TODAY))
