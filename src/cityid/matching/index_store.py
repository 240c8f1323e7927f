"""Stored encodings and the per-process 1:N index kept in step with them.

The database is the truth; each process keeps one `MatchIndex` (its `MATCH_INDEX` service) and
tops it up before every search with the rows whose `seq` is above what it has applied.
The top-up reads committed rows only (its own read-only connection), so a rolled-back
intake never leaves a phantom in the shared index. Rows the caller's own transaction
wrote but has not committed are searched from a small overlay built for that search.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from cityid.matching.encoding import BloomEncoder, Encoding, pack_blocks, unpack_blocks
from cityid.matching.index import IndexRow, MatchIndex
from cityid.matching.tables import match_encodings, match_head
from cityid.runtime import ProcessService, Runtime
from cityid.store.uow import UnitOfWork
from cityid.vocabulary import MATCH_PURPOSE

MATCH_KEY_PURPOSE = MATCH_PURPOSE
_FETCH_CHUNK = 50_000


@dataclass
class ProcessIndex:
    """This process's 1:N index, the lock it is used under, and the encoder's gram cache."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    index: MatchIndex | None = None
    encoder: BloomEncoder | None = None


MATCH_INDEX: ProcessService[ProcessIndex] = ProcessService("match index", ProcessIndex)


def encoder_for(runtime: Runtime) -> BloomEncoder:
    """The encoder under the active match key (one per process and key: its gram cache)."""
    hasher = runtime.keystore.keyed_hasher(MATCH_KEY_PURPOSE)
    held = runtime.services.get(MATCH_INDEX)
    cached = held.encoder
    if cached is None or cached.key_id != hasher.key_id:
        cached = held.encoder = BloomEncoder.from_policy(hasher, runtime.policy.matching)
    return cached


# --- writing ---------------------------------------------------------------------------


def next_seqs(uow: UnitOfWork, count: int = 1) -> int:
    """Reserve `count` consecutive seqs; returns the first. Locks the head row until commit."""
    new = uow.conn.execute(
        match_head.update()
        .where(match_head.c.id == 1)
        .values(seq=match_head.c.seq + count)
        .returning(match_head.c.seq)
    ).scalar_one()
    return int(new) - count + 1


def store_encodings(
    uow: UnitOfWork,
    items: Sequence[tuple[str, Encoding]],
    *,
    first_seq: int | None = None,
) -> None:
    """Insert or replace the encodings of these applications, each with a new seq.

    One statement (an upsert on application_id), not a delete and an insert.
    `first_seq`: seqs already reserved by `next_seqs` (len(items) of them).
    """
    if not items:
        return
    first = next_seqs(uow, len(items)) if first_seq is None else first_seq
    stamp = dt.datetime.now(dt.UTC)
    insert = (postgresql.insert if uow.conn.dialect.name == "postgresql" else sqlite.insert)(
        match_encodings
    )
    replaced = ("bits", "blocks", "seq", "key_id", "removed", "updated_at")
    uow.conn.execute(
        insert.on_conflict_do_update(
            index_elements=[match_encodings.c.application_id],
            set_={name: insert.excluded[name] for name in replaced},
        ),
        [
            {
                "application_id": application_id,
                "bits": encoding.bits,
                "blocks": pack_blocks(encoding.blocks),
                "seq": first + i,
                "key_id": encoding.key_id,
                "removed": False,
                "updated_at": stamp,
            }
            for i, (application_id, encoding) in enumerate(items)
        ],
    )


def store_encoding(
    uow: UnitOfWork, application_id: str, encoding: Encoding, *, seq: int | None = None
) -> None:
    store_encodings(uow, [(application_id, encoding)], first_seq=seq)


def remove_encodings(uow: UnitOfWork, application_ids: Sequence[str]) -> int:
    """Forget the encodings of applications that left the register (destroyed, withdrawn).

    The row stays as a removal marker (no bits, no tokens) so every process drops it.
    """
    present = list(
        uow.conn.execute(
            sa.select(match_encodings.c.application_id).where(
                match_encodings.c.application_id.in_(list(application_ids)),
                match_encodings.c.removed.is_(False),
            )
        ).scalars()
    )
    if not present:
        return 0
    first = next_seqs(uow, len(present))
    stamp = dt.datetime.now(dt.UTC)
    for i, application_id in enumerate(present):
        uow.conn.execute(
            match_encodings.update()
            .where(match_encodings.c.application_id == application_id)
            .values(bits=None, blocks=b"", removed=True, seq=first + i, updated_at=stamp)
        )
    return len(present)


# --- reading ---------------------------------------------------------------------------


def _index_rows(rows: Iterable[Any], key_id: str) -> Iterator[IndexRow]:
    for row in rows:
        live = not row.removed and row.bits is not None and row.key_id == key_id
        yield IndexRow(
            row.application_id,
            bytes(row.bits) if live else None,
            unpack_blocks(bytes(row.blocks)) if live else [],
            int(row.seq),
        )


def _rows_after(conn: sa.Connection, seq: int) -> Iterator[Any]:
    """Rows with seq above `seq`, in seq order, fetched in chunks."""
    while True:
        chunk = conn.execute(
            sa.select(match_encodings)
            .where(match_encodings.c.seq > seq)
            .order_by(match_encodings.c.seq)
            .limit(_FETCH_CHUNK)
        ).all()
        yield from chunk
        if len(chunk) < _FETCH_CHUNK:
            return
        seq = int(chunk[-1].seq)


@contextmanager
def shared_index(runtime: Runtime, key_id: str) -> Iterator[MatchIndex]:
    """This process's index of committed encodings under `key_id`, topped up from the DB now.

    Held under the process's lock while in use: web workers serve requests on threads, and
    an index being topped up must not be searched at the same time.
    """
    held = runtime.services.get(MATCH_INDEX)
    with held.lock:
        index = held.index
        if index is None or index.key_id != key_id:
            index = MatchIndex(runtime.policy.matching.bloom_bits, key_id=key_id)
        with UnitOfWork(runtime.engine, read_only=True) as reader:
            index.apply_rows(_index_rows(_rows_after(reader.conn, index.max_seq), key_id))
        held.index = index
        yield index


def search(
    runtime: Runtime,
    uow: UnitOfWork,
    queries: Sequence[Encoding],
    *,
    top_k: int = 10,
    threshold: float,
    exclude: Iterable[str] = (),
) -> list[tuple[str, float]]:
    """Best score per enrolled application over the query variants, above the threshold."""
    if not queries:
        return []
    key_id = queries[0].key_id
    skip = set(exclude)
    best: dict[str, float] = {}
    with shared_index(runtime, key_id) as shared:
        # rows newer than the shared index as this unit of work sees them (its own
        # uncommitted writes, or commits since the top-up) are searched apart
        rows = list(_index_rows(_rows_after(uow.conn, shared.max_seq), key_id))
        changed = {r.record_id for r in rows}
        wide = top_k + len(skip) + len(changed)
        for rid, score in shared.search_any(queries, wide, threshold):
            if rid not in changed and rid not in skip:
                best[rid] = score
    overlay = MatchIndex(runtime.policy.matching.bloom_bits, key_id=key_id)
    overlay.apply_rows(rows)
    for rid, score in overlay.search_any(queries, wide, threshold):
        if rid not in skip:
            best[rid] = max(score, best.get(rid, 0.0))
    return sorted(best.items(), key=lambda p: (-p[1], p[0]))[:top_k]
