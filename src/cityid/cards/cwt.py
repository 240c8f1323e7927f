"""Signed CBOR Web Tokens (RFC 8392) as COSE_Sign1 (RFC 9052), through pycose.

Both the card credential and the status list token are CWTs signed by the issuer. The
private key never leaves the keystore: pycose builds the Sig_structure, the keystore's
`Signer` signs it, and pycose assembles the message. Decoding uses pycose too, behind a
small shim: cbor2 6 decodes the contents of a tag as immutable (tuple, frozendict),
which pycose 1.1's `CoseMessage.decode` rejects, so we unwrap the tags here and hand
pycose a plain list.

Decoding is on every card's verification path, so the protected header (the same bytes
on every card one key signed) is parsed by pycose once and kept (`_protected_header`,
bounded); the Sig_structure is pycose's own, for that header and an empty payload, with
the payload's CBOR put in place of the empty one. A token with an unprotected header
takes pycose's whole path. Both give the same answer (tests compare them).

Wire form: a bare `18([...])` (COSE_Sign1), as Claim 169 readers expect. Cards printed
before version 0.9 wrapped it in the CWT tag `61(...)`; `decode_signed` still accepts that
form so those cards keep verifying, but nothing here writes it any more.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import cbor2
from pycose.algorithms import EdDSA
from pycose.headers import KID, Algorithm
from pycose.messages import Sign1Message

from cityid.crypto.interfaces import Signer
from cityid.errors import BadInput, ConfigError

CWT_TAG = 61  # only read: cards printed before 0.9 carry it
COSE_SIGN1_TAG = 18
TYPE_HEADER = 16  # COSE "typ" (RFC 9596); pycose 1.1 has no class for it
_MAX_CBOR_DEPTH = 16
# What cbor2 decodes a CBOR map / array to (immutable inside tags). Concrete types, as an
# isinstance check against the Mapping ABC costs more than the rest of a verification.
CBOR_MAPS = (dict, cbor2.frozendict)
CBOR_ARRAYS = (list, tuple)


class MalformedToken(BadInput):
    """The bytes are not a well-formed signed CWT (or not one this program issues)."""

    code = "malformed"


@dataclass(frozen=True)
class SignedToken:
    """A decoded COSE_Sign1, signature not yet checked."""

    key_id: bytes
    to_be_signed: bytes  # the Sig_structure, as pycose builds it
    signature: bytes
    payload: bytes
    protected: Mapping[Any, Any]


def sign_cwt(
    claims: Mapping[Any, Any],
    signer: Signer,
    *,
    extra_protected: Mapping[int, Any] | None = None,
) -> bytes:
    """Sign `claims` (a CWT claims map) as a tagged COSE_Sign1, `18([...])`, with EdDSA
    and the key id protected. No CWT tag 61 around it: Claim 169 readers reject that."""
    if signer.algorithm != "Ed25519":
        raise ConfigError(
            f"card signing needs an Ed25519 key; key {signer.key_id} is {signer.algorithm}"
        )
    protected: dict[Any, Any] = {Algorithm: EdDSA, KID: signer.key_id.encode()}
    protected.update(extra_protected or {})
    message = Sign1Message(phdr=protected, payload=cbor2.dumps(claims, canonical=True))
    # pycose only signs with key bytes; ask it for the exact bytes to sign instead.
    message.signature = signer.sign(message._create_sig_structure())
    return bytes(message.encode(tag=True, sign=False))


@dataclass(frozen=True)
class _Header:
    """A protected header as pycose parsed it, and what every token with it shares."""

    protected: Mapping[Any, Any]
    key_id: bytes | None  # None: pycose's header has a key id that is not bytes or text
    eddsa: bool
    to_be_signed_prefix: bytes  # the Sig_structure up to its payload


def _key_id(value: Any) -> bytes | None:
    if isinstance(value, str):
        return value.encode()
    return value if isinstance(value, bytes) else None


@functools.lru_cache(maxsize=64)
def _protected_header(protected: bytes) -> _Header:
    """pycose's reading of a protected header; kept, as every card of a key has the same."""
    message = Sign1Message.from_cose_obj([protected, {}, b"", b""], True)
    empty = message._create_sig_structure()
    # The Sig_structure's last item is the payload: b"" encodes as the one byte 0x40.
    if empty[-1:] != b"\x40":
        raise MalformedToken("not a well-formed signed token")
    return _Header(
        protected=MappingProxyType(dict(message.phdr)),
        key_id=_key_id(message.phdr.get(KID, b"")),
        eddsa=message.get_attr(Algorithm) is EdDSA,
        to_be_signed_prefix=empty[:-1],
    )


def _parts(token: bytes) -> tuple[bytes, Mapping[Any, Any], bytes, bytes]:
    """The four parts of `18([...])` (or `61(18([...]))`), each of the right type."""
    item = cbor2.loads(token, max_depth=_MAX_CBOR_DEPTH)
    if isinstance(item, cbor2.CBORTag) and item.tag == CWT_TAG:
        item = item.value
    if not (isinstance(item, cbor2.CBORTag) and item.tag == COSE_SIGN1_TAG):
        raise MalformedToken("not a COSE_Sign1 message")
    if not (isinstance(item.value, CBOR_ARRAYS) and len(item.value) == 4):
        raise MalformedToken("a COSE_Sign1 message has four parts")
    protected, unprotected, payload, signature = item.value
    if not (
        isinstance(protected, bytes)
        and isinstance(unprotected, CBOR_MAPS)
        and isinstance(payload, bytes)
        and isinstance(signature, bytes)
    ):
        raise MalformedToken("COSE_Sign1 parts have the wrong types")
    return protected, unprotected, payload, signature


def _with_unprotected(
    protected: bytes, unprotected: Mapping[Any, Any], payload: bytes, signature: bytes
) -> SignedToken:
    """pycose's whole path, for a token that has an unprotected header too."""
    # pycose wants a mutable list and a dict; cbor2 gives tuple and frozendict.
    message = Sign1Message.from_cose_obj([protected, dict(unprotected), payload, signature], True)
    if message.get_attr(Algorithm) is not EdDSA:
        raise MalformedToken("only EdDSA signatures are accepted")
    key_id = _key_id(message.phdr.get(KID, message.uhdr.get(KID, b"")))
    if key_id is None:
        raise MalformedToken("the key id must be a byte string")
    return SignedToken(
        key_id=key_id,
        to_be_signed=message._create_sig_structure(),
        signature=message.signature,
        payload=payload,
        protected=message.phdr,
    )


def decode_signed(token: bytes) -> SignedToken:
    """Unwrap `18([...])` (or the older `61(18([...]))`); MalformedToken on anything else.

    The key id may be missing (a reader that pins one key does not need it): then
    `key_id` is empty and the verifier tries each trusted key."""
    try:
        protected, unprotected, payload, signature = _parts(token)
        if unprotected:
            return _with_unprotected(protected, unprotected, payload, signature)
        header = _protected_header(protected)
        if not header.eddsa:
            raise MalformedToken("only EdDSA signatures are accepted")
        if header.key_id is None:
            raise MalformedToken("the key id must be a byte string")
        return SignedToken(
            key_id=header.key_id,
            to_be_signed=header.to_be_signed_prefix + cbor2.dumps(payload),
            signature=signature,
            payload=payload,
            protected=header.protected,
        )
    except MalformedToken:
        raise
    except Exception as exc:  # untrusted bytes: any parser failure means "malformed"
        raise MalformedToken("not a well-formed signed token") from exc


def decode_claims(payload: bytes) -> Mapping[Any, Any]:
    """The CWT claims map inside a verified payload."""
    try:
        claims = cbor2.loads(payload, max_depth=_MAX_CBOR_DEPTH)
    except Exception as exc:  # untrusted bytes
        raise MalformedToken("the token's claims are not CBOR") from exc
    if not isinstance(claims, CBOR_MAPS):
        raise MalformedToken("the token's claims are not a map")
    return claims
