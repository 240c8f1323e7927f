"""Card benchmarks for `cityid bench`: offline verification rate, the QR's size, and the
verifier pack's size and build/read time for a city of cards.

The verification rate is bounded by one Ed25519 signature check per card, so the raw
Ed25519 rate on the same core is reported beside it as the ceiling to judge it by.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Callable

import cbor2
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from PIL import Image, ImageDraw

from cityid.cards.credential import CardClaims, encode_qr_text, issue_credential, make_face_webp
from cityid.cards.keys import IssuerKeys
from cityid.cards.qr import qr_version
from cityid.cards.status_list import StatusList, sign_status_list
from cityid.cards.verifier_pack import KeyValidity, pack_claims, read_pack, sign_pack
from cityid.cards.verify import Result, Verifier
from cityid.crypto._primitives import Ed25519Signer, new_ed25519
from cityid.crypto.keystore import PublicKey
from cityid.crypto.public_keys import cose_key

_NOW = dt.datetime(2026, 1, 15, 12, 0, tzinfo=dt.UTC)
_STATUS_URI = "https://id.example.org/status-lists/1"


def _synthetic_portrait() -> Image.Image:
    image = Image.new("RGB", (240, 300), (205, 215, 225))
    draw = ImageDraw.Draw(image)
    draw.ellipse((30, 200, 210, 380), fill=(60, 80, 120))
    draw.ellipse((75, 55, 165, 170), fill=(170, 125, 95))
    draw.ellipse((68, 45, 172, 112), fill=(50, 35, 30))
    return image


def typical_card() -> CardClaims:
    """A card with every field a real one carries, face included (synthetic person)."""
    return CardClaims(
        issuer="https://id.example.org",
        card_number="482913570268",
        full_name="Guadalupe Esperanza Hernández-Villanueva",
        first_name="Guadalupe Esperanza",
        last_name="Hernández-Villanueva",
        date_of_birth=dt.date(1979, 7, 23),
        gender="F",
        address="2750 Frederick Douglass Boulevard Apt 12F\nNew York, NY 10039",
        language="spa",
        face_webp=make_face_webp(_synthetic_portrait()),
        expires_at=_NOW + dt.timedelta(days=5 * 365),
        status_index=1_234_567,
        status_uri=_STATUS_URI,
    )


def measure(seconds: float = 1.0) -> list[dict[str, object]]:
    private, public = new_ed25519()
    signer = Ed25519Signer("card-issuer-bench", private)
    token = issue_credential(typical_card(), signer, _NOW)
    text = encode_qr_text(token)

    statuses = StatusList(1_500_000, bits=2)  # a whole city on one list
    status_token = sign_status_list(
        statuses, uri=_STATUS_URI, signer=signer, now=_NOW, ttl_seconds=86_400
    )
    verifier = Verifier([(signer.key_id, public)], [status_token], now=_NOW)
    if verifier.verify(text, now=_NOW).result is not Result.VALID:
        raise RuntimeError("the benchmark card does not verify")

    raw_key = Ed25519PublicKey.from_public_bytes(public)
    message, signature = b"x" * len(token), signer.sign(b"x" * len(token))

    def verify_card() -> None:
        verifier.verify(text, now=_NOW)

    def verify_raw() -> None:
        raw_key.verify(signature, message)

    return [
        _result("cards_offline_verifications", _rate(verify_card, seconds), "verifications/s"),
        _result("cards_ed25519_verify_ceiling", _rate(verify_raw, seconds / 2), "verifies/s"),
        _result("cards_qr_version", qr_version(text), "version"),
        _result("cards_credential_bytes", len(token), "bytes"),
        _result("cards_qr_text_chars", len(text), "chars"),
    ]


def measure_pack(cards: int = 1_000_000, list_size: int = 131_072) -> list[dict[str, object]]:
    """The pack for `cards` cards on lists of `list_size` (the default policy's), filled
    directly: 3% of entries revoked (replaced cards count) and 0.5% suspended, at random.
    Build: sign every list and the pack. Read: verify the pack and every list in it."""
    private, public = new_ed25519()
    signer = Ed25519Signer("card-issuer-bench", private)
    chance = random.Random(17)  # noqa: S311  (a reproducible fill, not a secret)
    lists = []
    for first in range(0, cards, list_size):
        statuses = StatusList(list_size, bits=2)
        for index in range(min(list_size, cards - first)):
            draw = chance.random()
            if draw < 0.035:
                statuses.set(index, 1 if draw < 0.03 else 2)
        lists.append(statuses)
    key_set = cbor2.dumps([cose_key(PublicKey(signer.key_id, "Ed25519", public, "active"))])
    note = "id.example.org/log\n1000000\n" + "A" * 44 + "\n\n\u2014 id.example.org/log " + "B" * 92
    started = time.perf_counter()
    tokens = [
        sign_status_list(s, uri=f"{_STATUS_URI[:-1]}{n}", signer=signer, now=_NOW,
                         ttl_seconds=86_400)
        for n, s in enumerate(lists, 1)
    ]  # fmt: skip
    claims = pack_claims(
        issuer="https://id.example.org", issued_at=_NOW, ttl_seconds=86_400, key_set=key_set,
        validity=[KeyValidity(signer.key_id, _NOW, "active")], status_lists=tokens,
        checkpoint=note,
    )  # fmt: skip
    pack = sign_pack(claims, signer)
    built = time.perf_counter()
    read = read_pack(pack, IssuerKeys([(signer.key_id, public)]), now=_NOW)
    done = time.perf_counter()
    if len(read.status_lists) != len(lists):
        raise RuntimeError("the benchmark pack does not read back")
    return [
        _result("cards_pack_bytes_1m", len(pack), f"bytes ({cards:,} cards, {len(lists)} lists)"),
        _result("cards_pack_build_ms_1m", (built - started) * 1000, "ms (sign lists + pack)"),
        _result("cards_pack_read_ms_1m", (done - built) * 1000, "ms (verify pack + lists)"),
    ]


def _rate(operation: Callable[[], None], seconds: float) -> float:
    count = 0
    start = time.perf_counter()
    deadline = start + seconds
    while True:
        operation()
        count += 1
        now = time.perf_counter()
        if now >= deadline:
            return count / (now - start)


def _result(name: str, value: float, unit: str) -> dict[str, object]:
    return {"name": name, "value": round(value, 1), "unit": unit}
