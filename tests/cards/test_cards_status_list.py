from __future__ import annotations

import datetime as dt
import zlib

import cbor2
import pytest
from cards_harness import NOW, STATUS_URI, MemorySigner

from cityid.cards.keys import IssuerKeys
from cityid.cards.status_list import (
    MEDIA_TYPE,
    Status,
    StatusList,
    StatusListRejected,
    sign_status_list,
    verify_status_list_token,
)


def _keys(*signers: MemorySigner) -> IssuerKeys:
    return IssuerKeys((s.key_id, s.public_key_raw()) for s in signers)


def test_bit_layout_matches_the_drafts_examples() -> None:
    one_bit = StatusList(16, bits=1)
    for index, value in enumerate([1, 0, 0, 1, 1, 1, 0, 1, 1, 1, 0, 0, 0, 1, 0, 1]):
        one_bit.set(index, value)
    assert zlib.decompress(one_bit.to_cbor_map()["lst"]) == bytes([0xB9, 0xA3])

    two_bits = StatusList(12, bits=2)
    for index, value in enumerate([1, 2, 0, 3, 0, 1, 0, 1, 1, 2, 3, 3]):
        two_bits.set(index, value)
    assert zlib.decompress(two_bits.to_cbor_map()["lst"]) == bytes([0xC9, 0x44, 0xF9])


def test_set_get_and_bounds() -> None:
    statuses = StatusList(1000, bits=2)
    statuses.set(999, Status.SUSPENDED)
    statuses.set(3, Status.INVALID)
    statuses.set(3, Status.VALID)  # reinstated
    assert [statuses.get(i) for i in (0, 3, 998, 999)] == [0, 0, 0, 2]
    with pytest.raises(IndexError):
        statuses.get(1000)
    with pytest.raises(Exception, match="does not fit"):
        StatusList(8, bits=1).set(0, Status.SUSPENDED)


def test_token_shape_and_round_trip(signer: MemorySigner) -> None:
    statuses = StatusList(2048)
    statuses.set(7, Status.INVALID)
    token = sign_status_list(statuses, uri=STATUS_URI, signer=signer, now=NOW, ttl_seconds=3600)
    sign1 = cbor2.loads(token)
    assert sign1.tag == 18
    assert cbor2.loads(sign1.value[0])[16] == MEDIA_TYPE
    claims = cbor2.loads(sign1.value[2])
    assert claims[2] == STATUS_URI and claims[65534] == 3600
    assert claims[6] == int(NOW.timestamp()) < claims[4]
    assert claims[65533]["bits"] == 2

    verified = verify_status_list_token(token, _keys(signer), now=NOW, expected_uri=STATUS_URI)
    assert verified.status_of(7) == Status.INVALID and verified.status_of(8) == Status.VALID
    assert not verified.is_stale(NOW)
    assert verified.is_stale(NOW + dt.timedelta(hours=2))


def test_untrustworthy_tokens_are_rejected(signer: MemorySigner) -> None:
    stranger = MemorySigner("sig-someone-else")
    token = sign_status_list(StatusList(64), uri=STATUS_URI, signer=signer, now=NOW,
                             ttl_seconds=60)  # fmt: skip
    keys = _keys(signer)
    forged = sign_status_list(StatusList(64), uri=STATUS_URI, signer=stranger, now=NOW,
                              ttl_seconds=60)  # fmt: skip
    tampered = bytearray(token)
    tampered[-80] ^= 0x01
    for bad in (forged, bytes(tampered), b"", b"\xa0", token[:-1]):
        with pytest.raises(StatusListRejected):
            verify_status_list_token(bad, keys, now=NOW)
    with pytest.raises(StatusListRejected, match="expired"):
        verify_status_list_token(token, keys, now=NOW + dt.timedelta(days=8))
    with pytest.raises(StatusListRejected, match="another list"):
        verify_status_list_token(token, keys, now=NOW, expected_uri=STATUS_URI + "x")
