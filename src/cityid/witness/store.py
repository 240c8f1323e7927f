"""The witness's own data dir: its key, its name, the logs it knows and their latest trees.

    DIR/witness.key   Ed25519 private key, PKCS#8 PEM, mode 0600 (written once)
    DIR/witness.json  {"name", "logs": {origin: {"vkeys", "size", "root", "checkpoint"}}}
    DIR/witness.lock  the file lock every read-check-write holds

`update` reads the state, lets a function decide, and replaces the file atomically
(temp file, fsync, rename) only when the function returns: a refusal leaves the file as
it was, and the lock makes check-and-update one step across threads and processes.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import filelock
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    load_pem_private_key,
)

from cityid.audit.merkle import EMPTY_ROOT
from cityid.crypto._files import atomic_write
from cityid.crypto.errors import KeystoreError
from cityid.errors import ConfigError, Refused, Unavailable

KEY_FILE = "witness.key"
STATE_FILE = "witness.json"
LOCK_FILE = "witness.lock"
LOCK_TIMEOUT_S = 10.0
T = TypeVar("T")


@dataclass(frozen=True)
class KnownLog:
    """A log this witness cosigns for: its keys and the latest tree it cosigned."""

    origin: str
    vkeys: tuple[str, ...]
    size: int = 0
    root: bytes = EMPTY_ROOT
    checkpoint: str | None = None  # the latest cosigned note, our cosignature included


@dataclass(frozen=True)
class WitnessState:
    name: str
    logs: Mapping[str, KnownLog] = field(default_factory=dict)

    def with_log(self, log: KnownLog) -> WitnessState:
        return WitnessState(self.name, {**self.logs, log.origin: log})


class WitnessStore:
    """One witness data dir."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        if not (directory / STATE_FILE).is_file() or not (directory / KEY_FILE).is_file():
            raise ConfigError(
                f"{directory} is not a witness data dir; run `cityid witness init` first"
            )

    @classmethod
    def init(cls, directory: Path, name: str) -> WitnessStore:
        """A new witness: a fresh Ed25519 key (mode 0600) and an empty state."""
        if (directory / STATE_FILE).exists() or (directory / KEY_FILE).exists():
            raise Refused(f"{directory} already holds a witness; its key is kept")
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        key = Ed25519PrivateKey.generate()
        pem = key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
        with filelock.FileLock(str(directory / LOCK_FILE), timeout=LOCK_TIMEOUT_S):
            _write(directory / KEY_FILE, pem)
            _write(directory / STATE_FILE, _dump(WitnessState(name=name)))
        return cls(directory)

    def private_key(self) -> Ed25519PrivateKey:
        path = self.directory / KEY_FILE
        if path.stat().st_mode & 0o077:
            raise ConfigError(f"{path.name} must be readable by its owner only (chmod 600)")
        key = load_pem_private_key(path.read_bytes(), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise ConfigError(f"{path.name} does not hold an Ed25519 private key")
        return key

    def read(self) -> WitnessState:
        with self._lock():
            return self._load()

    def update(self, decide: Callable[[WitnessState], tuple[WitnessState, T]]) -> T:
        """Read, decide, write, under the lock; if `decide` raises, nothing is written."""
        with self._lock():
            state = self._load()
            new_state, answer = decide(state)
            if new_state != state:
                _write(self.directory / STATE_FILE, _dump(new_state))
            return answer

    def _lock(self) -> filelock.BaseFileLock:
        # A new lock object per use: each holds its own descriptor, so threads of one
        # server exclude each other as well as other processes.
        return filelock.FileLock(
            str(self.directory / LOCK_FILE), timeout=LOCK_TIMEOUT_S, thread_local=False
        )

    def _load(self) -> WitnessState:
        path = self.directory / STATE_FILE
        try:
            raw = json.loads(path.read_text("utf-8"))
            logs = {
                origin: KnownLog(
                    origin=origin,
                    vkeys=tuple(entry["vkeys"]),
                    size=int(entry["size"]),
                    root=base64.b64decode(entry["root"]),
                    checkpoint=entry.get("checkpoint"),
                )
                for origin, entry in raw["logs"].items()
            }
            return WitnessState(name=str(raw["name"]), logs=logs)
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ConfigError(f"cannot read {path.name} ({type(exc).__name__})") from None


def _dump(state: WitnessState) -> bytes:
    document: dict[str, Any] = {
        "version": 1,
        "name": state.name,
        "logs": {
            origin: {
                "vkeys": list(log.vkeys),
                "size": log.size,
                "root": base64.b64encode(log.root).decode("ascii"),
                "checkpoint": log.checkpoint,
            }
            for origin, log in sorted(state.logs.items())
        },
    }
    return (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def _write(path: Path, data: bytes) -> None:
    try:
        atomic_write(path, data, mode=0o600)
    except KeystoreError:
        raise Unavailable(f"could not write {path.name}; the previous one is unchanged") from None
