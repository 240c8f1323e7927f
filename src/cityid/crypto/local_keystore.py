"""The `local` keystore: one JSON file in the data dir, sealed under a passphrase.

File layout (`keystore.json`, mode 0600):

    {"format": "cityid-keystore", "version": 1,
     "kdf": {"name": "scrypt", "salt": HEX, "n": N, "r": R, "p": P},
     "check": HEX, "nonce": HEX, "sealed": HEX}

scrypt(passphrase) gives 64 bytes: the first 32 seal the key table with AES-256-GCM (the
header is the associated data, so its parameters cannot be altered), the last 32 make
`check`, an HMAC that tells a wrong passphrase apart from a damaged file.

Every change takes a file lock, re-reads the file, modifies it and replaces it atomically,
so several processes can share one keystore. A destroyed key's material leaves the file;
only its tombstone (id, kind, purpose, dates) stays. The keystore's own backups are then
the last copy of the key: that is why they get an expiry date of their own.
"""

from __future__ import annotations

import hmac
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import filelock
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from cityid.crypto._files import atomic_write, file_signature
from cityid.crypto._primitives import (
    Ed25519Signer,
    HmacHasher,
    aes_gcm_unwrap,
    aes_gcm_wrap,
    new_ed25519,
)
from cityid.crypto.errors import KeystoreError, WrongPassphrase
from cityid.crypto.interfaces import KeyedHasher, Signer
from cityid.crypto.keystore import Entries, KeyEntry, Keystore

FILE_NAME = "keystore.json"
FORMAT = "cityid-keystore"
VERSION = 1
DEFAULT_SCRYPT_N = 2**15  # about 0.1 s and 32 MiB: paid once per process, at open
_CHECK_LABEL = b"cityid keystore passphrase check v1"
_LOCK_TIMEOUT_S = 30.0


class LocalKeystore(Keystore):
    backend = "local"

    def __init__(self, path: Path, passphrase: str) -> None:
        """Open an existing keystore file. `WrongPassphrase` if it does not unlock."""
        self.path = Path(path)
        self._lock = filelock.FileLock(str(self.path) + ".lock", timeout=_LOCK_TIMEOUT_S)
        if not passphrase:
            raise WrongPassphrase("the keystore passphrase is empty")
        document, signature = self._read_document()
        self._salt_hex = document["kdf"]["salt"]
        self._seal_key, check_key = _derive(passphrase, document["kdf"])
        expected = hmac.digest(check_key, _CHECK_LABEL, "sha256")
        if not hmac.compare_digest(expected, bytes.fromhex(document["check"])):
            raise WrongPassphrase("the keystore passphrase is wrong; nothing was changed")
        self._check_hex = document["check"]
        self._cache: Entries = self._decrypt(document)
        self._signature: tuple[int, int, int] | None = signature

    @classmethod
    def create(
        cls, path: Path, passphrase: str, *, scrypt_n: int = DEFAULT_SCRYPT_N
    ) -> LocalKeystore:
        """Write a new, empty keystore file; refuses to overwrite an existing one."""
        path = Path(path)
        if not passphrase:
            raise WrongPassphrase("the keystore passphrase is empty")
        with filelock.FileLock(str(path) + ".lock", timeout=_LOCK_TIMEOUT_S):
            if path.exists():
                raise KeystoreError(f"{path.name} already exists; not overwriting a keystore")
            kdf = {"name": "scrypt", "salt": os.urandom(16).hex(), "n": scrypt_n, "r": 8, "p": 1}
            seal_key, check_key = _derive(passphrase, kdf)
            header = {
                "format": FORMAT,
                "version": VERSION,
                "kdf": kdf,
                "check": hmac.digest(check_key, _CHECK_LABEL, "sha256").hex(),
            }
            atomic_write(path, _seal(header, seal_key, {}))
        return cls(path, passphrase)

    def close(self) -> None:
        self._cache = {}
        self._seal_key = b""

    # ---- storage -----------------------------------------------------------------------

    def _entries(self) -> Entries:
        if file_signature(self.path) != self._signature:
            document, signature = self._read_document()
            self._cache = self._decrypt(document)
            self._signature = signature
        return self._cache

    @contextmanager
    def _update(self) -> Iterator[Entries]:
        try:
            self._lock.acquire()
        except filelock.Timeout:
            raise KeystoreError("keystore is locked by another process; try again") from None
        try:
            document, _ = self._read_document()
            entries = self._decrypt(document)
            yield entries
            header = {k: document[k] for k in ("format", "version", "kdf", "check")}
            atomic_write(self.path, _seal(header, self._seal_key, entries))
            self._cache = entries
            self._signature = file_signature(self.path)
        finally:
            self._lock.release()

    def _read_document(self) -> tuple[dict[str, Any], tuple[int, int, int]]:
        try:
            with self.path.open("rb") as handle:
                st = os.fstat(handle.fileno())
                raw = handle.read()
        except FileNotFoundError:
            raise KeystoreError(f"no keystore file at {self.path}") from None
        except OSError as exc:
            raise KeystoreError(f"cannot read the keystore file ({exc.strerror})") from None
        try:
            document = json.loads(raw)
            if document.get("format") != FORMAT or document.get("version") != VERSION:
                raise ValueError("unknown format")
        except (ValueError, AttributeError):
            raise KeystoreError("the keystore file is not a cityid keystore") from None
        return document, (st.st_ino, st.st_mtime_ns, st.st_size)

    def _decrypt(self, document: dict[str, Any]) -> Entries:
        if document["kdf"]["salt"] != self._salt_hex or document["check"] != self._check_hex:
            raise KeystoreError("the keystore file was replaced by another keystore; reopen it")
        header = {k: document[k] for k in ("format", "version", "kdf", "check")}
        try:
            body = AESGCM(self._seal_key).decrypt(
                bytes.fromhex(document["nonce"]), bytes.fromhex(document["sealed"]), _aad(header)
            )
        except (InvalidTag, ValueError, KeyError):
            raise KeystoreError(
                "the keystore file failed authentication (damaged or altered); "
                "restore it from a keystore backup"
            ) from None
        keys = json.loads(body)["keys"]
        return {k["key_id"]: KeyEntry.from_json(k) for k in keys}

    # ---- material ----------------------------------------------------------------------

    def _generate(self, entry: KeyEntry) -> None:
        if entry.kind == "signing":
            entry.material, entry.public_key = new_ed25519()
        else:
            entry.material = os.urandom(32)

    def _erase(self, entry: KeyEntry) -> None:
        entry.material = None  # the next atomic write leaves it out of the file

    def _wrap(self, entry: KeyEntry, data_key: bytes, aad: bytes) -> bytes:
        return aes_gcm_wrap(_material(entry), data_key, aad)

    def _unwrap(self, entry: KeyEntry, wrapped: bytes, aad: bytes) -> bytes:
        return aes_gcm_unwrap(_material(entry), wrapped, aad)

    def _hasher(self, entry: KeyEntry) -> KeyedHasher:
        return HmacHasher(entry.key_id, _material(entry))

    def _signer(self, entry: KeyEntry) -> Signer:
        return Ed25519Signer(entry.key_id, _material(entry))


def _material(entry: KeyEntry) -> bytes:
    if entry.material is None:
        raise KeystoreError(f"key {entry.key_id} has no material in the keystore file")
    return entry.material


def _derive(passphrase: str, kdf: dict[str, Any]) -> tuple[bytes, bytes]:
    if kdf.get("name") != "scrypt":
        raise KeystoreError("the keystore file names an unknown key-derivation function")
    derived = Scrypt(
        salt=bytes.fromhex(kdf["salt"]), length=64, n=kdf["n"], r=kdf["r"], p=kdf["p"]
    ).derive(passphrase.encode())
    return derived[:32], derived[32:]


def _aad(header: dict[str, Any]) -> bytes:
    return json.dumps(header, sort_keys=True, separators=(",", ":")).encode()


def _seal(header: dict[str, Any], seal_key: bytes, entries: Entries) -> bytes:
    body = json.dumps({"keys": [e.to_json(with_material=True) for e in entries.values()]})
    nonce = os.urandom(12)
    sealed = AESGCM(seal_key).encrypt(nonce, body.encode(), _aad(header))
    document = {**header, "nonce": nonce.hex(), "sealed": sealed.hex()}
    return json.dumps(document, indent=1).encode() + b"\n"
