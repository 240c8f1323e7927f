"""Issuer public keys for offline verifiers: a COSE_KeySet (RFC 9052) and a JWK Set.

Active and retired keys are both exported, so cards signed before a rotation keep
verifying. The key id (`kid`) is the keystore key id; in COSE it is its UTF-8 bytes,
which is also what a COSE_Sign1 protected header must carry (see `kid_bytes`).
"""

from __future__ import annotations

import base64
import datetime as dt
from typing import Any

import cbor2
from pycose.algorithms import EdDSA
from pycose.keys.curves import Ed25519
from pycose.keys.keyops import VerifyOp
from pycose.keys.keyparam import KpAlg, KpKeyOps, KpKid, KpKty, OKPKpCurve, OKPKpX
from pycose.keys.keytype import KtyOKP

from cityid.crypto.keystore import Keystore, PublicKey
from cityid.vocabulary import ISSUER_PURPOSE


def kid_bytes(key_id: str) -> bytes:
    return key_id.encode()


def _exportable(keystore: Keystore, purpose: str) -> list[PublicKey]:
    return [k for k in keystore.public_keys(purpose) if k.algorithm == "Ed25519"]


def cose_key(key: PublicKey) -> dict[int, Any]:
    """One COSE_Key map: kty OKP, crv Ed25519, x, kid, alg EdDSA, key_ops verify."""
    return {
        KpKty.identifier: KtyOKP.identifier,
        KpKid.identifier: kid_bytes(key.key_id),
        KpAlg.identifier: EdDSA.identifier,
        KpKeyOps.identifier: [VerifyOp.identifier],
        OKPKpCurve.identifier: Ed25519.identifier,
        OKPKpX.identifier: key.public_key,
    }


def cose_key_set(keystore: Keystore, purpose: str = ISSUER_PURPOSE) -> bytes:
    """CBOR of a COSE_KeySet: an array of COSE_Key maps."""
    return cbor2.dumps([cose_key(k) for k in _exportable(keystore, purpose)], canonical=True)


def jwk(key: PublicKey) -> dict[str, Any]:
    x = base64.urlsafe_b64encode(key.public_key).rstrip(b"=").decode()
    return {"kty": "OKP", "crv": "Ed25519", "x": x, "kid": key.key_id, "alg": "EdDSA",
            "use": "sig"}  # fmt: skip


def _epoch(moment: dt.datetime) -> int:
    return int(moment.timestamp())


def jwk_set(
    keystore: Keystore, purpose: str = ISSUER_PURPOSE, *, verify_for: dt.timedelta | None = None
) -> dict[str, list[dict[str, Any]]]:
    """A JWK Set (RFC 7517) with each key's validity in seconds since the epoch: `nbf`
    when it began to sign; for a retired key, `signed_until` (when its successor took
    over) and `exp` = that + `verify_for` (the longest a card lives), after which no card
    it signed can still be in force. An active key has no `exp` yet."""
    keys = _exportable(keystore, purpose)
    out: list[dict[str, Any]] = []
    for position, key in enumerate(keys):
        entry = jwk(key)
        if key.created_at is not None:
            entry["nbf"] = _epoch(key.created_at)
        successor = keys[position + 1] if position + 1 < len(keys) else None
        if key.state == "retired" and successor is not None and successor.created_at:
            entry["signed_until"] = _epoch(successor.created_at)
            if verify_for is not None:
                entry["exp"] = _epoch(successor.created_at + verify_for)
        out.append(entry)
    return {"keys": out}
