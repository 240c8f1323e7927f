"""Proof verification, step by step as RFC 9162 sections 2.1.3.2 and 2.1.4.2 write it.

These functions are what an outside auditor (or a cardholder holding a destruction
receipt) runs: they take only hashes and sizes, never the log. A proof with a node too
many or too few fails, because the RFC's loop ends with `sn == 0` exactly when the path
has the length the tree shape demands.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from cityid.audit.merkle import EMPTY_ROOT, HASH_SIZE


def _hash_children(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def _all_hashes(*values: bytes) -> bool:
    return all(len(value) == HASH_SIZE for value in values)


def verify_inclusion(
    leaf_hash: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes
) -> bool:
    """True when `proof` shows the leaf at `index` is in the tree of `size` with `root`."""
    if not _all_hashes(leaf_hash, root, *proof):
        return False
    # 1. leaf_index must be inside the tree.
    if not 0 <= index < size:
        return False
    # 2. fn = leaf_index, sn = tree_size - 1.  3. r = hash.
    fn, sn = index, size - 1
    r = leaf_hash
    # 4. For each value p in the inclusion path:
    for p in proof:
        # a. If sn is 0, the path is too long.
        if sn == 0:
            return False
        # b. If LSB(fn) is set, or fn equals sn: p is a left sibling.
        if fn & 1 or fn == sn:
            r = _hash_children(p, r)
            # ii. Until LSB(fn) is set or fn is 0, skip levels with no right sibling.
            while fn != 0 and not fn & 1:
                fn >>= 1
                sn >>= 1
        else:
            r = _hash_children(r, p)
        # c. Right-shift both once.
        fn >>= 1
        sn >>= 1
    # 5. sn must be 0 (path neither short nor long) and r the root.
    return sn == 0 and r == root


def verify_consistency(
    old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> bool:
    """True when `proof` shows the tree of `old_size` is a prefix of the tree of `new_size`.

    Besides the RFC's 0 < first < second: equal sizes need an empty proof and equal roots;
    an empty old tree (whose root must be SHA-256("")) is a prefix of every tree.
    """
    if not _all_hashes(old_root, new_root, *proof):
        return False
    if not 0 <= old_size <= new_size:
        return False
    if old_size == new_size:
        return not proof and old_root == new_root
    if old_size == 0:
        return not proof and old_root == EMPTY_ROOT
    # 1. An empty path fails.
    if not proof:
        return False
    path = list(proof)
    # 2. If first is an exact power of 2, prepend first_hash.
    if old_size & (old_size - 1) == 0:
        path.insert(0, old_root)
    # 3. fn = first - 1, sn = second - 1.
    fn, sn = old_size - 1, new_size - 1
    # 4. If LSB(fn) is set, right-shift both until it is not.
    while fn & 1:
        fn >>= 1
        sn >>= 1
    # 5. fr and sr start at the first value of the path.
    fr = sr = path[0]
    # 6. For each subsequent value c:
    for c in path[1:]:
        # a. If sn is 0, the path is too long.
        if sn == 0:
            return False
        # b. If LSB(fn) is set, or fn equals sn: c is a left sibling in both trees.
        if fn & 1 or fn == sn:
            fr = _hash_children(c, fr)
            sr = _hash_children(c, sr)
            while fn != 0 and not fn & 1:
                fn >>= 1
                sn >>= 1
        else:
            # Otherwise c lies only in the new tree, on the right.
            sr = _hash_children(sr, c)
        # c. Right-shift both once.
        fn >>= 1
        sn >>= 1
    # 7. Both roots reproduced and the whole path used.
    return sn == 0 and fr == old_root and sr == new_root
