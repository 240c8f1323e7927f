"""Test helpers: an in-memory Signer and a typical card."""

from __future__ import annotations

import datetime as dt
import io

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from PIL import Image, ImageDraw

from cityid.cards.credential import CardClaims, make_face_webp

NOW = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)
ISSUER = "https://id.nyc.example"
STATUS_URI = "https://id.nyc.example/status-lists/1"


class MemorySigner:
    """A Signer whose Ed25519 key lives in this process (tests only)."""

    def __init__(self, key_id: str) -> None:
        self._key = Ed25519PrivateKey.generate()
        self._key_id = key_id

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


def portrait() -> Image.Image:
    """A synthetic head-and-shoulders picture (no real person)."""
    image = Image.new("RGB", (300, 375), (205, 215, 225))
    draw = ImageDraw.Draw(image)
    draw.ellipse((40, 250, 260, 470), fill=(60, 80, 120))  # shoulders
    draw.ellipse((95, 70, 205, 210), fill=(170, 125, 95))  # face
    draw.ellipse((85, 55, 215, 140), fill=(50, 35, 30))  # hair
    draw.ellipse((120, 130, 135, 142), fill=(30, 30, 30))
    draw.ellipse((165, 130, 180, 142), fill=(30, 30, 30))
    draw.arc((125, 160, 175, 190), 20, 160, fill=(120, 50, 50), width=3)
    return image


def portrait_png() -> bytes:
    out = io.BytesIO()
    portrait().save(out, "PNG")
    return out.getvalue()


def card_claims(**changes: object) -> CardClaims:
    claims = CardClaims(
        issuer=ISSUER,
        card_number="482913570268",
        full_name="María Elena Rodríguez Santos",
        first_name="María Elena",
        last_name="Rodríguez Santos",
        date_of_birth=dt.date(1985, 2, 14),
        gender="F",
        address="1234 Grand Concourse Apt 5C\nBronx, NY 10451",
        language="spa",
        face_webp=make_face_webp(portrait()),
        expires_at=NOW + dt.timedelta(days=5 * 365),
        status_index=1234,
        status_uri=STATUS_URI,
    )
    fields = {**claims.__dict__, **changes}
    return CardClaims(**fields)
