"""The audit log's Merkle tree, hashed exactly as RFC 6962 / RFC 9162 section 2.1.

    leaf hash  = SHA-256(0x00 || entry bytes)
    node hash  = SHA-256(0x01 || left || right)
    empty tree = SHA-256("")

`MerkleTree` keeps every complete-subtree hash, level by level: level k holds the hash of
each aligned block of 2**k leaves, `size >> k` of them, 32 bytes each, in one bytearray.
Every subtree the RFC's recursion (MTH, PATH, SUBPROOF) touches is either such a block or
a right-edge range made of at most log2(n) blocks, so roots and proofs for any size are
O(log n) lookups and an append is amortised O(1). The levels are plain bytes, so a caller
can persist them and load them back (`to_levels` / `from_levels`).

Nothing here knows about storage or signing; see `checkpoint` and `recompute` for those.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence

from cityid.errors import BadInput

HASH_SIZE = 32
_LEAF_PREFIX = b"\x00"
_NODE_PREFIX = b"\x01"

EMPTY_ROOT = hashlib.sha256(b"").digest()


class TreeRangeError(BadInput):
    """A size or index outside the tree (for example a proof for entries not yet logged)."""

    code = "bad_tree_range"


def leaf_hash(data: bytes) -> bytes:
    """MTH({d}) = SHA-256(0x00 || d)."""
    return hashlib.sha256(_LEAF_PREFIX + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """SHA-256(0x01 || left || right)."""
    return hashlib.sha256(_NODE_PREFIX + left + right).digest()


def largest_power_of_two_below(n: int) -> int:
    """The RFC's split point k: the largest power of two strictly smaller than n (n > 1)."""
    return 1 << ((n - 1).bit_length() - 1)


class MerkleTree:
    """An append-only RFC 6962 tree over 32-byte leaf hashes, with every node kept."""

    __slots__ = ("_levels", "_size")

    def __init__(self) -> None:
        self._levels: list[bytearray] = [bytearray()]
        self._size = 0

    # -- building -----------------------------------------------------------------------

    @property
    def size(self) -> int:
        return self._size

    def __len__(self) -> int:
        return self._size

    def append(self, leaf: bytes) -> int:
        """Adds one leaf hash; returns its index. Completes every subtree it closes."""
        _check_hash(leaf, "leaf hash")
        levels = self._levels
        levels[0] += leaf
        index = self._size
        self._size = count = index + 1
        level = 0
        # Each trailing zero bit of the new size is a block of 2**(level+1) just closed.
        while count & 1 == 0:
            parent = hashlib.sha256(_NODE_PREFIX + levels[level][-2 * HASH_SIZE :]).digest()
            if len(levels) == level + 1:
                levels.append(bytearray())
            levels[level + 1] += parent
            count >>= 1
            level += 1
        return index

    def extend(self, leaves: Iterable[bytes] | bytes | bytearray | memoryview) -> None:
        """Adds many leaf hashes: an iterable of 32-byte hashes, or them concatenated."""
        if isinstance(leaves, bytes | bytearray | memoryview):
            blob = bytes(leaves)
            if len(blob) % HASH_SIZE:
                raise BadInput("concatenated leaf hashes must be a multiple of 32 bytes")
            if self._size == 0:
                self._adopt(_build_levels(blob))
                return
            for start in range(0, len(blob), HASH_SIZE):
                self.append(blob[start : start + HASH_SIZE])
            return
        for leaf in leaves:
            self.append(leaf)

    @classmethod
    def from_leaf_hashes(
        cls, leaves: Iterable[bytes] | bytes | bytearray | memoryview
    ) -> MerkleTree:
        """Builds the whole tree level by level (fast path for loading a stored log)."""
        tree = cls()
        if isinstance(leaves, bytes | bytearray | memoryview):
            tree.extend(leaves)
        else:
            blob = b"".join(leaves)
            tree.extend(blob)
        return tree

    @classmethod
    def from_entries(cls, entries: Iterable[bytes]) -> MerkleTree:
        """Hashes each entry as a leaf and builds the tree."""
        return cls.from_leaf_hashes(b"".join(leaf_hash(entry) for entry in entries))

    # -- persistence --------------------------------------------------------------------

    def to_levels(self) -> list[bytes]:
        """Every level's concatenated hashes, leaves first: what `from_levels` takes back."""
        return [bytes(level) for level in self._levels]

    @classmethod
    def from_levels(cls, levels: Sequence[bytes], *, verify: bool = False) -> MerkleTree:
        """Restores a tree saved by `to_levels`. Checks the shape always; with `verify`,
        recomputes every parent too (O(n)), for levels read from untrusted storage."""
        if not levels:
            raise BadInput("a Merkle tree needs at least its leaf level")
        leaves = levels[0]
        if len(leaves) % HASH_SIZE:
            raise BadInput("the leaf level is not a whole number of hashes")
        size = len(leaves) // HASH_SIZE
        expected_levels = max(1, size.bit_length())
        if len(levels) != expected_levels:
            raise BadInput(
                f"a tree of {size} leaves has {expected_levels} levels, not {len(levels)}"
            )
        for k, level in enumerate(levels):
            if len(level) != (size >> k) * HASH_SIZE:
                raise BadInput(f"level {k} has the wrong number of hashes for {size} leaves")
        if verify:
            rebuilt = _build_levels(bytes(leaves))
            if any(bytes(a) != bytes(b) for a, b in zip(rebuilt, levels, strict=True)):
                raise BadInput("stored tree levels do not match their leaves")
        tree = cls()
        tree._adopt([bytearray(level) for level in levels])
        return tree

    def _adopt(self, levels: list[bytearray]) -> None:
        self._levels = levels
        self._size = len(levels[0]) // HASH_SIZE

    # -- reading ------------------------------------------------------------------------

    def leaf(self, index: int) -> bytes:
        """The stored leaf hash at `index`."""
        if not 0 <= index < self._size:
            raise TreeRangeError(f"index {index} is outside a tree of size {self._size}")
        return self._node(0, index)

    def leaf_hashes(self) -> bytes:
        """All leaf hashes, concatenated in index order."""
        return bytes(self._levels[0])

    def level_hashes(self, level: int, start: int, end: int) -> bytes:
        """MTH of the aligned blocks of 2**level leaves number start..end-1, concatenated.

        Only complete blocks exist: `end` is at most `size >> level`.
        """
        available = self._size >> level if level >= 0 else 0
        if level < 0 or not 0 <= start <= end <= available:
            raise TreeRangeError(
                f"blocks {start}..{end} of level {level} are outside a tree of size {self._size}"
            )
        if start == end:
            return b""
        return bytes(self._levels[level][start * HASH_SIZE : end * HASH_SIZE])

    def root(self, size: int | None = None) -> bytes:
        """MTH(D[0:size]) for any size up to the current one (default: the current one)."""
        size = self._size if size is None else size
        self._check_size(size)
        if size == 0:
            return EMPTY_ROOT
        return self._range_hash(0, size)

    def inclusion_proof(self, index: int, size: int | None = None) -> list[bytes]:
        """PATH(index, D[0:size]) of RFC 9162 2.1.3.1, leaf's sibling first."""
        size = self._size if size is None else size
        self._check_size(size)
        if not 0 <= index < size:
            raise TreeRangeError(f"index {index} is outside a tree of size {size}")
        # Walk the RFC's recursion from the root down; each step adds the sibling subtree,
        # so the collected list is top-first and is reversed at the end.
        top_first: list[bytes] = []
        start, end = 0, size
        while end - start > 1:
            k = largest_power_of_two_below(end - start)
            middle = start + k
            if index < middle:
                top_first.append(self._range_hash(middle, end))
                end = middle
            else:
                top_first.append(self._range_hash(start, middle))
                start = middle
        top_first.reverse()
        return top_first

    def consistency_proof(self, old_size: int, new_size: int | None = None) -> list[bytes]:
        """PROOF(old, D[0:new]) of RFC 9162 2.1.4.1. Empty when old is 0 or old == new."""
        new_size = self._size if new_size is None else new_size
        self._check_size(new_size)
        if not 0 <= old_size <= new_size:
            raise TreeRangeError(f"old size {old_size} is not between 0 and {new_size}")
        if old_size in (0, new_size):
            return []
        # SUBPROOF(m, D[start:end], b), unrolled; m counts leaves from `start`.
        top_first: list[bytes] = []
        start, end, m, complete_old_subtree = 0, new_size, old_size, True
        while m != end - start:
            k = largest_power_of_two_below(end - start)
            middle = start + k
            if m <= k:
                top_first.append(self._range_hash(middle, end))
                end = middle
            else:
                top_first.append(self._range_hash(start, middle))
                start, m, complete_old_subtree = middle, m - k, False
        if not complete_old_subtree:
            top_first.append(self._range_hash(start, end))
        top_first.reverse()
        return top_first

    # -- internals ----------------------------------------------------------------------

    def _check_size(self, size: int) -> None:
        if not 0 <= size <= self._size:
            raise TreeRangeError(f"size {size} is outside a tree of size {self._size}")

    def _node(self, level: int, position: int) -> bytes:
        offset = position * HASH_SIZE
        return bytes(self._levels[level][offset : offset + HASH_SIZE])

    def _range_hash(self, start: int, end: int) -> bytes:
        """MTH(D[start:end]) for a range the RFC recursion produces.

        Such a range starts at a multiple of its largest power-of-two part, so it splits
        into stored blocks of decreasing size; MTH folds them from the right.
        """
        blocks: list[bytes] = []
        position, remaining = start, end - start
        while remaining:
            level = remaining.bit_length() - 1
            blocks.append(self._node(level, position >> level))
            position += 1 << level
            remaining -= 1 << level
        result = blocks.pop()
        while blocks:
            result = node_hash(blocks.pop(), result)
        return result


def _build_levels(leaf_blob: bytes) -> list[bytearray]:
    """All levels from concatenated leaf hashes, one pass per level."""
    levels = [bytearray(leaf_blob)]
    below = leaf_blob
    sha256 = hashlib.sha256
    while len(below) >= 2 * HASH_SIZE:
        pairs_end = (len(below) // (2 * HASH_SIZE)) * 2 * HASH_SIZE
        above = b"".join(
            [
                sha256(_NODE_PREFIX + below[i : i + 2 * HASH_SIZE]).digest()
                for i in range(0, pairs_end, 2 * HASH_SIZE)
            ]
        )
        levels.append(bytearray(above))
        below = above
    return levels


def _check_hash(value: bytes, what: str) -> None:
    if len(value) != HASH_SIZE:
        raise BadInput(f"a {what} is {HASH_SIZE} bytes, not {len(value)}")
