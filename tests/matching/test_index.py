from __future__ import annotations

import random

import pytest
from matching_helpers import TestHasher, applicant
from synthetic import applicants

from cityid.matching.dedupe import deduplicate
from cityid.matching.encoding import BloomEncoder, Encoding
from cityid.matching.index import EncodingKeyMismatch, IndexRow, MatchIndex
from cityid.policy.model import Matching


@pytest.fixture(scope="module")
def people() -> list[dict[str, object]]:
    return applicants(4000, duplicate_rate=0.1, seed=11)


@pytest.fixture(scope="module")
def encoded(people: list[dict[str, object]], encoder: BloomEncoder) -> list[Encoding]:
    return [encoder.encode(p) for p in people]


def rows_of(encoded: list[Encoding]) -> list[IndexRow]:
    return [IndexRow(f"app-{i}", e.bits, e.blocks, i + 1) for i, e in enumerate(encoded)]


def test_search_finds_the_enrolled_duplicate(encoder: BloomEncoder, matching: Matching) -> None:
    index = MatchIndex(matching.bloom_bits)
    index.add("app-william", encoder.encode(applicant("William", "Rodriguez")))
    index.add(
        "app-maria",
        encoder.encode(applicant("Maria", "Chen", "1990-11-23", "8 Bay St", "10301", "")),
    )
    hits = index.search(
        encoder.encode(applicant("Bill", "Rodriges")), 10, matching.duplicate_threshold
    )
    assert [rid for rid, _ in hits] == ["app-william"]
    assert matching.duplicate_threshold <= hits[0][1] <= 1.0


def test_fast_path_recall_against_exhaustive_search(
    people: list[dict[str, object]], encoded: list[Encoding], matching: Matching
) -> None:
    index = MatchIndex(matching.bloom_bits)
    index.apply_rows(rows_of(encoded[:3500]))
    expected = found = 0
    for query in encoded[3500:]:
        truth = {rid for rid, _ in index.exhaustive_search(query, 50, matching.duplicate_threshold)}
        fast = {rid for rid, _ in index.search(query, 50, matching.duplicate_threshold)}
        assert fast <= truth  # the fast path never invents a hit
        expected += len(truth)
        found += len(truth & fast)
    assert expected >= 20  # the sample holds real duplicates
    assert found / expected >= 0.95


def test_incremental_rows_keep_two_indexes_identical(
    encoded: list[Encoding], matching: Matching
) -> None:
    rows = rows_of(encoded[:1500])
    # later versions: some records re-encoded (address change), some destroyed
    seq = len(rows)
    changes: list[IndexRow] = []
    for i in range(0, 300, 3):
        seq += 1
        changes.append(IndexRow(f"app-{i}", encoded[i + 2000].bits, encoded[i + 2000].blocks, seq))
    for i in range(1, 300, 7):
        seq += 1
        changes.append(IndexRow(f"app-{i}", None, [], seq))
    all_rows = rows + changes

    one_go = MatchIndex(matching.bloom_bits)
    one_go.apply_rows(all_rows)

    refreshed = MatchIndex(matching.bloom_bits)
    shuffled = random.Random(5)
    position = 0
    while position < len(all_rows):  # a worker refreshing "since max_seq" in uneven batches
        batch = [r for r in all_rows if r.seq > refreshed.max_seq][: shuffled.randint(1, 400)]
        shuffled.shuffle(batch)
        refreshed.apply_rows(batch)
        position += len(batch)

    assert refreshed.max_seq == one_go.max_seq == seq
    assert len(refreshed) == len(one_go) == 1500 - len(range(1, 300, 7))
    assert refreshed.snapshot() == one_go.snapshot()
    for query in encoded[3000:3100]:
        assert refreshed.search(query, 5, 0.6) == one_go.search(query, 5, 0.6)
    assert "app-1" not in refreshed and "app-0" in refreshed


def test_remove_and_compaction_keep_answers(encoded: list[Encoding], matching: Matching) -> None:
    index = MatchIndex(matching.bloom_bits)
    index.apply_rows(rows_of(encoded[:1000]))
    target = encoded[10]
    assert index.search(target, 1, 0.99)[0][0] == "app-10"
    assert index.remove("app-10")
    assert all(rid != "app-10" for rid, _ in index.search(target, 10, 0.5))
    before = index.search(encoded[20], 5, 0.5)
    index.compact()
    assert index.search(encoded[20], 5, 0.5) == before


def test_an_encoding_under_another_key_is_refused(
    encoder: BloomEncoder, matching: Matching
) -> None:
    index = MatchIndex(matching.bloom_bits)
    index.add("app-1", encoder.encode(applicant()))
    rotated = BloomEncoder.from_policy(TestHasher(b"z" * 32, "match-test-2"), matching)
    with pytest.raises(EncodingKeyMismatch):
        index.search(rotated.encode(applicant()))


def test_batch_dedupe_finds_the_known_duplicates(
    people: list[dict[str, object]], encoded: list[Encoding], matching: Matching
) -> None:
    index = MatchIndex(matching.bloom_bits)
    index.apply_rows(rows_of(encoded))
    result = deduplicate(index, matching.duplicate_threshold)
    person = {f"app-{i}": p["truth"]["person_id"] for i, p in enumerate(people)}  # type: ignore[index]
    correct = sum(person[a] == person[b] for a, b, _ in result.pairs)
    assert result.pairs and correct / len(result.pairs) >= 0.9
    assert all(s >= matching.duplicate_threshold for _, _, s in result.pairs)
    # the same pairs the 1:N search would raise
    a, b, score = result.pairs[0]
    hits = dict(index.search(encoded[int(a[4:])], 50, matching.duplicate_threshold))
    assert hits[b] == pytest.approx(score)  # batch and 1:N score a pair alike
