"""In-process cryptography shared by the backends: AES-GCM key wrap, HMAC, Ed25519."""

from __future__ import annotations

import hmac
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)

from cityid.crypto.errors import Tampered

WRAP_VERSION = 1
NONCE_BYTES = 12
TAG_BYTES = 16


def split_wrapped(wrapped: bytes) -> tuple[bytes, bytes]:
    """(nonce, ciphertext with tag) of a wrapped key: version byte, 12-byte nonce, rest."""
    if len(wrapped) < 1 + NONCE_BYTES + TAG_BYTES or wrapped[0] != WRAP_VERSION:
        raise Tampered("wrapped key is malformed or of an unknown format version")
    return wrapped[1 : 1 + NONCE_BYTES], wrapped[1 + NONCE_BYTES :]


def join_wrapped(nonce: bytes, ciphertext: bytes) -> bytes:
    return bytes([WRAP_VERSION]) + nonce + ciphertext


def aes_gcm_wrap(key: bytes, data_key: bytes, aad: bytes) -> bytes:
    nonce = os.urandom(NONCE_BYTES)
    return join_wrapped(nonce, AESGCM(key).encrypt(nonce, data_key, aad))


def aes_gcm_unwrap(key: bytes, wrapped: bytes, aad: bytes) -> bytes:
    nonce, ciphertext = split_wrapped(wrapped)
    try:
        return AESGCM(key).decrypt(nonce, ciphertext, aad)
    except InvalidTag:
        raise Tampered("wrapped key failed authentication (altered or moved)") from None


class HmacHasher:
    """HMAC-SHA-256 in process memory: about a microsecond a digest."""

    __slots__ = ("_key", "_key_id")

    def __init__(self, key_id: str, key: bytes) -> None:
        self._key_id = key_id
        self._key = key

    @property
    def key_id(self) -> str:
        return self._key_id

    def digest(self, message: bytes) -> bytes:
        return hmac.digest(self._key, message, "sha256")

    def __repr__(self) -> str:
        return f"<HmacHasher key_id={self._key_id!r}>"


class Ed25519Signer:
    __slots__ = ("_key", "_key_id")

    def __init__(self, key_id: str, private_raw: bytes) -> None:
        self._key_id = key_id
        self._key = Ed25519PrivateKey.from_private_bytes(private_raw)

    @property
    def key_id(self) -> str:
        return self._key_id

    @property
    def algorithm(self) -> str:
        return "Ed25519"

    def sign(self, message: bytes) -> bytes:
        return self._key.sign(message)

    def public_key_raw(self) -> bytes:
        return self._key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)

    def __repr__(self) -> str:
        return f"<Ed25519Signer key_id={self._key_id!r}>"


def new_ed25519() -> tuple[bytes, bytes]:
    """(private raw, public raw) of a fresh Ed25519 key pair."""
    key = Ed25519PrivateKey.generate()
    private = key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    public = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return private, public
