"""`decode_signed` keeps pycose's reading of each protected header and builds the
Sig_structure from it: for every header and payload it must answer exactly as pycose's
whole path does (the same key id, bytes to check and header, or the same refusal)."""

from __future__ import annotations

import cbor2
import pytest
from cards_harness import NOW, MemorySigner, card_claims
from hypothesis import given
from hypothesis import strategies as st

from cityid.cards import cwt
from cityid.cards.credential import issue_credential

EDDSA, ES256 = -8, -7
HEADERS = [
    {1: EDDSA, 4: b"sig-card-issuer-2026"},
    {1: EDDSA, 4: "text-kid"},  # a text key id, read as its bytes
    {1: EDDSA},  # no key id: each trusted key is tried
    {1: EDDSA, 4: b"k", 16: "application/statuslist+cwt"},  # typ, as status lists carry
    {1: EDDSA, 4: b"k", 99: [1, 2]},  # a header pycose does not know
    {1: EDDSA, 4: 7},  # a key id that is neither bytes nor text
    {1: ES256, 4: b"k"},  # not EdDSA
    {},  # no algorithm
]


def _token(protected: bytes, payload: bytes, unprotected: dict | None = None) -> bytes:
    return cbor2.dumps(cbor2.CBORTag(18, [protected, unprotected or {}, payload, b"s" * 64]))


def _both(token: bytes) -> tuple[object, object]:
    """(decode_signed's answer, pycose's whole path's), a refusal as the string "malformed"."""
    try:
        lean: object = cwt.decode_signed(token)
    except cwt.MalformedToken:
        lean = "malformed"
    try:
        protected, unprotected, payload, signature = cwt._parts(token)
        full: object = cwt._with_unprotected(protected, unprotected, payload, signature)
    except Exception:
        full = "malformed"
    return lean, full


def _same(lean: object, full: object) -> None:
    if isinstance(full, cwt.SignedToken) and isinstance(lean, cwt.SignedToken):
        assert (lean.key_id, lean.to_be_signed, lean.signature, lean.payload) == (
            full.key_id, full.to_be_signed, full.signature, full.payload,
        )  # fmt: skip
        assert dict(lean.protected) == dict(full.protected)
    else:
        assert lean == full


@pytest.mark.parametrize("header", HEADERS, ids=range(len(HEADERS)))
@pytest.mark.parametrize("size", [0, 23, 24, 255, 256, 65_535, 65_536])
def test_each_header_and_payload_length_reads_as_pycose_reads_it(header: dict, size: int) -> None:
    _same(*_both(_token(cbor2.dumps(header), b"p" * size)))


@pytest.mark.parametrize("protected", [b"", b"\xa0", b"\xff", b"\x81\x01", b"\xa1\x01"])
def test_odd_protected_headers_read_as_pycose_reads_them(protected: bytes) -> None:
    _same(*_both(_token(protected, b"payload")))


@given(st.binary(max_size=40), st.binary(max_size=300))
def test_any_protected_bytes_read_as_pycose_reads_them(protected: bytes, payload: bytes) -> None:
    _same(*_both(_token(protected, payload)))


def test_a_card_reads_the_same_both_ways_and_the_header_is_read_once(
    signer: MemorySigner,
) -> None:
    token = issue_credential(card_claims(), signer, NOW)
    lean, full = _both(token)
    _same(lean, full)
    assert isinstance(lean, cwt.SignedToken) and lean.key_id == signer.key_id.encode()
    hits = cwt._protected_header.cache_info().hits
    cwt.decode_signed(issue_credential(card_claims(card_number="482913570276"), signer, NOW))
    assert cwt._protected_header.cache_info().hits == hits + 1
    with pytest.raises(TypeError):
        lean.protected[4] = b"other"  # type: ignore[index]  # shared, so read-only


def test_an_unprotected_header_takes_pycose_whole_path() -> None:
    token = _token(cbor2.dumps({1: EDDSA}), b"payload", unprotected={4: b"loose-kid"})
    lean, full = _both(token)
    _same(lean, full)
    assert isinstance(lean, cwt.SignedToken) and lean.key_id == b"loose-kid"
