"""Cards read by the reference Claim 169 library (`claim169` on PyPI), both directions.

Our own decoder shares our own misunderstandings: the first outside reader rejected
every card we printed. These tests hold us to what a bank's off-the-shelf reader does.
"""

from __future__ import annotations

import datetime as dt

import claim169
import pytest
from cards_harness import ISSUER, NOW, MemorySigner, card_claims, portrait
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)

from cityid.cards.credential import encode_qr_text, issue_credential, make_face_webp
from cityid.cards.verify import Result, Verifier


def _raw_private(key: Ed25519PrivateKey) -> bytes:
    return key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())


def _raw_public(key: Ed25519PrivateKey) -> bytes:
    return key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


def test_a_card_we_issue_decodes_and_verifies_with_claim169(signer: MemorySigner) -> None:
    issued = card_claims(
        full_name="Ivan Petrov", first_name="Ivan", last_name="Petrov",
        native_name="Иван Петров", native_language="rus", language="rus",
    )  # fmt: skip
    qr = encode_qr_text(issue_credential(issued, signer, NOW))
    decoded = claim169.decode_with_ed25519(qr, signer.public_key_raw(), validate_timestamps=False)
    assert decoded.is_verified()
    identity, meta = decoded.claim169, decoded.cwt_meta
    assert identity.id == issued.card_number
    assert (identity.full_name, identity.first_name, identity.last_name) == (
        "Ivan Petrov", "Ivan", "Petrov",
    )  # fmt: skip
    assert identity.secondary_full_name == "Иван Петров"
    assert identity.secondary_language == "rus"
    assert identity.date_of_birth in ("1985-02-14", "19850214")
    assert identity.gender == 2
    assert identity.face and identity.face[0].data == issued.face_webp
    assert meta.issuer == ISSUER
    assert meta.expires_at == int(issued.expires_at.timestamp())
    assert meta.issued_at == int(NOW.timestamp())
    assert decoded.key_id == signer.key_id.encode()


def test_claim169_rejects_a_card_signed_by_another_key(signer: MemorySigner) -> None:
    qr = encode_qr_text(issue_credential(card_claims(), signer, NOW))
    other = MemorySigner("someone-else")
    with pytest.raises(claim169.Claim169Exception):
        claim169.decode_with_ed25519(qr, other.public_key_raw(), validate_timestamps=False)


def _outside_credential(key: Ed25519PrivateKey, *, key_id: bytes | None) -> str:
    """A credential made by the reference encoder, as another issuer's system would."""
    identity = claim169.Claim169Input(id="482913570268", full_name="Amina Diallo")
    identity.first_name, identity.last_name = "Amina", "Diallo"
    identity.date_of_birth = "1990-07-01"
    identity.gender = 2
    identity.address = "12 Main St\nBrooklyn, NY 11201"
    meta = claim169.CwtMetaInput(issuer=ISSUER)
    meta.issued_at = int(NOW.timestamp())
    meta.expires_at = int((NOW + dt.timedelta(days=365)).timestamp())
    if key_id is None:
        return str(claim169.encode_with_ed25519(identity, meta, _raw_private(key)))

    def sign(_algorithm: object, _key_id: object, data: bytes) -> bytes:
        return key.sign(bytes(data))

    return str(claim169.encode_with_signer(identity, meta, sign, "EdDSA", key_id=key_id))


@pytest.mark.parametrize("key_id", [None, b"city-2026"], ids=["no kid", "kid"])
def test_a_credential_made_outside_verifies_with_a_trusted_key(key_id: bytes | None) -> None:
    city_key = Ed25519PrivateKey.generate()
    trusted = Verifier([(key_id or b"city-2026", _raw_public(city_key))], now=NOW,
                       require_status=False)  # fmt: skip
    outcome = trusted.verify(_outside_credential(city_key, key_id=key_id), now=NOW)
    assert outcome.result is Result.VALID, outcome.message
    assert outcome.to_json()["claims"]["full_name"] == "Amina Diallo"
    assert outcome.to_json()["claims"]["date_of_birth"] == "1990-07-01"
    assert not outcome.status_checked


@pytest.mark.parametrize("key_id", [None, b"city-2026"], ids=["no kid", "kid"])
def test_an_outside_credential_from_an_untrusted_key_is_unknown_key(key_id: bytes | None) -> None:
    city_key, stranger = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    trusted = Verifier([(b"city-2026", _raw_public(city_key))], now=NOW, require_status=False)
    qr = _outside_credential(stranger, key_id=key_id and b"stranger-1")
    outcome = trusted.verify(qr, now=NOW)
    assert outcome.result is Result.UNKNOWN_KEY
    assert outcome.message  # says why: no trusted key fits


def test_an_outside_credential_is_status_unknown_without_a_list() -> None:
    city_key = Ed25519PrivateKey.generate()
    strict = Verifier([(b"city-2026", _raw_public(city_key))], now=NOW)
    outcome = strict.verify(_outside_credential(city_key, key_id=None), now=NOW)
    assert outcome.result is Result.STATUS_UNKNOWN and outcome.claims is None


def test_the_face_survives_the_reference_encoder_too() -> None:
    webp = make_face_webp(portrait())
    key = Ed25519PrivateKey.generate()
    identity = claim169.Claim169Input(id="1", full_name="A B")
    identity.photo, identity.photo_format = webp, 4
    meta = claim169.CwtMetaInput(issuer=ISSUER)
    meta.expires_at = int((NOW + dt.timedelta(days=1)).timestamp())
    qr = claim169.encode_with_ed25519(identity, meta, _raw_private(key))
    decoded = claim169.decode_with_ed25519(qr, _raw_public(key), validate_timestamps=False)
    assert decoded.claim169.photo == webp
