"""`cityid audit verify`'s core: every way to tamper with the log names the right entry."""

from __future__ import annotations

import datetime as dt

import pytest

from cityid.audit.entry import encode_entry
from cityid.audit.merkle import MerkleTree, leaf_hash
from cityid.audit.recompute import diagnose, find_first_bad

N = 40
CHECKPOINT_SIZES = (10, 20, 32, 40)


def make_log(n: int = N) -> list[bytes]:
    start = dt.datetime(2016, 12, 5, 9, 0, tzinfo=dt.UTC)
    return [
        encode_entry(
            actor=f"staff-{i % 3}",
            action="application.show",
            targets=[f"app-{i:06d}"],
            reason="applicant_request",
            at=start + dt.timedelta(minutes=i),
        )
        for i in range(n)
    ]


ORIGINAL = make_log()
TREE = MerkleTree.from_entries(ORIGINAL)
SPARSE = [(size, TREE.root(size)) for size in CHECKPOINT_SIZES]
EVERY = [(size, TREE.root(size)) for size in range(1, N + 1)]
STORED = [leaf_hash(e) for e in ORIGINAL]


def edit(log: list[bytes], i: int) -> list[bytes]:
    changed = list(log)
    changed[i] = changed[i].replace(b"applicant_request", b"court_order")
    return changed


def delete(log: list[bytes], i: int) -> list[bytes]:
    return log[:i] + log[i + 1 :]


def swap(log: list[bytes], i: int) -> list[bytes]:
    changed = list(log)
    changed[i], changed[i + 1] = changed[i + 1], changed[i]
    return changed


def insert(log: list[bytes], i: int) -> list[bytes]:
    return [*log[:i], make_log(1)[0].replace(b"app-000000", b"app-999999"), *log[i:]]


def truncate(log: list[bytes], i: int) -> list[bytes]:
    return log[:i]


TAMPERS = {"edit": edit, "delete": delete, "swap": swap, "insert": insert, "truncate": truncate}


def test_an_untouched_log_verifies() -> None:
    assert find_first_bad(ORIGINAL, STORED, SPARSE) is None
    assert find_first_bad(ORIGINAL, None, EVERY) is None
    assert find_first_bad(ORIGINAL, b"".join(STORED), []) is None
    assert find_first_bad([], [], []) is None


@pytest.mark.parametrize("tamper", TAMPERS)
@pytest.mark.parametrize("index", [0, 13, 25])
def test_with_intact_stored_hashes_each_tamper_names_its_index(tamper: str, index: int) -> None:
    tampered = TAMPERS[tamper](ORIGINAL, index)
    finding = diagnose(tampered, STORED, SPARSE)
    assert finding is not None
    assert (finding.index, finding.exact) == (index, True)
    assert finding.reason == ("missing_entries" if tamper == "truncate" else "entry_differs")


@pytest.mark.parametrize("tamper", TAMPERS)
@pytest.mark.parametrize("index", [0, 13, 25])
def test_with_rewritten_hashes_a_checkpoint_per_append_still_names_the_index(
    tamper: str, index: int
) -> None:
    # The attacker recomputed the stored leaf hashes too: only signatures are left.
    tampered = TAMPERS[tamper](ORIGINAL, index)
    rewritten = [leaf_hash(e) for e in tampered]
    finding = diagnose(tampered, rewritten, EVERY)
    assert finding is not None
    assert (finding.index, finding.exact) == (index, True)
    assert find_first_bad(tampered, None, EVERY) == index


@pytest.mark.parametrize("tamper", TAMPERS)
def test_with_rewritten_hashes_sparse_checkpoints_bound_the_index(tamper: str) -> None:
    index = 25  # between the checkpoints at 20 and 32
    tampered = TAMPERS[tamper](ORIGINAL, index)
    finding = diagnose(tampered, [leaf_hash(e) for e in tampered], SPARSE)
    assert finding is not None
    assert finding.index == 20  # the first entry no surviving checkpoint vouches for
    assert finding.index <= index < finding.bound
    assert not finding.exact


def test_truncation_past_every_good_checkpoint_is_exact() -> None:
    truncated = ORIGINAL[:32]  # the checkpoint at 32 holds, the one at 40 cannot
    finding = diagnose(truncated, STORED[:32], SPARSE)
    assert finding is not None
    assert (finding.index, finding.reason, finding.exact) == (32, "missing_entries", True)
    assert find_first_bad([], None, SPARSE) == 0


def test_an_edited_stored_hash_alone_is_named() -> None:
    stored = list(STORED)
    stored[7] = bytes(32)
    finding = diagnose(ORIGINAL, stored, SPARSE)
    assert finding is not None
    assert (finding.index, finding.reason) == (7, "stored_leaf_hash_differs")
    stored[7] = b"short"  # a mangled value is a finding, not a crash
    assert find_first_bad(ORIGINAL, stored, SPARSE) == 7


def test_entries_after_the_last_checkpoint_are_checked_against_stored_hashes() -> None:
    grown = [*ORIGINAL, *make_log(5)]
    stored = [leaf_hash(e) for e in grown]
    assert find_first_bad(grown, stored, SPARSE) is None
    tampered = edit(grown, 42)
    finding = diagnose(tampered, stored, SPARSE)
    assert finding is not None
    assert (finding.index, finding.reason) == (42, "unchecked_entry_differs")
    # Unsigned entries rewritten together with their hashes cannot be told apart:
    # that is what the next checkpoint is for.
    assert find_first_bad(tampered, [leaf_hash(e) for e in tampered], SPARSE) is None


def test_checkpoints_may_be_given_in_any_order_and_as_objects() -> None:
    class Head:
        def __init__(self, size: int, root: bytes) -> None:
            self.size, self.root = size, root

    heads = [Head(size, root) for size, root in reversed(SPARSE)]
    assert find_first_bad(edit(ORIGINAL, 3), STORED, heads) == 3
    assert find_first_bad(ORIGINAL, STORED, heads) is None


def test_a_forged_checkpoint_history_is_a_mismatch_at_its_start() -> None:
    # A checkpoint whose root was never this log's (a fork): nothing before it is blamed.
    forged = [(10, TREE.root(10)), (20, MerkleTree.from_entries(make_log(20)[::-1]).root())]
    finding = diagnose(ORIGINAL, None, forged)
    assert finding is not None
    assert (finding.index, finding.reason, finding.bound) == (10, "checkpoint_mismatch", 20)
