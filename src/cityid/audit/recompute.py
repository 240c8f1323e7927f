"""Full verification of a stored log: which entry, if any, departs from the signed history.

Evidence, strongest first:

1. Signed checkpoints (size, root). They cannot be forged, so they pin the history. The
   tree rebuilt from the stored entries must reproduce each checkpoint's root at its
   size; a checkpoint larger than the log means entries were removed from the end.
   A change at index i breaks every checkpoint larger than i and none up to i, so the
   first failing checkpoint is found by binary search over the sorted checkpoints.
2. Stored leaf hashes. They live beside the entries and an attacker can rewrite them,
   so they are trusted only as far as they themselves reproduce the failing checkpoint.
   When they do, the first entry whose recomputed leaf differs from them is exact.

How each tamper shows (entries e, stored leaf hashes s, checkpoints c):

- edit e[i]: leaf i differs from s[i]; checkpoints above i fail        -> i
- delete e[i]: everything from i shifts left; leaf i differs           -> i
- swap e[i], e[j] (i < j): leaf i differs                              -> i
- insert before i: leaf i differs                                      -> i
- truncate to t: a checkpoint's size exceeds the log; s is longer      -> t
- any of these with s rewritten to match: s no longer reproduces the
  checkpoint, so the answer is the first index not covered by a checkpoint that
  still verifies (exact when checkpoints are signed per append or per batch).
- s edited alone, entries intact: checkpoints verify; s[i] differs     -> i
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

import numpy as np

from cityid.audit.merkle import HASH_SIZE, MerkleTree, leaf_hash
from cityid.errors import BadInput

Reason = Literal[
    "entry_differs",  # an entry's leaf differs from the verified history
    "missing_entries",  # a signed checkpoint covers entries the log no longer has
    "checkpoint_mismatch",  # entries disagree with a checkpoint; no trusted leaves to pinpoint
    "stored_leaf_hash_differs",  # the stored leaf hash disagrees with its (verified) entry
    "unchecked_entry_differs",  # after the last checkpoint, entry and stored hash disagree
]


class HasSizeAndRoot(Protocol):
    @property
    def size(self) -> int: ...

    @property
    def root(self) -> bytes: ...


TreeHead = tuple[int, bytes] | HasSizeAndRoot


@dataclass(frozen=True)
class Finding:
    """The first bad index, why, and how sure: the bad entry lies in [index, bound)."""

    index: int
    reason: Reason
    exact: bool
    bound: int


def find_first_bad(
    entries_bytes: Sequence[bytes],
    stored_leaf_hashes: Sequence[bytes] | bytes | None,
    checkpoints: Iterable[TreeHead],
) -> int | None:
    """The first index at which the stored log departs from its history, or None."""
    finding = diagnose(entries_bytes, stored_leaf_hashes, checkpoints)
    return None if finding is None else finding.index


def diagnose(
    entries_bytes: Sequence[bytes],
    stored_leaf_hashes: Sequence[bytes] | bytes | None,
    checkpoints: Iterable[TreeHead],
) -> Finding | None:
    """Like `find_first_bad`, with the reason and whether the index is exact."""
    size = len(entries_bytes)
    tree = MerkleTree.from_entries(entries_bytes)  # always from the entries themselves
    recomputed = tree.leaf_hashes()
    stored = _concatenated(stored_leaf_hashes)
    heads = sorted((_as_pair(head) for head in checkpoints), key=lambda pair: pair[0])

    failing = _first_failing(tree, heads)
    difference = None if stored is None else _first_difference(recomputed, stored)
    if failing is None:
        # The signed history holds; stored leaf hashes must still agree with the entries.
        if difference is None:
            return None
        checked_up_to = heads[-1][0] if heads else 0
        reason: Reason = (
            "stored_leaf_hash_differs" if difference < checked_up_to else "unchecked_entry_differs"
        )
        return Finding(difference, reason, True, difference + 1)

    good_size = heads[failing - 1][0] if failing > 0 else 0
    bad_size, bad_root = heads[failing]
    if difference is not None and difference < good_size:
        # Entries verified up to good_size, so the stored hash is what was altered.
        return Finding(difference, "stored_leaf_hash_differs", True, difference + 1)

    if stored is not None and _reproduces(stored, bad_size, bad_root):
        # The stored leaves are the signed history up to bad_size: compare one by one.
        exact = _first_difference(recomputed, stored[: bad_size * HASH_SIZE])
        if exact is not None:
            reason = "missing_entries" if exact == size else "entry_differs"
            return Finding(exact, reason, True, exact + 1)

    # Only the checkpoints are trusted: the departure lies in [good_size, bound).
    bound = min(bad_size, size + 1)
    if difference is not None and difference < bound:
        bound = difference + 1  # a concrete disagreement caps the range
    reason = "missing_entries" if bad_size > size else "checkpoint_mismatch"
    return Finding(good_size, reason, bound - good_size == 1, bound)


def _first_failing(tree: MerkleTree, heads: Sequence[tuple[int, bytes]]) -> int | None:
    """Index into `heads` of the first checkpoint the tree does not reproduce.

    Failure is monotone in size (a change at i breaks every size above i), so bisect.
    Checkpoints of equal size sort together; any one failing fails that size.
    """
    low, high = 0, len(heads)
    while low < high:
        middle = (low + high) // 2
        if _holds(tree, *heads[middle]):
            low = middle + 1
        else:
            high = middle
    if low == len(heads):
        return None
    # Step back over same-size checkpoints so the "last good" one is truly smaller.
    while low > 0 and heads[low - 1][0] == heads[low][0]:
        low -= 1
    return low


def _holds(tree: MerkleTree, size: int, root: bytes) -> bool:
    return size <= tree.size and tree.root(size) == root


def _reproduces(stored: bytes, size: int, root: bytes) -> bool:
    if len(stored) < size * HASH_SIZE:
        return False
    return MerkleTree.from_leaf_hashes(stored[: size * HASH_SIZE]).root(size) == root


def _first_difference(a: bytes, b: bytes) -> int | None:
    """First hash index where two concatenations differ, or where the shorter one ends."""
    common = min(len(a), len(b))
    if a[:common] != b[:common]:
        left = np.frombuffer(a, dtype=np.uint8, count=common).reshape(-1, HASH_SIZE)
        right = np.frombuffer(b, dtype=np.uint8, count=common).reshape(-1, HASH_SIZE)
        return int(np.argmax((left != right).any(axis=1)))
    if len(a) != len(b):
        return common // HASH_SIZE
    return None


def _concatenated(hashes: Sequence[bytes] | bytes | None) -> bytes | None:
    if hashes is None:
        return None
    if isinstance(hashes, bytes | bytearray | memoryview):
        blob = bytes(hashes)
    else:
        # A mangled stored hash must show as a difference, not stop the verification:
        # replace it with zeros, which no entry hashes to.
        blob = b"".join(h if len(h) == HASH_SIZE else bytes(HASH_SIZE) for h in hashes)
    if len(blob) % HASH_SIZE:
        raise BadInput("stored leaf hashes are given as whole 32-byte hashes")
    return blob


def _as_pair(head: TreeHead) -> tuple[int, bytes]:
    if isinstance(head, tuple):
        size, root = head
        return int(size), bytes(root)
    return int(head.size), bytes(head.root)


__all__ = ["Finding", "diagnose", "find_first_bad", "leaf_hash"]
