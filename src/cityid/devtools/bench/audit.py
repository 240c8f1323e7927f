"""Speed of the audit log's pure core, in memory, for `cityid bench`.

Entries are realistic encoded audit entries (one template from `encode_entry`, with a
distinct record id per entry), so leaf hashing works on bytes of the real size; encoding
a million entries one by one would time the JSON encoder, not the log.
"""

from __future__ import annotations

import datetime as dt
import statistics
import time
from collections.abc import Callable

from cityid.audit.chain import chain_hashes, first_bad_link
from cityid.audit.entry import encode_entry
from cityid.audit.merkle import MerkleTree, leaf_hash
from cityid.audit.recompute import find_first_bad

_ID_DIGITS = 10
_PROOF_SAMPLES = 1001


def sample_entries(n: int) -> list[bytes]:
    """n distinct encoded entries of a typical size ("application.show" of one record)."""
    marker = "9" * _ID_DIGITS
    template = encode_entry(
        actor="staff-000017",
        action="application.show",
        targets=[f"app-{marker}"],
        reason="applicant_request",
        at=dt.datetime(2016, 12, 5, 14, 30, tzinfo=dt.UTC),
        extra={"centre": "centre-bronx-01"},
    )
    head, tail = template.split(marker.encode(), 1)
    return [b"%b%0*d%b" % (head, _ID_DIGITS, i, tail) for i in range(n)]


def measure(n: int = 1_000_000) -> list[dict[str, object]]:
    """[{"name", "value", "unit"}]: append rate, proof times, full verification times."""
    if n < 2:
        raise ValueError("the audit benchmark needs at least two entries")
    entries = sample_entries(n)

    tree = MerkleTree()
    append = tree.append
    start = time.perf_counter()
    for entry in entries:
        append(leaf_hash(entry))
    append_seconds = time.perf_counter() - start
    root = tree.root()

    step = max(1, n // _PROOF_SAMPLES)
    indexes = range(0, n, step)
    inclusion_us = _median_us(lambda i: tree.inclusion_proof(i, n), indexes)
    consistency_us = _median_us(lambda i: tree.consistency_proof(i + 1, n), indexes)

    start = time.perf_counter()
    first_bad = find_first_bad(entries, None, [(n, root)])
    verify_seconds = time.perf_counter() - start
    assert first_bad is None

    links = chain_hashes(entries)
    start = time.perf_counter()
    chain_bad = first_bad_link(entries, links)
    chain_seconds = time.perf_counter() - start
    assert chain_bad is None

    return [
        _result("audit_append", n / append_seconds, "entries/s"),
        _result("audit_inclusion_proof", inclusion_us, "µs (median)", digits=2),
        _result("audit_consistency_proof", consistency_us, "µs (median)", digits=2),
        _result("audit_verify_merkle", verify_seconds, "s", digits=3, entries=n),
        _result("audit_verify_hash_chain", chain_seconds, "s", digits=3, entries=n),
    ]


def _median_us(operation: Callable[[int], object], indexes: range) -> float:
    timings: list[float] = []
    for index in indexes:
        start = time.perf_counter()
        operation(index)
        timings.append(time.perf_counter() - start)
    return statistics.median(timings) * 1e6


def _result(
    name: str, value: float, unit: str, *, digits: int = 1, entries: int | None = None
) -> dict[str, object]:
    result: dict[str, object] = {"name": name, "value": round(value, digits), "unit": unit}
    if entries is not None:
        result["entries"] = entries
    return result
