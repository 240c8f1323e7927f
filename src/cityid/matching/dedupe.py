"""Batch self-deduplication of the whole register: every pair that shares a block, scored.

Vectorised end to end: pairs are generated from the sorted block postings one "distance"
at a time (row t with row t+d of the same block), so the work is proportional to the
number of pairs, never to the square of the largest block; scores are computed in
chunks of a million pairs with a hardware popcount.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from cityid.matching.bitops import Words, popcount_rows
from cityid.matching.encoding import FieldLayout
from cityid.matching.index import MatchIndex

Pairs = tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]
_CHUNK = 1_000_000


@dataclass(frozen=True)
class DedupeResult:
    pairs: list[tuple[str, str, float]]  # (record id, record id, score), best first
    compared: int  # distinct pairs scored
    oversized_blocks: int  # blocks skipped for holding more than max_block rows


def block_pairs(
    keys: npt.NDArray[np.uint64], rows: npt.NDArray[np.int64], *, max_block: int = 5_000
) -> tuple[Pairs, int]:
    """Distinct (low row, high row) pairs sharing a key; blocks over max_block are skipped."""
    order = np.lexsort((rows, keys))
    keys, rows = keys[order], rows[order]
    if not len(keys):
        empty = np.zeros(0, dtype=np.int64)
        return (empty, empty), 0
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
    sizes = np.diff(np.r_[starts, len(keys)])
    oversized = int((sizes > max_block).sum())
    keep_block = (sizes >= 2) & (sizes <= max_block)
    # for each posting: how many later postings share its block
    block_of = np.repeat(np.arange(len(starts)), sizes)
    end = np.repeat(starts + sizes, sizes)
    later = np.where(keep_block[block_of], end - np.arange(len(keys)) - 1, 0)
    lows: list[npt.NDArray[np.int64]] = []
    highs: list[npt.NDArray[np.int64]] = []
    active = np.flatnonzero(later > 0)
    distance = 1
    while len(active):
        a, b = rows[active], rows[active + distance]
        lows.append(np.minimum(a, b))
        highs.append(np.maximum(a, b))
        distance += 1
        active = active[later[active] >= distance]
    if not lows:
        empty = np.zeros(0, dtype=np.int64)
        return (empty, empty), oversized
    low, high = np.concatenate(lows), np.concatenate(highs)
    distinct = low != high
    width = int(rows.max()) + 1
    packed = np.unique(
        low[distinct] * width + high[distinct]
    )  # a pair met in two blocks counts once
    return (packed // width, packed % width), oversized


def score_pairs(
    bits: Words, counts: npt.NDArray[np.int64], pairs: Pairs
) -> npt.NDArray[np.float64]:
    """Field-weighted scores of row pairs, as `MatchIndex.search` computes them."""
    layout = FieldLayout(bits.shape[1] * 64)
    if counts.ndim != 2:  # whole-row popcounts given: the score needs them per field
        counts = layout.field_counts(bits)
    low, high = pairs
    out = np.empty(len(low), dtype=np.float64)
    for start in range(0, len(low), _CHUNK):
        left, right = low[start : start + _CHUNK], high[start : start + _CHUNK]
        shared = layout.field_counts(bits[left] & bits[right])
        out[start : start + _CHUNK] = layout.scores(shared, counts[left], counts[right])
    return out


def deduplicate(index: MatchIndex, threshold: float, *, max_block: int = 5_000) -> DedupeResult:
    """Every pair of live records in the index scoring at or above threshold."""
    ids, bits, counts = index.arrays()
    keys, rows = index.block_postings()
    pairs, oversized = block_pairs(keys, rows, max_block=max_block)
    scores = score_pairs(bits, counts, pairs)
    hit = np.flatnonzero(scores >= threshold)
    hit = hit[np.argsort(-scores[hit], kind="stable")]
    low, high = pairs
    found = [(ids[int(low[i])], ids[int(high[i])], float(scores[i])) for i in hit]
    return DedupeResult(pairs=found, compared=len(low), oversized_blocks=oversized)


def dedupe_arrays(
    bits: Words,
    keys: npt.NDArray[np.uint64],
    rows: npt.NDArray[np.int64],
    threshold: float,
    *,
    max_block: int = 5_000,
) -> tuple[Pairs, npt.NDArray[np.float64]]:
    """The same on raw arrays (row numbers instead of ids), for evaluation and benchmarks."""
    counts = popcount_rows(bits)
    pairs, _ = block_pairs(keys, rows, max_block=max_block)
    scores = score_pairs(bits, counts, pairs)
    hit = scores >= threshold
    return (pairs[0][hit], pairs[1][hit]), scores[hit]
