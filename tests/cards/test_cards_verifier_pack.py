"""The verifier pack, read offline: trusted only through keys the verifier already holds."""

from __future__ import annotations

import datetime as dt

import cbor2
import pytest
from cards_harness import ISSUER, NOW, STATUS_URI, MemorySigner, card_claims

from cityid.cards.credential import encode_qr_text, issue_credential
from cityid.cards.keys import IssuerKeys
from cityid.cards.status_list import Status, StatusList, sign_status_list
from cityid.cards.verifier_pack import (
    KeyValidity,
    PackRejected,
    pack_claims,
    read_pack,
    sign_pack,
)
from cityid.cards.verify import Result
from cityid.crypto.keystore import PublicKey
from cityid.crypto.public_keys import cose_key

TTL = 86_400
CHECKPOINT = "id.nyc.example/log\n12\nq83vEjRWeJA=\n\n— id.nyc.example/log AbCd\n"


def _key_set(*signers: MemorySigner) -> bytes:
    keys = [PublicKey(s.key_id, "Ed25519", s.public_key_raw(), "active") for s in signers]
    return cbor2.dumps([cose_key(k) for k in keys], canonical=True)


def _anchor(*signers: MemorySigner) -> IssuerKeys:
    return IssuerKeys([(s.key_id, s.public_key_raw()) for s in signers])


def _pack(
    signer: MemorySigner,
    *,
    carried: tuple[MemorySigner, ...] | None = None,
    revoked: tuple[int, ...] = (),
    at: dt.datetime = NOW,
    valid_for: dt.timedelta = dt.timedelta(days=7),
) -> bytes:
    statuses = StatusList(4096)
    for index in revoked:
        statuses.set(index, Status.INVALID)
    token = sign_status_list(statuses, uri=STATUS_URI, signer=signer, now=at, ttl_seconds=TTL)
    carried = carried or (signer,)
    claims = pack_claims(
        issuer=ISSUER,
        issued_at=at,
        ttl_seconds=TTL,
        key_set=_key_set(*carried),
        validity=[KeyValidity(s.key_id, NOW - dt.timedelta(days=30), "active") for s in carried],
        status_lists=[token],
        checkpoint=CHECKPOINT,
        valid_for=valid_for,
    )
    return sign_pack(claims, signer)


def _card(signer: MemorySigner) -> str:
    return encode_qr_text(issue_credential(card_claims(), signer, NOW))


def test_a_valid_card_verifies_offline_with_the_pack(signer: MemorySigner) -> None:
    pack = read_pack(_pack(signer), _anchor(signer), now=NOW)
    outcome = pack.verifier(NOW).verify(_card(signer), now=NOW)
    assert outcome.result is Result.VALID
    assert outcome.status_checked and not outcome.status_stale
    assert pack.checkpoint == CHECKPOINT and pack.issuer == ISSUER
    assert pack.summary(NOW)["keys"][0]["key_id"] == signer.key_id
    assert pack.summary(NOW)["keys"][0]["not_before"] == (NOW - dt.timedelta(days=30)).isoformat()


def test_a_revoked_card_reads_revoked(signer: MemorySigner) -> None:
    index = card_claims().status_index
    assert index is not None
    pack = read_pack(_pack(signer, revoked=(index,)), _anchor(signer), now=NOW)
    assert pack.verifier(NOW).verify(_card(signer), now=NOW).result is Result.REVOKED


def test_past_ttl_the_answer_is_stale_and_past_exp_the_pack_is_refused(
    signer: MemorySigner,
) -> None:
    data, anchor = _pack(signer), _anchor(signer)
    later = NOW + dt.timedelta(seconds=TTL + 1)
    pack = read_pack(data, anchor, now=later)
    assert pack.is_stale(later) and not pack.is_stale(NOW)
    outcome = pack.verifier(later).verify(_card(signer), now=later)
    assert outcome.result is Result.VALID and outcome.status_stale
    with pytest.raises(PackRejected, match="verifier pack expired"):
        read_pack(data, anchor, now=NOW + dt.timedelta(days=7))
    short = _pack(signer, valid_for=dt.timedelta(days=2))  # its lists would last 7
    read_pack(short, anchor, now=NOW + dt.timedelta(days=2) - dt.timedelta(seconds=1))
    with pytest.raises(PackRejected, match="verifier pack expired"):
        read_pack(short, anchor, now=NOW + dt.timedelta(days=2))


def test_a_truncated_or_altered_pack_is_refused(signer: MemorySigner) -> None:
    data, anchor = _pack(signer), _anchor(signer)
    for cut in (0, 1, 10, len(data) // 2, len(data) - 1):
        with pytest.raises(PackRejected, match="truncated or corrupt"):
            read_pack(data[:cut], anchor, now=NOW)
    at = data.index(CHECKPOINT.encode()[:10])  # a byte of the signed payload
    altered = data[:at] + bytes([data[at] ^ 1]) + data[at + 1 :]
    with pytest.raises(PackRejected, match="signature does not verify"):
        read_pack(altered, anchor, now=NOW)


def test_a_pack_signed_by_another_key_is_refused_even_if_it_carries_that_key(
    signer: MemorySigner,
) -> None:
    stranger = MemorySigner("sig-card-issuer-2026")  # the same key id, another key
    forged = _pack(stranger)  # carries the stranger's key to vouch for itself
    with pytest.raises(PackRejected, match="signature does not verify"):
        read_pack(forged, _anchor(signer), now=NOW)
    other = MemorySigner("sig-someone-else")
    with pytest.raises(PackRejected, match="not among the keys you trust"):
        read_pack(_pack(other), _anchor(signer), now=NOW)


def test_a_status_list_token_is_not_a_pack(signer: MemorySigner) -> None:
    token = sign_status_list(StatusList(64), uri=STATUS_URI, signer=signer, now=NOW,
                             ttl_seconds=TTL)  # fmt: skip
    with pytest.raises(PackRejected, match="not a verifier pack"):
        read_pack(token, _anchor(signer), now=NOW)


def test_cards_of_a_rotated_key_verify_through_the_pack(
    signer: MemorySigner, old_signer: MemorySigner
) -> None:
    """The verifier pinned today's key; the pack it signs carries the retired one too."""
    data = _pack(signer, carried=(signer, old_signer))
    pack = read_pack(data, _anchor(signer), now=NOW)
    assert pack.verifier(NOW).verify(_card(old_signer), now=NOW).result is Result.VALID
    alone = read_pack(_pack(signer), _anchor(signer), now=NOW)
    assert alone.verifier(NOW).verify(_card(old_signer), now=NOW).result is Result.UNKNOWN_KEY


def test_the_bench_pack_reads_back_and_grows_with_the_revocations() -> None:
    from cityid.devtools.bench.cards import measure_pack

    rows = {row["name"]: row["value"] for row in measure_pack(cards=50_000, list_size=16_384)}
    assert rows["cards_pack_read_ms_1m"] > 0
    # 50,000 two-bit entries, 3.5% set at random: far below raw (12,500 B), far above empty
    assert 1_500 < float(str(rows["cards_pack_bytes_1m"])) < 12_500
