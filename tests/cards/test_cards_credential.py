from __future__ import annotations

import datetime as dt
import io
import os
import zlib

import base45
import cbor2
import pytest
from cards_harness import NOW, STATUS_URI, MemorySigner, card_claims, portrait_png
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image

from cityid.cards.credential import (
    _b45decode,
    claims_from_cwt,
    decode_qr_text,
    encode_qr_text,
    issue_credential,
    make_face_webp,
)
from cityid.cards.cwt import MalformedToken, decode_claims, decode_signed
from cityid.cards.qr import MAX_VERSION, qr_version


def test_token_is_a_claim_169_cwt(signer: MemorySigner) -> None:
    token = issue_credential(card_claims(), signer, NOW)
    outer = cbor2.loads(token)
    assert outer.tag == 18  # a bare COSE_Sign1: Claim 169 readers reject a tag 61 around it
    protected = cbor2.loads(outer.value[0])
    assert protected == {1: -8, 4: signer.key_id.encode()}  # EdDSA, kid protected
    claims = cbor2.loads(outer.value[2])
    assert claims[1] == "https://id.nyc.example"
    assert claims[6] == int(NOW.timestamp()) == claims[5]
    identity = claims[169]
    assert identity[1] == "482913570268"
    assert identity[4] == "María Elena Rodríguez Santos"
    assert (identity[5], identity[7]) == ("María Elena", "Rodríguez Santos")
    assert identity[8] == "19850214"
    assert identity[9] == 2  # female
    assert identity[3] == "spa"
    assert identity[10].endswith("Bronx, NY 10451")
    face = identity[62][0]
    assert (face[1], face[2]) == (0, 4)  # image, WEBP
    assert Image.open(io.BytesIO(face[0])).format == "WEBP"
    assert claims[65535] == {"status_list": {"idx": 1234, "uri": STATUS_URI}}


def test_round_trip_through_qr_text(signer: MemorySigner) -> None:
    original = card_claims()
    text = encode_qr_text(issue_credential(original, signer, NOW))
    assert set(text) <= set(base45.BASE45_CHARSET)
    signed = decode_signed(decode_qr_text(text))
    parsed = claims_from_cwt(decode_claims(signed.payload))
    assert parsed.card_number == original.card_number
    assert parsed.date_of_birth == original.date_of_birth
    assert parsed.gender == "F" and parsed.language == "spa"
    assert parsed.face_webp == original.face_webp
    assert parsed.expires_at == original.expires_at
    assert parsed.issued_at == NOW and parsed.not_before == NOW
    assert parsed.postal_code == "10451"


def test_face_is_tiny_and_the_qr_stays_small(signer: MemorySigner) -> None:
    face = make_face_webp(portrait_png())
    assert Image.open(io.BytesIO(face)).size == (48, 60)
    assert len(face) < 600
    long_card = card_claims(
        full_name="Guadalupe Esperanza Hernández-Villanueva de la Cruz",
        address="2750 Frederick Douglass Boulevard Apartment 12F\nNew York, NY 10039",
        face_webp=face,
    )
    assert qr_version(encode_qr_text(issue_credential(long_card, signer, NOW))) <= MAX_VERSION


def test_times_must_be_timezone_aware(signer: MemorySigner) -> None:
    with pytest.raises(ValueError):
        issue_credential(card_claims(), signer, dt.datetime(2026, 1, 1))


@given(st.binary(max_size=700))
def test_fast_base45_decoder_matches_the_base45_package(data: bytes) -> None:
    text = base45.b45encode(data).decode()
    assert _b45decode(text) == base45.b45decode(text) == data


@given(st.text(alphabet=base45.BASE45_CHARSET + "abc\u00e9", max_size=60))
def test_fast_base45_decoder_refuses_what_the_package_refuses(text: str) -> None:
    try:
        expected: bytes | None = base45.b45decode(text)
    except ValueError:
        expected = None
    try:
        got: bytes | None = _b45decode(text)
    except ValueError:
        got = None
    assert got == expected


def test_decompression_bombs_and_trailing_junk_are_malformed() -> None:
    bomb = base45.b45encode(zlib.compress(b"\0" * 1_000_000)).decode()
    with pytest.raises(MalformedToken):
        decode_qr_text(bomb)
    junk = base45.b45encode(zlib.compress(b"token") + b"junk").decode()
    with pytest.raises(MalformedToken):
        decode_qr_text(junk)
    with pytest.raises(MalformedToken):
        decode_qr_text(base45.b45encode(os.urandom(40)).decode())
