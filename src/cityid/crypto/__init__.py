"""Keys and encryption at rest. Other modules use this API and never see key material."""

from cityid.crypto.errors import (
    BadKeyUse,
    KeyDestroyed,
    KeystoreError,
    Tampered,
    UnknownKey,
    WrongPassphrase,
    WrongPin,
)
from cityid.crypto.interfaces import KeyedHasher, KeyInfo, Signer
from cityid.crypto.keystore import SIGNING_PURPOSES, Keystore, PublicKey
from cityid.crypto.open import create_keystore, detect_backend, open_keystore
from cityid.crypto.public_keys import cose_key_set, jwk_set, kid_bytes
from cityid.crypto.sealing import (
    OpenedKey,
    RecordSealer,
    SealedKey,
    new_record_key,
    open_field,
    open_record_key,
    record_key_aad,
    rekey_records,
    rewrap,
    seal_field,
)

__all__ = [
    "SIGNING_PURPOSES",
    "BadKeyUse",
    "KeyDestroyed",
    "KeyInfo",
    "KeyedHasher",
    "Keystore",
    "KeystoreError",
    "OpenedKey",
    "PublicKey",
    "RecordSealer",
    "SealedKey",
    "Signer",
    "Tampered",
    "UnknownKey",
    "WrongPassphrase",
    "WrongPin",
    "cose_key_set",
    "create_keystore",
    "detect_backend",
    "jwk_set",
    "kid_bytes",
    "new_record_key",
    "open_field",
    "open_keystore",
    "open_record_key",
    "record_key_aad",
    "rekey_records",
    "rewrap",
    "seal_field",
]
