"""What the rest of cityid may know about keys: opaque ids and operations, never material.

The keystore backends (`local`, `pkcs11`) implement `Keystore`. Every other module
receives a `Keystore`, a `Signer` or a `KeyedHasher` and never sees key bytes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal, Protocol

KeyKind = Literal["cohort", "keyed-hash", "signing"]
KeyState = Literal["active", "retired", "destroyed"]


@dataclass(frozen=True)
class KeyInfo:
    """What `cityid keys list` shows: ids, kinds, dates and purpose; never material."""

    key_id: str
    kind: KeyKind
    purpose: str  # cohort: "document_copy/2016-12"; keyed-hash: "match"; signing: "card-issuer"
    state: KeyState
    created_at: dt.datetime
    destroyed_at: dt.datetime | None = None
    algorithm: str = ""


class Signer(Protocol):
    """Signs with one private key that stays in the keystore."""

    @property
    def key_id(self) -> str: ...

    @property
    def algorithm(self) -> str:  # "Ed25519" (or "ECDSA-P256" on an HSM without EdDSA)
        ...

    def sign(self, message: bytes) -> bytes: ...

    def public_key_raw(self) -> bytes:
        """The raw public key (32 bytes for Ed25519)."""
        ...


class KeyedHasher(Protocol):
    """HMAC-SHA-256 under one keyed-hash key, for blind indexes, tokens and encodings."""

    @property
    def key_id(self) -> str: ...

    def digest(self, message: bytes) -> bytes: ...
