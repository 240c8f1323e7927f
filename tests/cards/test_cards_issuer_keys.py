"""The trusted issuer keys check signatures with libsodium: it must accept and refuse
exactly what `cryptography` (OpenSSL) does for the program's own keys."""

from __future__ import annotations

import random

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from cityid.cards.keys import BadKeySet, IssuerKeys


def _openssl_accepts(private: Ed25519PrivateKey, signature: bytes, message: bytes) -> bool:
    try:
        private.public_key().verify(signature, message)
    except InvalidSignature:
        return False
    return True


def _raw(private: Ed25519PrivateKey) -> bytes:
    return private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


def test_libsodium_and_openssl_agree_on_good_and_tampered_signatures() -> None:
    rng = random.Random(169)
    for _ in range(40):
        private, stranger = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
        keys = IssuerKeys([("k1", _raw(private)), (b"k2", _raw(stranger))])
        message = rng.randbytes(rng.randrange(0, 700))
        signature = private.sign(message)
        flipped = bytearray(signature)
        flipped[rng.randrange(64)] ^= 1 << rng.randrange(8)
        altered = bytearray(message or b"\x00")
        altered[rng.randrange(len(altered))] ^= 1
        cases = [
            (signature, message, True),
            (bytes(flipped), message, False),
            (signature, bytes(altered), False),
            (signature[:32] + bytes(32), message, False),  # S = 0
            (bytes(64), message, False),
        ]
        for sig, msg, expected in cases:
            assert _openssl_accepts(private, sig, msg) is expected
            assert keys.verify(b"k1", sig, msg) is expected
        assert keys.verify(b"k2", signature, message) is False  # another trusted key
        assert keys.verify(b"k3", signature, message) is False  # not a trusted key id


@pytest.mark.parametrize("length", [0, 63, 65, 128])
def test_a_signature_of_the_wrong_length_is_refused_not_an_error(length: int) -> None:
    private = Ed25519PrivateKey.generate()
    keys = IssuerKeys([("k1", _raw(private))])
    assert keys.verify(b"k1", private.sign(b"card")[:length].ljust(length, b"\0"), b"card") is False


def test_a_key_that_is_not_32_bytes_is_a_bad_key_set() -> None:
    with pytest.raises(BadKeySet):
        IssuerKeys([("k1", bytes(31))])
