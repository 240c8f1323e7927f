"""Crash-safe file replacement and change detection for keystore files."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from cityid.crypto.errors import KeystoreError


def atomic_write(path: Path, data: bytes, mode: int = 0o600) -> None:
    """Replace `path` with `data`, or leave the old file exactly as it was.

    Write a temp file in the same directory, fsync it, rename it over the target, then
    fsync the directory so the rename itself survives a power cut.
    """
    directory = path.parent
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    try:
        try:
            os.fchmod(fd, mode)
            view = memoryview(data)
            while view:
                written = os.write(fd, view)
                view = view[written:]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp_name, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp_name)
        raise KeystoreError(
            f"could not write {path.name} ({exc.strerror or exc.__class__.__name__}); "
            "the previous keystore file is unchanged"
        ) from exc
    fsync_directory(directory)


def fsync_directory(directory: Path) -> None:
    dir_fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def file_signature(path: Path) -> tuple[int, int, int] | None:
    """Identity of the file's current version: every atomic write gives a new inode."""
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    return (st.st_ino, st.st_mtime_ns, st.st_size)
