"""The hash-chain anchor and the benchmark table."""

from __future__ import annotations

import hashlib

from cityid.audit.chain import GENESIS, chain_hashes, chain_head, first_bad_link
from cityid.devtools.bench.audit import measure, sample_entries

ENTRIES = [b"entry-%d" % i for i in range(20)]


def test_chain_links_are_sha256_of_previous_and_entry() -> None:
    links = chain_hashes(ENTRIES)
    previous = GENESIS
    for entry, link in zip(ENTRIES, links, strict=True):
        previous = hashlib.sha256(previous + entry).digest()
        assert link == previous
    assert chain_head(ENTRIES) == links[-1]
    assert chain_head([]) == GENESIS


def test_chain_verification_names_the_first_bad_link() -> None:
    links = chain_hashes(ENTRIES)
    assert first_bad_link(ENTRIES, links) is None
    edited = list(ENTRIES)
    edited[6] = b"changed"
    assert first_bad_link(edited, links) == 6
    assert first_bad_link(ENTRIES[:15], links) == 15
    assert first_bad_link([*ENTRIES, b"extra"], links) == 20


def test_benchmark_reports_every_measure_with_units() -> None:
    results = measure(3000)
    by_name = {r["name"]: r for r in results}
    assert set(by_name) == {
        "audit_append",
        "audit_inclusion_proof",
        "audit_consistency_proof",
        "audit_verify_merkle",
        "audit_verify_hash_chain",
    }
    for result in results:
        assert isinstance(result["value"], float) and result["value"] >= 0
        assert result["unit"]
    assert float(str(by_name["audit_append"]["value"])) > 5000  # entries/s
    assert float(str(by_name["audit_inclusion_proof"]["value"])) < 1000  # µs


def test_benchmark_entries_are_distinct_real_entries() -> None:
    entries = sample_entries(3)
    assert len(set(entries)) == 3
    assert all(e.startswith(b'{"action":"application.show"') for e in entries)
