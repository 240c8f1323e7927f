"""Encryption of record fields: the recipe every service uses.

Each record has its own 32-byte data key, wrapped by its cohort key (`SealedKey`) and
stored beside the ciphertexts. Each field is sealed with AES-256-GCM under the data key;
the associated data binds the ciphertext to the format version, the record id and the
field name, so a ciphertext copied to another record or field fails as `Tampered`.
Destroying the cohort key makes every copy of the record unreadable (`KeyDestroyed`).

Blob formats (both start with a version byte so the format can evolve):
- sealed field: 0x01 || 12-byte nonce || ciphertext || 16-byte tag
- wrapped data key: see the keystore (0x01 || nonce || ciphertext || tag)

Use one `RecordSealer` per operation (a request, a batch chunk): it unwraps each record's
data key once and forgets them all when closed.
"""

from __future__ import annotations

import os
import struct
from collections.abc import Iterable
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from cityid.crypto.errors import BadKeyUse, Tampered
from cityid.crypto.keystore import Keystore

FIELD_FORMAT_VERSION = 1
DATA_KEY_BYTES = 32
_NONCE_BYTES = 12


@dataclass(frozen=True)
class SealedKey:
    """What the database stores for a record: the cohort key id and the wrapped data key."""

    cohort_key_id: str
    wrapped: bytes


@dataclass(frozen=True)
class OpenedKey:
    """A record's data key, unwrapped for the length of one operation. Never store it."""

    record_id: str
    cohort_key_id: str
    _data_key: bytes = field(repr=False)


def record_key_aad(record_id: str) -> bytes:
    """Associated data of a record's wrapped data key: the key belongs to this record only."""
    return _encode_parts(b"cityid-record-key", b"%d" % FIELD_FORMAT_VERSION, record_id.encode())


def _field_aad(version: int, record_id: str, field_name: str) -> bytes:
    head = _FIELD_AAD_HEADS.get(version)
    if head is None:
        head = _encode_parts(b"cityid-field", b"%d" % version)
    # The same bytes as _encode_parts over all four parts; the head is the same each time.
    return head + _encode_parts(record_id.encode(), field_name.encode())


def _encode_parts(*parts: bytes) -> bytes:
    # Length-prefixed, so ("ab", "c") and ("a", "bc") can never give the same bytes.
    return b"".join(struct.pack(">I", len(p)) + p for p in parts)


_FIELD_AAD_HEADS = {
    FIELD_FORMAT_VERSION: _encode_parts(b"cityid-field", b"%d" % FIELD_FORMAT_VERSION)
}


def new_record_key(keystore: Keystore, record_class: str, period: str, record_id: str) -> SealedKey:
    """A fresh data key for a record, wrapped under the active key of its cohort."""
    return _fresh_record_key(keystore, record_class, period, record_id)[0]


def _fresh_record_key(
    keystore: Keystore, record_class: str, period: str, record_id: str
) -> tuple[SealedKey, OpenedKey]:
    data_key = os.urandom(DATA_KEY_BYTES)
    cohort_key_id = keystore.ensure_cohort_key(record_class, period)
    wrapped = keystore.wrap(cohort_key_id, data_key, record_key_aad(record_id))
    return SealedKey(cohort_key_id, wrapped), OpenedKey(record_id, cohort_key_id, data_key)


def open_record_key(keystore: Keystore, sealed: SealedKey, record_id: str) -> OpenedKey:
    data_key = keystore.unwrap(sealed.cohort_key_id, sealed.wrapped, record_key_aad(record_id))
    return OpenedKey(record_id, sealed.cohort_key_id, data_key)


def seal_field(key: OpenedKey, record_id: str, field_name: str, plaintext: bytes) -> bytes:
    _same_record(key, record_id)
    nonce = os.urandom(_NONCE_BYTES)
    aad = _field_aad(FIELD_FORMAT_VERSION, record_id, field_name)
    ciphertext = AESGCM(key._data_key).encrypt(nonce, plaintext, aad)
    return bytes([FIELD_FORMAT_VERSION]) + nonce + ciphertext


def open_field(key: OpenedKey, record_id: str, field_name: str, blob: bytes) -> bytes:
    _same_record(key, record_id)
    if len(blob) < 1 + _NONCE_BYTES + 16 or blob[0] != FIELD_FORMAT_VERSION:
        raise Tampered(f"field {field_name!r} of record {record_id} is malformed")
    nonce = blob[1 : 1 + _NONCE_BYTES]
    aad = _field_aad(blob[0], record_id, field_name)
    try:
        return AESGCM(key._data_key).decrypt(nonce, blob[1 + _NONCE_BYTES :], aad)
    except InvalidTag:
        raise Tampered(
            f"field {field_name!r} of record {record_id} failed authentication "
            "(altered, or copied from another record or field)"
        ) from None


def rewrap(
    keystore: Keystore, sealed: SealedKey, record_id: str, new_cohort_key_id: str
) -> SealedKey:
    """The same data key, wrapped under another cohort key (fields stay as they are)."""
    opened = open_record_key(keystore, sealed, record_id)
    wrapped = keystore.wrap(new_cohort_key_id, opened._data_key, record_key_aad(record_id))
    return SealedKey(new_cohort_key_id, wrapped)


def rekey_records(
    keystore: Keystore, old_cohort_key_id: str, survivors: Iterable[tuple[str, SealedKey]]
) -> tuple[str, dict[str, SealedKey]]:
    """Move survivors (record id, sealed key) of a cohort to a fresh cohort key.

    Store the returned sealed keys, commit, and only then `keystore.destroy(old)`.
    """
    items = list(survivors)
    for record_id, sealed in items:
        if sealed.cohort_key_id != old_cohort_key_id:
            raise BadKeyUse(f"record {record_id} is not under cohort key {old_cohort_key_id}")
    new_key_id, wrapped = keystore.rekey(
        old_cohort_key_id, [(s.wrapped, record_key_aad(rid)) for rid, s in items]
    )
    return new_key_id, {
        rid: SealedKey(new_key_id, w) for (rid, _), w in zip(items, wrapped, strict=True)
    }


class RecordKeyBatch:
    """Fresh record keys for many records at once, for bulk work such as an import.

    Each cohort's active key is looked up once and every data key of a cohort is wrapped
    in one keystore call. Fields are sealed with the `OpenedKey` straight away; `wrap()`
    then gives each record's `SealedKey` for its row. Nothing is cached past the batch.

        batch = RecordKeyBatch(keystore)
        opened = batch.new_key("document_copy", "2016-03", copy_id)
        blob = seal_field(opened, copy_id, "image", scan)
        sealed = batch.wrap()  # {copy_id: SealedKey}
    """

    def __init__(self, keystore: Keystore) -> None:
        self.keystore = keystore
        self._cohort_keys: dict[tuple[str, str], str] = {}
        self._pending: dict[str, list[OpenedKey]] = {}

    def new_key(self, record_class: str, period: str, record_id: str) -> OpenedKey:
        cohort_key_id = self._cohort_keys.get((record_class, period))
        if cohort_key_id is None:
            cohort_key_id = self.keystore.ensure_cohort_key(record_class, period)
            self._cohort_keys[(record_class, period)] = cohort_key_id
        opened = OpenedKey(record_id, cohort_key_id, os.urandom(DATA_KEY_BYTES))
        self._pending.setdefault(cohort_key_id, []).append(opened)
        return opened

    def discard(self, record_ids: Iterable[str]) -> None:
        """Forget keys made for records that will not be stored after all."""
        dropped = set(record_ids)
        for cohort_key_id, keys in self._pending.items():
            self._pending[cohort_key_id] = [k for k in keys if k.record_id not in dropped]

    def wrap(self) -> dict[str, SealedKey]:
        """Every pending key wrapped by its cohort key; the batch starts afresh afterwards."""
        sealed: dict[str, SealedKey] = {}
        for cohort_key_id, keys in self._pending.items():
            wrapped = self.keystore.wrap_many(
                cohort_key_id, [(k._data_key, record_key_aad(k.record_id)) for k in keys]
            )
            for key, blob in zip(keys, wrapped, strict=True):
                sealed[key.record_id] = SealedKey(cohort_key_id, blob)
        self._pending.clear()
        self._cohort_keys.clear()  # the next batch sees rotations made meanwhile
        return sealed


def _same_record(key: OpenedKey, record_id: str) -> None:
    if key.record_id != record_id:
        raise BadKeyUse(f"this data key belongs to record {key.record_id}, not {record_id}")


class RecordSealer:
    """One operation's sealing: unwraps each record key once, forgets them on close.

    with RecordSealer(keystore) as sealer:
        sealed = sealer.new_record_key("application", "2016-12", app_id)
        blob = sealer.seal_field(sealed, app_id, "family_name", b"...")
    """

    def __init__(self, keystore: Keystore) -> None:
        self.keystore = keystore
        self._opened: dict[tuple[str, str, bytes], OpenedKey] = {}
        self.unwraps = 0  # how many times the keystore was asked; for tests and benches

    def __enter__(self) -> RecordSealer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._opened.clear()

    def new_record_key(self, record_class: str, period: str, record_id: str) -> SealedKey:
        sealed, opened = _fresh_record_key(self.keystore, record_class, period, record_id)
        self._opened[(record_id, sealed.cohort_key_id, sealed.wrapped)] = opened
        return sealed

    def open_key(self, key: SealedKey | OpenedKey, record_id: str) -> OpenedKey:
        if isinstance(key, OpenedKey):
            _same_record(key, record_id)
            return key
        cache_key = (record_id, key.cohort_key_id, key.wrapped)
        opened = self._opened.get(cache_key)
        if opened is None:
            self.unwraps += 1
            opened = open_record_key(self.keystore, key, record_id)
            self._opened[cache_key] = opened
        return opened

    def seal_field(
        self, key: SealedKey | OpenedKey, record_id: str, field_name: str, plaintext: bytes
    ) -> bytes:
        return seal_field(self.open_key(key, record_id), record_id, field_name, plaintext)

    def open_field(
        self, key: SealedKey | OpenedKey, record_id: str, field_name: str, blob: bytes
    ) -> bytes:
        return open_field(self.open_key(key, record_id), record_id, field_name, blob)

    def rewrap(self, sealed: SealedKey, record_id: str, new_cohort_key_id: str) -> SealedKey:
        opened = self.open_key(sealed, record_id)
        wrapped = self.keystore.wrap(new_cohort_key_id, opened._data_key, record_key_aad(record_id))
        return SealedKey(new_cohort_key_id, wrapped)
