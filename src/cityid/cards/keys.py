"""The issuer public keys a verifier trusts, parsed once and kept ready to verify.

Accepts the COSE_KeySet the program publishes (`cityid.crypto.public_keys.cose_key_set`)
or plain `(key id, raw Ed25519 public key)` pairs. Keys retired by a rotation stay in the
set, so cards signed before the rotation keep verifying.

A key is accepted as `cryptography` accepts a raw Ed25519 public key; signatures are
checked with libsodium (PyNaCl), whose Ed25519 verify is about twice as fast as
OpenSSL's here and is most of a card's verification. libsodium is the stricter of the two
(it also refuses small-order keys and R values, which no honest signer makes), so for the
program's own keys both accept exactly the same signatures; the tests check them against
each other.
"""

from __future__ import annotations

from collections.abc import Iterable

import cbor2
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from nacl.exceptions import BadSignatureError
from nacl.signing import VerifyKey
from pycose.keys import CoseKey
from pycose.keys.curves import Ed25519
from pycose.keys.okp import OKPKey

from cityid.errors import BadInput


class BadKeySet(BadInput):
    code = "bad_key_set"


class IssuerKeys:
    """Trusted issuer keys by key id (the bytes a COSE protected header carries)."""

    def __init__(self, keys: Iterable[tuple[bytes | str, bytes]]) -> None:
        self._keys: dict[bytes, VerifyKey] = {}
        for key_id, raw in keys:
            kid = key_id.encode() if isinstance(key_id, str) else bytes(key_id)
            try:
                Ed25519PublicKey.from_public_bytes(raw)  # what counts as a key: unchanged
                self._keys[kid] = VerifyKey(bytes(raw))
            except ValueError as exc:
                raise BadKeySet("an issuer key is not a raw Ed25519 public key") from exc

    @classmethod
    def from_cose_key_set(cls, data: bytes) -> IssuerKeys:
        """Parse a COSE_KeySet (a CBOR array of COSE_Key maps) with pycose."""
        try:
            entries = cbor2.loads(data)
        except Exception as exc:  # a file a verifier was handed: any failure is bad input
            raise BadKeySet("the key set is not CBOR") from exc
        if not isinstance(entries, list):
            raise BadKeySet("a COSE_KeySet is a CBOR array")
        pairs: list[tuple[bytes, bytes]] = []
        for entry in entries:
            try:
                key: CoseKey = CoseKey.from_dict(dict(entry))
            except Exception as exc:
                raise BadKeySet("an entry of the key set is not a COSE_Key") from exc
            if not (isinstance(key, OKPKey) and key.crv is Ed25519 and key.kid and key.x):
                continue  # other algorithms are not ours to verify with
            pairs.append((bytes(key.kid), bytes(key.x)))
        return cls(pairs)

    def __contains__(self, key_id: bytes) -> bool:
        return key_id in self._keys

    def __len__(self) -> int:
        return len(self._keys)

    def key_ids(self) -> list[bytes]:
        return list(self._keys)

    def verify(self, key_id: bytes, signature: bytes, message: bytes) -> bool:
        """True when `signature` over `message` verifies under the key `key_id`."""
        key = self._keys.get(key_id)
        if key is None or len(signature) != 64:  # PyNaCl raises ValueError on other lengths
            return False
        try:
            key.verify(message, signature)
        except BadSignatureError:
            return False
        return True
