"""What an offline verifier is handed: key files, status list files, card images."""

from __future__ import annotations

import base64
import json
from typing import Any

import cbor2

from cityid.cards.keys import BadKeySet, IssuerKeys
from cityid.cards.qr import UnreadableImage, read_qr_texts
from cityid.errors import BadInput


def issuer_keys_from_file(data: bytes, name: str = "") -> IssuerKeys:
    """A COSE_KeySet (.cbor) or a JWK Set (.json), told apart by their bytes."""
    stripped = data.lstrip()
    if name.endswith(".json") or stripped[:1] == b"{":
        return _from_jwk_set(data)
    return IssuerKeys.from_cose_key_set(data)


def _from_jwk_set(data: bytes) -> IssuerKeys:
    try:
        document: Any = json.loads(data)
        entries = document["keys"]
        pairs = [
            (str(key["kid"]), _b64url(key["x"]))
            for key in entries
            if key.get("kty") == "OKP" and key.get("crv") == "Ed25519"
        ]
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise BadKeySet("the key file is not a JWK Set of Ed25519 keys") from exc
    return IssuerKeys(pairs)


def _b64url(text: Any) -> bytes:
    if not isinstance(text, str):
        raise TypeError("x must be text")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def status_list_tokens(data: bytes) -> list[bytes]:
    """One status list token, or a CBOR array of them (`status-list export` of several)."""
    try:
        item = cbor2.loads(data)
    except Exception as exc:  # a file the verifier was handed: any failure is bad input
        raise BadInput("the status list file is not CBOR") from exc
    if isinstance(item, list) and all(isinstance(t, bytes) for t in item):
        return list(item)
    return [data]


def qr_text_from_image(image: bytes) -> str:
    texts = read_qr_texts(image)
    if not texts:
        raise UnreadableImage("no QR code could be read in the image")
    return texts[0]
