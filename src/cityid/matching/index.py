"""The 1:N match index: every enrolled encoding in NumPy, searched through blocking tokens.

Layout, chosen for a million rows in one process:

- a (rows, m/64) uint64 matrix of filters, their popcounts, an alive mask, record ids;
- blocking tokens as an inverted index: a sorted CSR (unique uint64 keys, offsets, row
  ids) built in bulk, plus a small dict of recent additions merged into it now and then.

The database is the truth. The index is loaded from its rows `(record_id, bits, blocks,
seq)` and kept current by `apply_rows(rows with seq > index.max_seq)` before each search,
so several worker processes never disagree for longer than one refresh. A row whose
`bits` is None removes the record (it was destroyed or withdrawn).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from cityid.errors import Refused
from cityid.matching.bitops import Words, to_words, token_keys
from cityid.matching.encoding import Encoding, FieldLayout

_MERGE_AT = 65_536  # delta postings before merging into the CSR


class IndexRow(NamedTuple):
    record_id: str
    bits: bytes | None  # None: the record left the register
    blocks: Sequence[bytes]
    seq: int


class EncodingKeyMismatch(Refused):
    """Encodings made under different match keys cannot be compared (re-encode after rotation)."""

    code = "match_key_mismatch"


class MatchIndex:
    def __init__(self, bits: int = 1024, *, key_id: str = "") -> None:
        if bits % 64:
            raise ValueError("bits must be a multiple of 64")
        self.bits = bits
        self.key_id = key_id
        self.layout = FieldLayout(bits)  # how filters are compared, field by field
        self._words = bits // 64
        self._matrix: Words = np.zeros((1024, self._words), dtype=np.uint64)
        self._counts = np.zeros((1024, len(self.layout.weights)), dtype=np.int64)  # per field
        self._alive = np.zeros(1024, dtype=bool)
        self._ids: list[str] = []
        self._row_of: dict[str, int] = {}
        self._keys = np.zeros(0, dtype=np.uint64)  # CSR: sorted unique block keys
        self._starts = np.zeros(
            1, dtype=np.int64
        )  # postings of keys[i]: rows[starts[i]:starts[i+1]]
        self._rows = np.zeros(0, dtype=np.int64)
        self._delta: dict[int, list[int]] = {}
        self._delta_size = 0
        self._max_seq = 0

    # -- size and state -------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._row_of)

    def __contains__(self, record_id: object) -> bool:
        return record_id in self._row_of

    @property
    def max_seq(self) -> int:
        """The highest row seq applied: refresh with rows where seq > max_seq."""
        return self._max_seq

    # -- building -------------------------------------------------------------------

    @classmethod
    def from_encodings(
        cls, items: Iterable[tuple[str, Encoding]], *, bits: int = 1024, key_id: str = ""
    ) -> MatchIndex:
        index = cls(bits, key_id=key_id)
        index.apply_rows(IndexRow(rid, e.bits, e.blocks, 0) for rid, e in items)
        return index

    def add(self, record_id: str, encoding: Encoding, seq: int | None = None) -> None:
        self._check_key(encoding)
        self.apply_rows([IndexRow(record_id, encoding.bits, encoding.blocks, seq or self._max_seq)])

    def remove(self, record_id: str) -> bool:
        """Forget a record; True if it was there."""
        row = self._row_of.pop(record_id, None)
        if row is None:
            return False
        self._alive[row] = False
        return True

    def apply_rows(
        self, rows: Iterable[IndexRow | tuple[str, bytes | None, Sequence[bytes], int]]
    ) -> None:
        """Upsert or remove rows from the database, in seq order; idempotent."""
        latest: dict[str, IndexRow] = {}
        for raw in sorted(rows, key=lambda r: r[3]):
            row = IndexRow(*raw)
            latest[row.record_id] = row  # the last version of a record wins
            self._max_seq = max(self._max_seq, row.seq)
        for record_id in latest:
            self.remove(record_id)
        additions = [r for r in latest.values() if r.bits is not None]
        if additions:
            self._append(additions)
        if self._dead_fraction() > 0.3:
            self.compact()

    def _append(self, rows: list[IndexRow]) -> None:
        first = len(self._ids)
        n = len(rows)
        self._reserve(first + n)
        blob = b"".join(r.bits or b"" for r in rows)
        if len(blob) != n * self.bits // 8:
            raise ValueError("an encoding has the wrong number of bits for this index")
        words = np.frombuffer(blob, dtype="<u8").astype(np.uint64).reshape(n, self._words)
        self._matrix[first : first + n] = words
        self._counts[first : first + n] = self.layout.field_counts(words)
        self._alive[first : first + n] = True
        for offset, row in enumerate(rows):
            self._ids.append(row.record_id)
            self._row_of[row.record_id] = first + offset
        keys = token_keys([t for r in rows for t in r.blocks])
        owners = np.repeat(
            np.arange(first, first + n, dtype=np.int64), [len(r.blocks) for r in rows]
        )
        if len(keys) > _MERGE_AT or len(keys) + self._delta_size > max(
            _MERGE_AT, len(self._rows) // 20
        ):
            self._merge(keys, owners)
        else:
            for key, owner in zip(keys.tolist(), owners.tolist(), strict=True):
                self._delta.setdefault(key, []).append(owner)
            self._delta_size += len(keys)

    def _reserve(self, size: int) -> None:
        capacity = max(len(self._counts), 1)
        if size <= len(self._counts):
            return
        while capacity < size:
            capacity *= 2
        matrix = np.zeros((capacity, self._words), dtype=np.uint64)
        matrix[: len(self._ids)] = self._matrix[: len(self._ids)]
        self._matrix = matrix
        counts = np.zeros((capacity, self._counts.shape[1]), dtype=np.int64)
        counts[: len(self._ids)] = self._counts[: len(self._ids)]
        self._counts = counts
        alive = np.zeros(capacity, dtype=bool)
        alive[: len(self._ids)] = self._alive[: len(self._ids)]
        self._alive = alive

    def _postings(self) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.int64]]:
        """Every (key, row) posting, CSR and delta together, unsorted."""
        csr_keys = np.repeat(self._keys, np.diff(self._starts))
        delta_keys = np.fromiter(
            (k for k, owners in self._delta.items() for _ in owners),
            dtype=np.uint64,
            count=self._delta_size,
        )
        delta_rows = np.fromiter(
            (r for owners in self._delta.values() for r in owners),
            dtype=np.int64,
            count=self._delta_size,
        )
        return np.concatenate([csr_keys, delta_keys]), np.concatenate([self._rows, delta_rows])

    def _merge(self, extra_keys: npt.NDArray[np.uint64], extra_rows: npt.NDArray[np.int64]) -> None:
        keys, rows = self._postings()
        self._set_csr(np.concatenate([keys, extra_keys]), np.concatenate([rows, extra_rows]))

    def _set_csr(self, keys: npt.NDArray[np.uint64], rows: npt.NDArray[np.int64]) -> None:
        order = np.lexsort((rows, keys))
        keys, rows = keys[order], rows[order]
        unique, starts = np.unique(keys, return_index=True)
        self._keys = unique
        self._starts = np.append(starts, len(keys)).astype(np.int64)
        self._rows = rows
        self._delta = {}
        self._delta_size = 0

    def _dead_fraction(self) -> float:
        return 1 - len(self._row_of) / len(self._ids) if self._ids else 0.0

    def compact(self) -> None:
        """Drop removed rows for good (renumbers rows; ids and results are unchanged)."""
        size = len(self._ids)
        alive = self._alive[:size]
        new_row = np.cumsum(alive) - 1
        keys, rows = self._postings()
        keep = alive[rows]
        self._matrix = np.ascontiguousarray(self._matrix[:size][alive])
        self._counts = self._counts[:size][alive]
        self._ids = [rid for rid, a in zip(self._ids, alive.tolist(), strict=True) if a]
        self._row_of = {rid: i for i, rid in enumerate(self._ids)}
        self._alive = np.ones(len(self._ids), dtype=bool)
        self._set_csr(keys[keep], new_row[rows[keep]])
        self._reserve(max(len(self._ids), 1024))

    # -- searching ------------------------------------------------------------------

    def candidates(self, blocks: Sequence[bytes]) -> npt.NDArray[np.int64]:
        """Rows of live records sharing at least one blocking token."""
        queries = token_keys(list(blocks))
        parts: list[npt.NDArray[np.int64]] = []
        if len(self._keys):
            at = np.searchsorted(self._keys, queries)
            for key, i in zip(queries.tolist(), at.tolist(), strict=True):
                if i < len(self._keys) and int(self._keys[i]) == key:
                    parts.append(self._rows[self._starts[i] : self._starts[i + 1]])
        for key in queries.tolist():
            owners = self._delta.get(key)
            if owners:
                parts.append(np.asarray(owners, dtype=np.int64))
        if not parts:
            return np.zeros(0, dtype=np.int64)
        rows = np.unique(np.concatenate(parts))
        return rows[self._alive[rows]]

    def search(
        self,
        encoding: Encoding,
        top_k: int = 10,
        threshold: float = 0.8,
        *,
        exclude: str | None = None,
    ) -> list[tuple[str, float]]:
        """Records sharing a block whose score is >= threshold, best first."""
        self._check_key(encoding)
        return self._rank(self.candidates(encoding.blocks), encoding, top_k, threshold, exclude)

    def search_any(
        self,
        encodings: Sequence[Encoding],
        top_k: int = 10,
        threshold: float = 0.8,
        *,
        exclude: str | None = None,
    ) -> list[tuple[str, float]]:
        """Best score per record over several query variants (e.g. names as written and swapped)."""
        best: dict[str, float] = {}
        for encoding in encodings:
            for record_id, score in self.search(encoding, top_k, threshold, exclude=exclude):
                best[record_id] = max(score, best.get(record_id, 0.0))
        return sorted(best.items(), key=lambda p: (-p[1], p[0]))[:top_k]

    def exhaustive_search(
        self,
        encoding: Encoding,
        top_k: int = 10,
        threshold: float = 0.8,
        *,
        exclude: str | None = None,
    ) -> list[tuple[str, float]]:
        """The same answer computed over every row: the yardstick for the blocked fast path."""
        self._check_key(encoding)
        rows = np.flatnonzero(self._alive[: len(self._ids)])
        return self._rank(rows, encoding, top_k, threshold, exclude)

    def _rank(
        self,
        rows: npt.NDArray[np.int64],
        encoding: Encoding,
        top_k: int,
        threshold: float,
        exclude: str | None,
    ) -> list[tuple[str, float]]:
        if not len(rows) or top_k <= 0:
            return []
        query = to_words(encoding.bits)
        scores = self.layout.score_rows(self._matrix[rows], self._counts[rows], query)
        hits = np.flatnonzero(scores >= threshold)
        ranked = sorted(
            ((self._ids[int(rows[h])], float(scores[h])) for h in hits), key=lambda p: (-p[1], p[0])
        )
        return [p for p in ranked if p[0] != exclude][:top_k]

    def _check_key(self, encoding: Encoding) -> None:
        if not encoding.key_id:
            return
        if not self.key_id:
            self.key_id = encoding.key_id
        elif encoding.key_id != self.key_id:
            raise EncodingKeyMismatch("the encoding was made under a different match key")

    # -- views for bulk jobs and tests ------------------------------------------------

    def arrays(self) -> tuple[list[str], Words, npt.NDArray[np.int64]]:
        """(record ids, bit matrix, per-field popcounts) of live records, for batch
        deduplication."""
        self.compact()
        n = len(self._ids)
        return list(self._ids), self._matrix[:n], self._counts[:n]

    def block_postings(self) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.int64]]:
        """(key, row) postings of live rows, rows numbered as in `arrays()` after compaction."""
        self.compact()
        return np.repeat(self._keys, np.diff(self._starts)), self._rows

    def snapshot(self) -> dict[str, tuple[bytes, tuple[int, ...]]]:
        """record id -> (bits, sorted block keys): equal for two indexes holding the same rows."""
        keys, rows = self._postings()
        by_row: dict[int, list[int]] = {}
        for key, row in zip(keys.tolist(), rows.tolist(), strict=True):
            by_row.setdefault(row, []).append(key)
        return {
            rid: (self._matrix[row].astype("<u8").tobytes(), tuple(sorted(by_row.get(row, []))))
            for rid, row in self._row_of.items()
        }
