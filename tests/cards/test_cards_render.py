from __future__ import annotations

import datetime as dt
import io
import re

import pytest
import segno
from cards_harness import NOW, MemorySigner, card_claims, portrait
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from cityid.cards.credential import encode_qr_text, issue_credential
from cityid.cards.qr import MAX_VERSION, QrTooLarge, UnreadableImage, draw_qr_png, read_qr_texts
from cityid.cards.render import CARD_SIZE, CardFace, render_pdf, render_png
from cityid.cards.verify import Result, Verifier


def _face(qr_text: str, **changes: object) -> CardFace:
    claims = card_claims()
    fields: dict[str, object] = dict(
        program_name="IDNYC", card_number=claims.card_number, full_name=claims.full_name,
        date_of_birth=claims.date_of_birth, address=claims.address or "",
        expires=claims.expires_at.date(), qr_text=qr_text, photo=portrait(),
        city_name="New York", gender="F", veteran=True, organ_donor=True,
        emergency_contact="José Rodríguez (brother)\n+1 718 555 0142",
        preferred_language="Español", issued=NOW.date(),
    )  # fmt: skip
    fields.update(changes)
    return CardFace(**fields)  # type: ignore[arg-type]


def test_printed_card_qr_reads_back_and_verifies(verifier: Verifier, qr_text: str) -> None:
    back = render_png(_face(qr_text), "back")
    image = Image.open(io.BytesIO(back))
    assert image.size == CARD_SIZE and image.info["dpi"] == pytest.approx((300, 300), abs=0.01)
    assert read_qr_texts(back) == [qr_text]
    # A photo of the card is slightly blurred and smaller: it must still scan.
    photographed = image.convert("L").resize((700, 442), Image.Resampling.BILINEAR)
    (scanned,) = read_qr_texts(photographed)
    assert verifier.verify(scanned, now=NOW + dt.timedelta(days=1)).result is Result.VALID


def test_front_renders_with_and_without_options(qr_text: str) -> None:
    full = Image.open(io.BytesIO(render_png(_face(qr_text))))
    bare = Image.open(io.BytesIO(render_png(_face(
        qr_text, photo=None, gender=None, veteran=False, organ_donor=False,
        emergency_contact=None, preferred_language=None, issued=None,
        full_name="Ngozi Chiamaka Oluwaseun Adebayo-Okonkwo-Fitzgerald de los Santos",
    ))))  # fmt: skip
    assert full.size == bare.size == CARD_SIZE
    assert full.tobytes() != bare.tobytes()
    assert read_qr_texts(full) == []  # the credential lives on the back


def test_pdf_is_two_cr80_pages(qr_text: str) -> None:
    pdf = render_pdf(_face(qr_text))
    assert pdf.startswith(b"%PDF")
    boxes = re.findall(rb"/MediaBox \[ 0 0 ([\d.]+) ([\d.]+) \]", pdf)
    assert len(boxes) == 2
    for width, height in boxes:  # points: 85.60 x 53.98 mm
        assert float(width) * 25.4 / 72 == pytest.approx(85.60, abs=0.1)
        assert float(height) * 25.4 / 72 == pytest.approx(53.98, abs=0.1)


def test_qr_uses_error_correction_m_and_refuses_huge_payloads(qr_text: str) -> None:
    drawn = draw_qr_png(qr_text)
    assert drawn.version <= MAX_VERSION
    assert segno.make_qr(qr_text, error="m", boost_error=False).error == "M"
    assert read_qr_texts(drawn.png) == [qr_text]
    with pytest.raises(QrTooLarge):
        draw_qr_png("A" * 3000)


def test_a_card_with_the_largest_fields_still_fits(signer: MemorySigner) -> None:
    claims = card_claims(full_name="W" * 80, address=("X" * 60 + "\n") * 3 + "New York, NY 10001")
    draw_qr_png(encode_qr_text(issue_credential(claims, signer, NOW)))


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 80), st.integers(1, 80), st.sampled_from(["L", "RGB", "1"]), st.randoms())
def test_random_images_give_no_codes_not_crashes(
    width: int, height: int, mode: str, rng: object
) -> None:
    import random

    assert isinstance(rng, random.Random)
    channels = {"L": 1, "RGB": 3, "1": 1}[mode]
    noise = bytes(rng.getrandbits(8) for _ in range(width * height * channels))
    image = Image.frombytes("L" if mode == "1" else mode, (width, height), noise)
    texts = read_qr_texts(image.convert(mode))
    assert isinstance(texts, list)


@settings(max_examples=40, deadline=None)
@given(st.binary(max_size=200))
def test_undecodable_image_bytes_are_bad_input(data: bytes) -> None:
    try:
        texts = read_qr_texts(data)
    except UnreadableImage as refusal:
        assert refusal.code == "unreadable_image"
    else:
        assert texts == []
