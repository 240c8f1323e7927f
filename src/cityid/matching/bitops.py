"""Packed-bit arithmetic for the match index: filters as rows of uint64 words."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

Words = npt.NDArray[np.uint64]

if hasattr(np, "bitwise_count"):  # NumPy >= 2.0: a hardware popcount

    def popcount_rows(words: Words) -> npt.NDArray[np.int64]:
        """Set bits per row of a (rows, words) uint64 array."""
        return np.bitwise_count(words).sum(axis=-1, dtype=np.int64)

else:  # pragma: no cover - NumPy 1.x fallback: a byte lookup table
    _TABLE = np.array([bin(i).count("1") for i in range(256)], dtype=np.uint8)

    def popcount_rows(words: Words) -> npt.NDArray[np.int64]:
        as_bytes = words.view(np.uint8).reshape(*words.shape[:-1], -1)
        return _TABLE[as_bytes].sum(axis=-1, dtype=np.int64)


def to_words(bits: bytes) -> Words:
    """Filter bytes (little-endian bit order) as uint64 words; the popcount ignores order."""
    return np.frombuffer(bits, dtype="<u8").astype(np.uint64, copy=False)


def token_keys(tokens: list[bytes]) -> npt.NDArray[np.uint64]:
    """Blocking tokens as uint64 keys (their first 8 bytes).

    Two different tokens sharing a key only adds candidates that the score then rejects;
    with a million records the chance of any such collision is about 1e-6.
    """
    if not tokens:
        return np.zeros(0, dtype=np.uint64)
    joined = b"".join(t[:8] for t in tokens)
    return np.frombuffer(joined, dtype="<u8").astype(np.uint64)


def dice_rows(
    rows: Words, row_counts: npt.NDArray[np.int64], query: Words, query_count: int
) -> npt.NDArray[np.float64]:
    """Dice coefficient of the query against every row (0 where both are empty)."""
    shared = popcount_rows(rows & query)
    total = row_counts + query_count
    return np.divide(2.0 * shared, total, out=np.zeros(len(rows)), where=total > 0)


def dice_pairs(
    bits: Words,
    counts: npt.NDArray[np.int64],
    left: npt.NDArray[np.int64],
    right: npt.NDArray[np.int64],
) -> npt.NDArray[np.float64]:
    """Dice coefficient of rows left[i] and right[i] of one bit matrix."""
    shared = popcount_rows(bits[left] & bits[right])
    total = counts[left] + counts[right]
    return np.divide(2.0 * shared, total, out=np.zeros(len(left)), where=total > 0)
