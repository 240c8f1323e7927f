"""The keystore: every long-lived key of cityid, reached only through opaque key ids.

`Keystore` holds the rules every backend shares (which key is active for a cohort or a
purpose, rotation, re-keying, destruction bookkeeping). A backend (`local`, `pkcs11`)
supplies storage of key metadata and the operations on key material.

Key kinds and purposes:
- cohort keys, purpose "RECORD_CLASS/PERIOD": AES-256-GCM key-wrapping keys for per-record
  data keys. Destroying one makes every record of the cohort unreadable everywhere.
- keyed-hash keys, purpose such as "blind-index", "document-token", "match": HMAC-SHA-256.
- signing keys, purpose "card-issuer" or "audit-checkpoint": Ed25519.
"""

from __future__ import annotations

import abc
import datetime as dt
import re
import secrets
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager, suppress
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from cityid.crypto.errors import BadKeyUse, KeyDestroyed, UnknownKey
from cityid.crypto.interfaces import KeyedHasher, KeyInfo, KeyKind, KeyState, Signer
from cityid.errors import CityIdError
from cityid.vocabulary import SIGNING_PURPOSES

WRAP_FORMAT_VERSION = 1
_NAME_RE = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")
_ID_PREFIX: dict[KeyKind, str] = {"cohort": "coh", "keyed-hash": "kh", "signing": "sig"}


class PublicKey(NamedTuple):
    key_id: str
    algorithm: str
    public_key: bytes  # raw: 32 bytes for Ed25519
    state: KeyState
    created_at: dt.datetime | None = None  # when it began to sign


@dataclass
class KeyEntry:
    """One key's record inside a backend. `material` is only used by the local backend."""

    key_id: str
    kind: KeyKind
    purpose: str
    state: KeyState
    created_at: dt.datetime
    algorithm: str
    destroyed_at: dt.datetime | None = None
    public_key: bytes | None = None
    material: bytes | None = field(default=None, repr=False)

    def info(self) -> KeyInfo:
        return KeyInfo(
            key_id=self.key_id,
            kind=self.kind,
            purpose=self.purpose,
            state=self.state,
            created_at=self.created_at,
            destroyed_at=self.destroyed_at,
            algorithm=self.algorithm,
        )

    def to_json(self, *, with_material: bool) -> dict[str, Any]:
        out: dict[str, Any] = {
            "key_id": self.key_id,
            "kind": self.kind,
            "purpose": self.purpose,
            "state": self.state,
            "created_at": self.created_at.isoformat(),
            "algorithm": self.algorithm,
            "destroyed_at": self.destroyed_at.isoformat() if self.destroyed_at else None,
            "public_key": self.public_key.hex() if self.public_key is not None else None,
        }
        if with_material and self.material is not None:
            out["material"] = self.material.hex()
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> KeyEntry:
        destroyed = data.get("destroyed_at")
        public = data.get("public_key")
        material = data.get("material")
        return cls(
            key_id=data["key_id"],
            kind=data["kind"],
            purpose=data["purpose"],
            state=data["state"],
            created_at=dt.datetime.fromisoformat(data["created_at"]),
            algorithm=data["algorithm"],
            destroyed_at=dt.datetime.fromisoformat(destroyed) if destroyed else None,
            public_key=bytes.fromhex(public) if public else None,
            material=bytes.fromhex(material) if material else None,
        )


Entries = dict[str, KeyEntry]


def cohort_purpose(record_class: str, period: str) -> str:
    for name, value in (("record class", record_class), ("period", period)):
        if not _NAME_RE.match(value):
            raise BadKeyUse(f"{name} must be 1-64 letters, digits or ._:- characters")
    return f"{record_class}/{period}"


def wrap_aad(key_id: str, aad: bytes) -> bytes:
    """Associated data of a key wrap: binds the wrap to the key id and the caller's context."""
    kid = key_id.encode()
    return b"cityid-wrap\x00%d\x00%d\x00" % (WRAP_FORMAT_VERSION, len(kid)) + kid + aad


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Keystore(abc.ABC):
    """All long-lived keys. Callers see key ids, wrapped bytes, signers and hashers only."""

    backend: str = ""

    # ---- what a backend supplies -------------------------------------------------------

    @abc.abstractmethod
    def _entries(self) -> Entries:
        """A current snapshot of all key entries (read-only for the caller)."""

    @abc.abstractmethod
    def _update(self) -> AbstractContextManager[Entries]:
        """Exclusive, cross-process: lock, re-read, yield entries to modify, persist on exit."""

    @abc.abstractmethod
    def _generate(self, entry: KeyEntry) -> None:
        """Create the material for a new entry (fills `material` or `public_key`)."""

    @abc.abstractmethod
    def _erase(self, entry: KeyEntry) -> None:
        """Remove the entry's secret material for good."""

    @abc.abstractmethod
    def _wrap(self, entry: KeyEntry, data_key: bytes, aad: bytes) -> bytes: ...

    @abc.abstractmethod
    def _unwrap(self, entry: KeyEntry, wrapped: bytes, aad: bytes) -> bytes: ...

    @abc.abstractmethod
    def _hasher(self, entry: KeyEntry) -> KeyedHasher: ...

    @abc.abstractmethod
    def _signer(self, entry: KeyEntry) -> Signer: ...

    def close(self) -> None:  # noqa: B027 (optional hook: not every backend holds sessions)
        """Release sessions and forget cached material. The keystore is unusable after."""

    def __enter__(self) -> Keystore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} backend={self.backend!r}>"

    # ---- cohort keys -------------------------------------------------------------------

    def ensure_cohort_key(self, record_class: str, period: str) -> str:
        """The active cohort key id for (record_class, period), created if there is none."""
        purpose = cohort_purpose(record_class, period)
        return self._ensure("cohort", purpose)

    def cohort_key(self, record_class: str, period: str) -> str | None:
        purpose = cohort_purpose(record_class, period)
        active = _active(self._entries(), "cohort", purpose)
        return active.key_id if active else None

    def rotate_cohort(self, record_class: str, period: str) -> str:
        """Retire the cohort's active key (it still unwraps) and make a new active one."""
        return self._rotate("cohort", cohort_purpose(record_class, period))

    def wrap(self, key_id: str, data_key: bytes, aad: bytes) -> bytes:
        return self.wrap_many(key_id, [(data_key, aad)])[0]

    def wrap_many(self, key_id: str, items: Iterable[tuple[bytes, bytes]]) -> list[bytes]:
        """`wrap` for many (data key, aad) pairs under one key: one look-up of the key."""
        entry = self._live(key_id, "cohort")
        wrapped = []
        for data_key, aad in items:
            if not 16 <= len(data_key) <= 64:
                raise BadKeyUse("a data key must be 16 to 64 bytes")
            wrapped.append(self._wrap(entry, data_key, wrap_aad(key_id, aad)))
        return wrapped

    def unwrap(self, key_id: str, wrapped: bytes, aad: bytes) -> bytes:
        """The data key; `Tampered` if `wrapped` or `aad` changed, `KeyDestroyed` if gone."""
        entry = self._live(key_id, "cohort")
        return self._unwrap(entry, wrapped, wrap_aad(key_id, aad))

    def rekey(
        self, old_key_id: str, wrapped_items: Iterable[tuple[bytes, bytes]]
    ) -> tuple[str, list[bytes]]:
        """Move chosen survivors' data keys from `old_key_id` to a fresh key of its cohort.

        Returns the new key id and the new wrapped keys, in input order. The caller stores
        them (commits) and only then calls `destroy(old_key_id)`: doing both here would
        lose the survivors if the process died between the two steps.
        """
        old = self._live(old_key_id, "cohort")
        items = list(wrapped_items)
        data_keys = [(self._unwrap(old, w, wrap_aad(old_key_id, aad)), aad) for w, aad in items]
        with self._changing() as (entries, add):
            current = _get(entries, old_key_id)
            was_active = current.state == "active"
            current.state = "retired"
            new = add("cohort", current.purpose)
            if not was_active:
                new.state = "retired"  # the cohort already has another active key
        rewrapped = [self._wrap(new, key, wrap_aad(new.key_id, aad)) for key, aad in data_keys]
        return new.key_id, rewrapped

    # ---- all kinds ---------------------------------------------------------------------

    def destroy(self, key_id: str) -> None:
        """Erase the key's material; a tombstone (id, kind, purpose, dates) remains.

        Idempotent, so an interrupted destruction can simply be run again.
        """
        with self._update() as entries:
            entry = _get(entries, key_id)
            if entry.state == "destroyed":
                return
            self._erase(entry)
            entry.material = None
            entry.state = "destroyed"
            entry.destroyed_at = utcnow()

    def list_keys(self) -> list[KeyInfo]:
        entries = self._entries().values()
        return [e.info() for e in sorted(entries, key=lambda e: (e.created_at, e.key_id))]

    def info(self, key_id: str) -> KeyInfo:
        return _get(self._entries(), key_id).info()

    # ---- keyed hashes ------------------------------------------------------------------

    def keyed_hasher(self, purpose: str) -> KeyedHasher:
        """The active HMAC-SHA-256 hasher for a purpose, creating its key on first use."""
        _check_name(purpose)
        key_id = self._ensure("keyed-hash", purpose)
        return self._hasher(self._live(key_id, "keyed-hash"))

    def keyed_hasher_by_id(self, key_id: str) -> KeyedHasher:
        """A hasher for an older (retired) key, to recognise tokens made before a rotation."""
        return self._hasher(self._live(key_id, "keyed-hash"))

    def rotate_keyed_hash(self, purpose: str) -> str:
        _check_name(purpose)
        return self._rotate("keyed-hash", purpose)

    # ---- signing -----------------------------------------------------------------------

    def signer(self, purpose: str) -> Signer:
        """The active signer for "card-issuer" or "audit-checkpoint", created on first use."""
        _check_signing_purpose(purpose)
        key_id = self._ensure("signing", purpose)
        return self._signer(self._live(key_id, "signing"))

    def rotate_signing(self, purpose: str) -> str:
        """New active signing key; the old one is retired and its public key stays listed."""
        _check_signing_purpose(purpose)
        return self._rotate("signing", purpose)

    def public_keys(self, purpose: str) -> list[PublicKey]:
        """Active and retired public keys of a purpose, oldest first; destroyed ones left out."""
        _check_signing_purpose(purpose)
        entries = sorted(self._entries().values(), key=lambda e: (e.created_at, e.key_id))
        return [
            PublicKey(e.key_id, e.algorithm, e.public_key, e.state, e.created_at)
            for e in entries
            if e.kind == "signing"
            and e.purpose == purpose
            and e.state != "destroyed"
            and e.public_key is not None
        ]

    # ---- shared mechanics --------------------------------------------------------------

    def _algorithm(self, kind: KeyKind) -> str:
        return {"cohort": "AES-256-GCM", "keyed-hash": "HMAC-SHA-256", "signing": "Ed25519"}[kind]

    def _new_entry(self, kind: KeyKind, purpose: str) -> KeyEntry:
        return KeyEntry(
            key_id=f"{_ID_PREFIX[kind]}-{secrets.token_hex(10)}",
            kind=kind,
            purpose=purpose,
            state="active",
            created_at=utcnow(),
            algorithm=self._algorithm(kind),
        )

    def _ensure(self, kind: KeyKind, purpose: str) -> str:
        found = _active(self._entries(), kind, purpose)
        if found is not None:
            return found.key_id
        with self._changing() as (entries, add):
            found = _active(entries, kind, purpose)  # another process may have won the race
            if found is not None:
                return found.key_id
            return add(kind, purpose).key_id

    def _rotate(self, kind: KeyKind, purpose: str) -> str:
        with self._changing() as (entries, add):
            for entry in _matching(entries, kind, purpose):
                if entry.state == "active":
                    entry.state = "retired"
            return add(kind, purpose).key_id

    @contextmanager
    def _changing(self) -> Iterator[tuple[Entries, Callable[[KeyKind, str], KeyEntry]]]:
        """`_update` plus `add(kind, purpose)` for new keys, which are erased again if the
        change is not saved (a full disk, say), so no orphan material is left behind."""
        created: list[KeyEntry] = []
        try:
            with self._update() as entries:

                def add(kind: KeyKind, purpose: str) -> KeyEntry:
                    entry = self._new_entry(kind, purpose)
                    self._generate(entry)
                    created.append(entry)
                    entries[entry.key_id] = entry
                    return entry

                yield entries, add
        except BaseException:
            for entry in created:
                with suppress(CityIdError):
                    self._erase(entry)
            raise

    def _live(self, key_id: str, kind: KeyKind) -> KeyEntry:
        entry = _get(self._entries(), key_id)
        if entry.kind != kind:
            raise BadKeyUse(f"key {key_id} is a {entry.kind} key, not a {kind} key")
        if entry.state == "destroyed":
            raise KeyDestroyed(f"key {key_id} was destroyed")
        return entry


def _get(entries: Entries, key_id: str) -> KeyEntry:
    try:
        return entries[key_id]
    except KeyError:
        raise UnknownKey(f"no key {key_id!r} in the keystore") from None


def _matching(entries: Entries, kind: KeyKind, purpose: str) -> Iterator[KeyEntry]:
    return (e for e in entries.values() if e.kind == kind and e.purpose == purpose)


def _active(entries: Entries, kind: KeyKind, purpose: str) -> KeyEntry | None:
    # Newest active wins, so every process agrees even if a race ever left two.
    active = [e for e in _matching(entries, kind, purpose) if e.state == "active"]
    return max(active, key=lambda e: (e.created_at, e.key_id)) if active else None


def _check_name(purpose: str) -> None:
    if not _NAME_RE.match(purpose):
        raise BadKeyUse("a purpose must be 1-64 letters, digits or ._:- characters")


def _check_signing_purpose(purpose: str) -> None:
    if purpose not in SIGNING_PURPOSES:
        raise BadKeyUse(f"signing purpose must be one of {', '.join(SIGNING_PURPOSES)}")
