"""The stored audit log served as C2SP tlog-tiles, up to the latest signed checkpoint.

Every tile is cut from the same tree the proofs use (`service.current_tree`) and limited
to the size of the latest signed checkpoint, so what `/log/checkpoint` says is exactly
what the tiles can rebuild. The static export writes the same bytes to files.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from cityid.audit import service
from cityid.audit.tables import audit_entries
from cityid.audit.tiles import (
    Tile,
    entry_bundle,
    entry_range,
    hash_tile,
    parse_tile_path,
    tiles_for_size,
)
from cityid.errors import BadInput, ConfigError
from cityid.runtime import Runtime
from cityid.store.uow import UnitOfWork

CHECKPOINT_FILE = "checkpoint"


@dataclass(frozen=True)
class TileResource:
    """One served resource: its path under the log prefix, its bytes, and whether it can
    ever change (full tiles cannot; partial tiles may be superseded by wider ones)."""

    path: str
    data: bytes
    immutable: bool


@dataclass(frozen=True)
class ExportResult:
    size: int
    files: int
    bytes_written: int
    out: str


def checkpoint_note(uow: UnitOfWork) -> str:
    """The latest signed checkpoint, as `/audit/checkpoint` serves it."""
    return service.require_checkpoint(uow).note


def read_tile(runtime: Runtime, path: str) -> TileResource:
    """The tile or entry bundle at `path` (relative to the log prefix, `tile/...`)."""
    tile = parse_tile_path(path)
    with UnitOfWork(runtime.engine, read_only=True) as uow:
        size = service.require_checkpoint(uow).size
        return _resource(runtime, uow, tile, size)


def export(runtime: Runtime, out: Path) -> ExportResult:
    """Writes `checkpoint` and every tile of the latest signed checkpoint under `out`,
    the same bytes the server sends, so any static host can serve the log."""
    if out.exists() and not out.is_dir():
        raise BadInput("--out must be a directory")
    files = written = 0
    with UnitOfWork(runtime.engine, read_only=True) as uow:
        latest = service.require_checkpoint(uow)
        for tile in tiles_for_size(latest.size):
            resource = _resource(runtime, uow, tile, latest.size)
            written += _write(out, resource.path, resource.data)
            files += 1
        note = latest.note.encode("utf-8")
    # The checkpoint goes last: a reader of a half-copied directory sees an older
    # checkpoint whose tiles are all there.
    written += _write(out, CHECKPOINT_FILE, note)
    return ExportResult(size=latest.size, files=files + 1, bytes_written=written, out=str(out))


def _resource(runtime: Runtime, uow: UnitOfWork, tile: Tile, size: int) -> TileResource:
    if tile.is_entries:
        start, end = entry_range(tile, size)
        rows = uow.conn.execute(
            sa.select(audit_entries.c.idx, audit_entries.c.entry)
            .where(audit_entries.c.idx >= start, audit_entries.c.idx < end)
            .order_by(audit_entries.c.idx)
        ).all()
        if [row.idx for row in rows] != list(range(start, end)):
            raise ConfigError(f"the stored log lacks entries {start}..{end - 1}")
        data = entry_bundle(bytes(row.entry) for row in rows)
    else:
        tree = service.current_tree(runtime, uow)
        data = hash_tile(tree, tile, size)
    return TileResource(path=tile.path, data=data, immutable=not tile.is_partial)


def _write(out: Path, relative: str, data: bytes) -> int:
    """Writes one file atomically (a host serving `out` never sees half a tile)."""
    target = out.joinpath(*relative.split("/"))
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.is_file() and target.read_bytes() == data:
        return 0
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        os.chmod(temporary, 0o644)  # mkstemp's 0600 would hide the file from the web server
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return len(data)
