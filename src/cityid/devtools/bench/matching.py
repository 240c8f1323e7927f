"""Duplicate-detection numbers for `cityid bench`: speed at scale and quality vs plaintext.

Uses `cityid.devtools.synth.applicants` applicants (5% duplicates with realistic changes, as issue 6
asks) and a throw-away in-memory HMAC key: nothing here touches the keystore or the
database. Quality is measured on the whole register up to 100,000 applicants.
"""

from __future__ import annotations

import hmac
import secrets
import time
from collections.abc import Iterator
from itertools import islice
from typing import Any

import numpy as np

from cityid.devtools.synth.applicants import generate_applicants
from cityid.matching.dedupe import deduplicate
from cityid.matching.encoding import BloomEncoder, Encoding
from cityid.matching.evaluate import evaluate
from cityid.matching.index import MatchIndex
from cityid.policy import load_policy
from cityid.policy.model import Matching

_QUERIES = 500
_QUALITY_SAMPLE = 100_000
_DUPLICATE_RATE = 0.05
_RECALL_QUERIES = 1_000  # enrolled duplicates searched both ways for match_index_recall


class _BenchHasher:
    """A throw-away HMAC key for the benchmark (never stored)."""

    key_id = "bench"

    def __init__(self) -> None:
        self._key = secrets.token_bytes(32)

    def digest(self, message: bytes) -> bytes:
        return hmac.digest(self._key, message, "sha256")


def _result(name: str, value: float, unit: str) -> dict[str, object]:
    return {"name": name, "value": round(value, 4), "unit": unit}


def measure(
    n: int = 100_000, matching: Matching | None = None, seed: int = 1
) -> list[dict[str, object]]:
    """[{"name", "value", "unit"}]: encode rate, 1:N p99 at n enrolled, index recall vs
    exhaustive, batch dedupe time for n, and precision/recall keyed vs plaintext."""
    matching = matching or load_policy().matching
    threshold = matching.duplicate_threshold
    encoder = BloomEncoder.from_policy(_BenchHasher(), matching)
    applicants: Iterator[dict[str, Any]] = generate_applicants(
        n + _QUERIES, _DUPLICATE_RATE, seed=seed
    )
    sample: list[dict[str, Any]] = []
    encodings: list[Encoding] = []
    people: list[str] = []  # truth.person_id per enrolled row (row id = position)
    encoding_s = 0.0
    for applicant in islice(applicants, n):  # streamed: a million applicant dicts won't fit
        if len(sample) < _QUALITY_SAMPLE:
            sample.append(applicant)
        people.append(str(applicant["truth"]["person_id"]))
        started = time.perf_counter()
        encodings.append(encoder.encode(applicant))
        encoding_s += time.perf_counter() - started
    encode_rate = n / encoding_s if encoding_s else 0.0
    queries = list(applicants)
    index = MatchIndex.from_encodings(
        ((str(i), e) for i, e in enumerate(encodings)),
        bits=matching.bloom_bits,
        key_id=encoder.key_id,
    )
    query_encodings = [encoder.encode(q) for q in queries]
    latencies = []
    for q in query_encodings:
        started = time.perf_counter()
        index.search(q, 10, threshold)
        latencies.append(time.perf_counter() - started)
    p99_ms = 1000 * float(np.percentile(latencies, 99))

    started = time.perf_counter()
    result = deduplicate(index, threshold)
    dedupe_s = time.perf_counter() - started

    quality = evaluate(sample, encoder, threshold)
    return [
        _result("match_encode_rate", encode_rate, "records/s"),
        _result("match_1n_p99", p99_ms, "ms"),
        _result("match_index_recall", _index_recall(index, encodings, people, threshold), "ratio"),
        _result("match_dedupe_time", dedupe_s, "s"),
        _result("match_dedupe_pairs_compared", result.compared, "pairs"),
        _result("match_keyed_precision", quality.keyed.precision, "ratio"),
        _result("match_keyed_recall", quality.keyed.recall, "ratio"),
        _result("match_plaintext_precision", quality.plaintext.precision, "ratio"),
        _result("match_plaintext_recall", quality.plaintext.recall, "ratio"),
        _result("match_blocking_recall", quality.blocking_recall, "ratio"),
    ]


def _index_recall(
    index: MatchIndex,
    encodings: list[Encoding],
    people: list[str],
    threshold: float,
    sample: int = _RECALL_QUERIES,
) -> float:
    """Share of the true duplicates that exhaustive search finds at the threshold which
    the blocked fast path also finds.

    Queries are enrolled applications whose person applied more than once, each searched
    against everyone else: every hit that counts is a real second application, so the
    figure is not diluted (or flattered) by look-alike strangers near the threshold.
    """
    rows_of: dict[str, list[int]] = {}
    for row, person in enumerate(people):
        rows_of.setdefault(person, []).append(row)
    repeated = [row for rows in rows_of.values() if len(rows) > 1 for row in rows]
    found = expected = 0
    sample = min(sample, max(200, 100_000_000 // max(len(people), 1)))  # exhaustive is O(n)
    for row in repeated[:sample]:
        query, own = encodings[row], str(row)
        same = {str(r) for r in rows_of[people[row]]} - {own}
        truth = {rid for rid, _ in index.exhaustive_search(query, 50, threshold, exclude=own)}
        fast = {rid for rid, _ in index.search(query, 50, threshold, exclude=own)}
        expected += len(truth & same)
        found += len(truth & fast & same)
    return found / expected if expected else 1.0
