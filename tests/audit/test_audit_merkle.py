"""The Merkle tree against RFC 6962 / 9162, computed here from the definitions.

The reference functions below (MTH, PATH, PROOF and a shape-following verifier) are
written straight from the RFC text on lists of leaves, sharing no code with
`cityid.audit`, so a mistake would have to be made twice, the same way, to pass.
"""

from __future__ import annotations

import hashlib
import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cityid.audit.merkle import EMPTY_ROOT, MerkleTree, TreeRangeError, leaf_hash, node_hash
from cityid.audit.verify_proofs import verify_consistency, verify_inclusion
from cityid.errors import BadInput, CityIdError

# -- the RFC, on plain lists -------------------------------------------------------------


def ref_leaf(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def ref_node(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def split(n: int) -> int:
    """Largest power of two smaller than n."""
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def ref_mth(entries: list[bytes]) -> bytes:
    n = len(entries)
    if n == 0:
        return hashlib.sha256(b"").digest()
    if n == 1:
        return ref_leaf(entries[0])
    k = split(n)
    return ref_node(ref_mth(entries[:k]), ref_mth(entries[k:]))


def ref_path(m: int, entries: list[bytes]) -> list[bytes]:
    n = len(entries)
    if n == 1:
        return []
    k = split(n)
    if m < k:
        return [*ref_path(m, entries[:k]), ref_mth(entries[k:])]
    return [*ref_path(m - k, entries[k:]), ref_mth(entries[:k])]


def ref_subproof(m: int, entries: list[bytes], b: bool) -> list[bytes]:
    n = len(entries)
    if m == n:
        return [] if b else [ref_mth(entries)]
    k = split(n)
    if m <= k:
        return [*ref_subproof(m, entries[:k], b), ref_mth(entries[k:])]
    return [*ref_subproof(m - k, entries[k:], False), ref_mth(entries[:k])]


def ref_proof(m: int, entries: list[bytes]) -> list[bytes]:
    return ref_subproof(m, entries, True)


def ref_root_from_path(m: int, n: int, leaf: bytes, path: list[bytes]) -> bytes | None:
    """Rebuilds the root by following PATH's recursion; None if the path has the wrong length."""
    remaining = list(path)

    def walk(m: int, n: int) -> bytes | None:
        if n == 1:
            return leaf
        if not remaining:
            return None
        sibling = remaining.pop()  # PATH lists the top-level sibling last
        k = split(n)
        if m < k:
            left = walk(m, k)
            return None if left is None else ref_node(left, sibling)
        right = walk(m - k, n - k)
        return None if right is None else ref_node(sibling, right)

    if not 0 <= m < n:
        return None
    root = walk(m, n)
    return None if remaining else root


def ref_verify_inclusion(m: int, n: int, leaf: bytes, path: list[bytes], root: bytes) -> bool:
    return ref_root_from_path(m, n, leaf, path) == root


def ref_verify_consistency(
    m: int, n: int, old_root: bytes, new_root: bytes, proof: list[bytes]
) -> bool:
    """Follows SUBPROOF's recursion, rebuilding both the old and the new root."""
    if m == n:
        return not proof and old_root == new_root
    if not 0 < m < n:
        return False
    remaining = list(proof)

    def walk(m: int, n: int, b: bool) -> tuple[bytes, bytes] | None:
        if m == n:
            if b:
                return old_root, old_root
            if not remaining:
                return None
            h = remaining.pop()
            return h, h
        if not remaining:
            return None
        sibling = remaining.pop()
        k = split(n)
        if m <= k:
            inner = walk(m, k, b)
            return None if inner is None else (inner[0], ref_node(inner[1], sibling))
        inner = walk(m - k, n - k, False)
        if inner is None:
            return None
        return ref_node(sibling, inner[0]), ref_node(sibling, inner[1])

    result = walk(m, n, True)
    return result is not None and not remaining and result == (old_root, new_root)


# -- published RFC 6962 vectors (certificate-transparency / transparency-dev test data) -----

CT_ENTRIES = [
    bytes.fromhex(h)
    for h in [
        "",
        "00",
        "10",
        "2021",
        "3031",
        "40414243",
        "5051525354555657",
        "606162636465666768696a6b6c6d6e6f",
    ]
]
CT_ROOTS = [
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]


def ct_tree() -> MerkleTree:
    return MerkleTree.from_entries(CT_ENTRIES)


@pytest.mark.parametrize("size", range(9))
def test_roots_of_sizes_0_to_8_match_the_rfc_definition_and_published_vectors(size: int) -> None:
    expected = ref_mth(CT_ENTRIES[:size])
    assert expected.hex() == CT_ROOTS[size]
    assert ct_tree().root(size) == expected
    grown = MerkleTree()
    for entry in CT_ENTRIES[:size]:
        grown.append(leaf_hash(entry))
    assert grown.root() == expected


def test_leaf_and_node_hashes_are_the_rfc_ones() -> None:
    assert leaf_hash(b"") == hashlib.sha256(b"\x00").digest()
    assert (
        node_hash(b"a" * 32, b"b" * 32) == hashlib.sha256(b"\x01" + b"a" * 32 + b"b" * 32).digest()
    )
    assert hashlib.sha256(b"").digest() == EMPTY_ROOT


@pytest.mark.parametrize("size", range(1, 9))
def test_every_inclusion_proof_of_sizes_1_to_8_is_the_rfc_path(size: int) -> None:
    tree = ct_tree()
    root = ref_mth(CT_ENTRIES[:size])
    for m in range(size):
        proof = tree.inclusion_proof(m, size)
        assert proof == ref_path(m, CT_ENTRIES[:size])
        assert ref_verify_inclusion(m, size, ref_leaf(CT_ENTRIES[m]), proof, root)
        assert verify_inclusion(ref_leaf(CT_ENTRIES[m]), m, size, proof, root)


@pytest.mark.parametrize("new", range(1, 9))
def test_every_consistency_proof_up_to_size_8_is_the_rfc_proof(new: int) -> None:
    tree = ct_tree()
    for old in range(1, new + 1):
        proof = tree.consistency_proof(old, new)
        old_root, new_root = ref_mth(CT_ENTRIES[:old]), ref_mth(CT_ENTRIES[:new])
        if old < new:
            assert proof == ref_proof(old, CT_ENTRIES[:new])
        else:
            assert proof == []
        assert ref_verify_consistency(old, new, old_root, new_root, proof)
        assert verify_consistency(old, new, old_root, new_root, proof)


def test_published_proof_vectors() -> None:
    tree = ct_tree()
    assert [h.hex() for h in tree.inclusion_proof(0, 8)] == [
        "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
    ]
    assert [h.hex() for h in tree.inclusion_proof(5, 8)] == [
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    ]
    assert [h.hex() for h in tree.consistency_proof(2, 5)] == [
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
    ]


# -- edge cases --------------------------------------------------------------------------


def test_empty_tree() -> None:
    tree = MerkleTree()
    assert tree.size == 0
    assert tree.root() == EMPTY_ROOT
    assert tree.consistency_proof(0, 0) == []
    with pytest.raises(TreeRangeError):
        tree.inclusion_proof(0, 0)
    # The empty tree is a prefix of every tree, with an empty proof and only then.
    other = ct_tree()
    assert verify_consistency(0, 8, EMPTY_ROOT, other.root(), [])
    assert not verify_consistency(0, 8, EMPTY_ROOT, other.root(), [other.root()])
    assert not verify_consistency(0, 8, other.root(1), other.root(), [])


def test_single_leaf_tree() -> None:
    tree = MerkleTree.from_entries([b"only"])
    assert tree.root() == ref_leaf(b"only")
    assert tree.inclusion_proof(0, 1) == []
    assert verify_inclusion(ref_leaf(b"only"), 0, 1, [], tree.root())
    assert not verify_inclusion(ref_leaf(b"only"), 1, 1, [], tree.root())
    assert not verify_inclusion(ref_leaf(b"other"), 0, 1, [], tree.root())
    with pytest.raises(TreeRangeError):
        tree.inclusion_proof(1, 1)


def test_equal_sizes_need_equal_roots_and_an_empty_proof() -> None:
    tree = ct_tree()
    root = tree.root(5)
    assert tree.consistency_proof(5, 5) == []
    assert verify_consistency(5, 5, root, root, [])
    assert not verify_consistency(5, 5, root, tree.root(6), [])
    assert not verify_consistency(5, 5, root, root, [root])


def test_a_proof_with_an_extra_or_missing_node_is_rejected() -> None:
    tree = ct_tree()
    root = tree.root(7)
    path = tree.inclusion_proof(3, 7)
    leaf = tree.leaf(3)
    assert verify_inclusion(leaf, 3, 7, path, root)
    assert not verify_inclusion(leaf, 3, 7, [*path, path[-1]], root)
    assert not verify_inclusion(leaf, 3, 7, [*path, bytes(32)], root)
    assert not verify_inclusion(leaf, 3, 7, path[:-1], root)
    proof = tree.consistency_proof(3, 7)
    assert verify_consistency(3, 7, tree.root(3), root, proof)
    assert not verify_consistency(3, 7, tree.root(3), root, [*proof, proof[-1]])
    assert not verify_consistency(3, 7, tree.root(3), root, proof[:-1])
    assert not verify_consistency(3, 7, tree.root(3), root, [])


def test_a_proof_for_another_index_or_size_is_rejected() -> None:
    tree = ct_tree()
    root = tree.root(8)
    path = tree.inclusion_proof(2, 8)
    assert verify_inclusion(tree.leaf(2), 2, 8, path, root)
    assert not verify_inclusion(tree.leaf(2), 3, 8, path, root)
    assert not verify_inclusion(tree.leaf(2), 8, 8, path, root)
    assert not verify_inclusion(tree.leaf(2), -1, 8, path, root)
    # The size only fixes the path's shape; the signed (size, root) pair binds them.
    assert not verify_inclusion(tree.leaf(2), 2, 7, path, tree.root(7))
    assert not verify_inclusion(tree.leaf(2), 2, 3, path, root)
    proof = tree.consistency_proof(3, 8)
    assert not verify_consistency(4, 8, tree.root(4), root, proof)
    assert not verify_consistency(8, 3, root, tree.root(3), proof)


def test_sizes_beyond_the_tree_are_refused_with_a_typed_error() -> None:
    tree = ct_tree()
    for call in (
        lambda: tree.root(9),
        lambda: tree.inclusion_proof(0, 9),
        lambda: tree.consistency_proof(3, 9),
        lambda: tree.consistency_proof(5, 4),
        lambda: tree.leaf(8),
    ):
        with pytest.raises(TreeRangeError) as caught:
            call()
        assert isinstance(caught.value, CityIdError)
    with pytest.raises(BadInput):
        tree.append(b"short")


# -- any size ----------------------------------------------------------------------------


def _tree_of(size: int) -> tuple[list[bytes], MerkleTree]:
    entries = [b"entry-%d" % i for i in range(size)]
    return entries, MerkleTree.from_entries(entries)


def _flip(value: bytes, position: int) -> bytes:
    return value[:position] + bytes([value[position] ^ 0x01]) + value[position + 1 :]


@settings(max_examples=40, deadline=None)
@given(size=st.integers(min_value=1, max_value=300), data=st.data())
def test_every_proof_verifies_and_any_flipped_byte_fails(size: int, data: st.DataObject) -> None:
    entries, tree = _tree_of(size)
    root = tree.root()
    assert root == ref_mth(entries)
    for m in range(size):
        path = tree.inclusion_proof(m, size)
        leaf = tree.leaf(m)
        assert verify_inclusion(leaf, m, size, path, root)
        assert ref_verify_inclusion(m, size, leaf, path, root)
        # One flipped byte anywhere: in the leaf, the root or a node of the path.
        parts = [leaf, root, *path]
        which = data.draw(st.integers(0, len(parts) - 1))
        flipped = _flip(parts[which], data.draw(st.integers(0, 31)))
        parts[which] = flipped
        assert not verify_inclusion(parts[0], m, size, parts[2:], parts[1])
    for old in range(size + 1):
        proof = tree.consistency_proof(old, size)
        old_root = tree.root(old)
        assert verify_consistency(old, size, old_root, root, proof)
        if 0 < old < size:
            assert ref_verify_consistency(old, size, old_root, root, proof)
        parts = [old_root, root, *proof]
        which = data.draw(st.integers(0, len(parts) - 1))
        parts[which] = _flip(parts[which], data.draw(st.integers(0, 31)))
        if old == 0 and which == 1:
            continue  # the empty tree is a prefix of any tree: the new root is not bound
        assert not verify_consistency(old, size, parts[0], parts[1], parts[2:])


@settings(max_examples=25, deadline=None)
@given(size=st.integers(min_value=1, max_value=120))
def test_appending_one_by_one_equals_building_at_once_and_keeps_every_old_root(size: int) -> None:
    entries, built = _tree_of(size)
    grown = MerkleTree()
    for i, entry in enumerate(entries):
        assert grown.append(leaf_hash(entry)) == i
        assert grown.root() == built.root(i + 1)
    assert grown.to_levels() == built.to_levels()
    for old in range(size + 1):
        assert built.root(old) == ref_mth(entries[:old])


def test_levels_round_trip_and_tampered_levels_are_caught() -> None:
    _, tree = _tree_of(37)
    levels = tree.to_levels()
    restored = MerkleTree.from_levels(levels, verify=True)
    assert restored.root() == tree.root()
    assert restored.inclusion_proof(20, 37) == tree.inclusion_proof(20, 37)
    restored.append(leaf_hash(b"entry-37"))
    assert restored.root() == _tree_of(38)[1].root()

    tampered = list(levels)
    tampered[2] = _flip(tampered[2], 5)
    with pytest.raises(BadInput):
        MerkleTree.from_levels(tampered, verify=True)
    with pytest.raises(BadInput):
        MerkleTree.from_levels([levels[0], levels[1][:-32], *levels[2:]])
    with pytest.raises(BadInput):
        MerkleTree.from_levels(levels[:-1])
    assert MerkleTree.from_levels([b""]).root() == EMPTY_ROOT


def test_extend_accepts_hashes_one_by_one_or_concatenated() -> None:
    entries, tree = _tree_of(21)
    hashes = [leaf_hash(e) for e in entries]
    half = MerkleTree()
    half.extend(hashes[:10])
    half.extend(b"".join(hashes[10:]))
    assert half.root() == tree.root()
    assert MerkleTree.from_leaf_hashes(hashes).leaf_hashes() == b"".join(hashes)
    with pytest.raises(BadInput):
        MerkleTree().extend(b"x" * 33)


def test_a_million_leaves_build_prove_and_grow_correctly() -> None:
    """Correctness at the log's real size; how fast is `cityid bench`'s to say."""
    n = 1_000_000
    leaves = os.urandom(32 * n)
    tree = MerkleTree.from_leaf_hashes(leaves)
    root = tree.root()
    for index in range(0, n, 9973):
        proof = tree.inclusion_proof(index, n)
        assert verify_inclusion(leaves[32 * index : 32 * index + 32], index, n, proof, root)
    for i in range(5000):
        tree.append(leaves[32 * i : 32 * i + 32])
    assert tree.size == n + 5000
    old_root = root
    proof = tree.consistency_proof(n, n + 5000)
    assert verify_consistency(n, n + 5000, old_root, tree.root(), proof)
