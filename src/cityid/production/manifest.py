"""The print partner's manifest: which cards, what to print on each, where to send it
(pure). Signed by the card issuer's key as a detached JWS, so the partner checks it with
the public keys `cityid keys export-public` writes (the JWK Set) before printing.

The manifest names cards by number only: no application or card ids, no photo (the
photo and the QR are on the PDF sheets, whose SHA-256 the manifest carries, so the
signature covers them too). A pickup card is addressed to its enrollment centre,
never to the applicant.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from cityid.cards.render import CardFace
from cityid.cards.status_list import compact_jws
from cityid.crypto.interfaces import Signer
from cityid.errors import ConfigError

MANIFEST_TYPE = "cityid-print-manifest"
JWS_TYPE = "cityid-print-manifest+jws"
VERSION = 1


@dataclass(frozen=True)
class ManifestCard:
    """One card's line: the face it prints and where it goes."""

    face: CardFace
    delivery: str  # mail | pickup
    deliver_to: dict[str, str]  # the mailing address, or {"centre": ...}


def _card_entry(position: int, card: ManifestCard) -> dict[str, Any]:
    face = card.face
    return {
        "card_number": face.card_number,
        "sheet_pages": [2 * position + 1, 2 * position + 2],
        "print": {
            "full_name": face.full_name,
            "native_name": face.native_name,
            "date_of_birth": face.date_of_birth.isoformat(),
            "address": face.address,
            "issued": face.issued.isoformat() if face.issued else None,
            "expires": face.expires.isoformat(),
            "gender": face.gender,
            "veteran": face.veteran,
            "organ_donor": face.organ_donor,
            "emergency_contact": face.emergency_contact,
            "preferred_language": face.preferred_language,
        },
        "delivery": card.delivery,
        "deliver_to": card.deliver_to,
    }


def manifest_bytes(
    *,
    batch_id: str,
    program: str,
    issuer: str,
    created_at: dt.datetime,
    cards: list[ManifestCard],
    sheets: bytes,
    export_number: int,
) -> bytes:
    """The manifest as canonical JSON (sorted keys, UTF-8): the bytes that are signed."""
    document = {
        "type": MANIFEST_TYPE,
        "version": VERSION,
        "batch_id": batch_id,
        "program": program,
        "issuer": issuer,
        "created_at": created_at.isoformat(timespec="seconds"),
        "export": export_number,
        "card_size_mm": [85.60, 53.98],
        "sheets": {"pages": 2 * len(cards), "sha256": hashlib.sha256(sheets).hexdigest()},
        "cards": [_card_entry(i, card) for i, card in enumerate(cards)],
    }
    return json.dumps(document, ensure_ascii=False, sort_keys=True, indent=1).encode("utf-8")


def sign_manifest(manifest: bytes, signer: Signer) -> str:
    """The detached compact JWS (EdDSA, the issuer key's kid) over the manifest bytes."""
    if signer.algorithm != "Ed25519":
        raise ConfigError(f"print manifests need an Ed25519 key; {signer.key_id} is not one")
    header = {"alg": "EdDSA", "kid": signer.key_id, "typ": JWS_TYPE}
    return compact_jws(header, manifest, signer, detached=True)
