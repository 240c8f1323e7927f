from __future__ import annotations

import datetime as dt
import json

import base45
import cbor2
import pytest
from cards_harness import NOW, STATUS_URI, MemorySigner, card_claims
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cityid.cards.credential import decode_qr_text, encode_qr_text, issue_credential
from cityid.cards.cwt import sign_cwt
from cityid.cards.keys import IssuerKeys
from cityid.cards.status_list import Status, StatusList, StatusListRejected, sign_status_list
from cityid.cards.verify import (
    AgeClaims,
    Result,
    StatusUnavailable,
    Verifier,
    verify_credential,
)
from cityid.crypto.keystore import PublicKey
from cityid.crypto.public_keys import cose_key
from cityid.errors import BadInput

TAMPER_RESULTS = {Result.MALFORMED, Result.BAD_SIGNATURE}


def _same_token(text: str, original: str) -> bool:
    """True when a changed QR text still inflates to the very same signed bytes: deflate
    ignores the padding bits after its last block, so a few edits change no content."""
    try:
        return decode_qr_text(text) == decode_qr_text(original)
    except Exception:
        return False


def _assert_caught(verifier: Verifier, changed: str, original: str) -> None:
    result = verifier.verify(changed, now=NOW).result
    assert result in TAMPER_RESULTS or (result is Result.VALID and _same_token(changed, original))


def _list_token(signer: MemorySigner, **statuses: Status) -> bytes:
    status_list = StatusList(4096)
    for index, status in statuses.items():
        status_list.set(int(index.lstrip("i")), status)
    return sign_status_list(status_list, uri=STATUS_URI, signer=signer, now=NOW,
                            ttl_seconds=3600)  # fmt: skip


def test_a_good_card_is_valid_and_shows_identity(verifier: Verifier, qr_text: str) -> None:
    outcome = verifier.verify(qr_text, now=NOW + dt.timedelta(days=1))
    assert outcome.result is Result.VALID and outcome.status_checked
    assert outcome.to_json()["claims"]["card_number"] == "482913570268"
    assert outcome.to_json()["claims"]["date_of_birth"] == "1985-02-14"
    assert outcome.to_json()["claims"]["photo"].startswith("data:image/webp;base64,")
    json.dumps(outcome.to_json())  # what the CLI and API print


def test_age_check_sees_photo_and_thresholds_only(verifier: Verifier, qr_text: str) -> None:
    claims = verifier.verify(qr_text, now=NOW, purpose="age").to_json()["claims"]
    assert set(claims) == {"photo", "over_18", "over_21"}
    assert claims["over_18"] and claims["over_21"]


def test_age_thresholds_turn_on_the_birthday(signer: MemorySigner, trusted: list) -> None:
    born = dt.date(2005, 6, 15)
    text = encode_qr_text(issue_credential(card_claims(date_of_birth=born), signer, NOW))
    checker = Verifier(trusted, now=NOW, require_status=False)  # months later: no fresh list
    day_before = dt.datetime(2026, 6, 14, 12, tzinfo=dt.UTC)
    birthday = dt.datetime(2026, 6, 15, 12, tzinfo=dt.UTC)
    before, on = (
        checker.verify(text, now=day, purpose="age").claims for day in (day_before, birthday)
    )
    assert isinstance(before, AgeClaims) and isinstance(on, AgeClaims)
    assert (before.over_21, on.over_21, on.over_18) == (False, True, True)


def test_residency_check_sees_no_date_of_birth(verifier: Verifier, qr_text: str) -> None:
    claims = verifier.verify(qr_text, now=NOW, purpose="residency").to_json()["claims"]
    assert set(claims) == {"photo", "full_name", "city_resident", "postal_code"}
    assert claims["city_resident"] is True and claims["postal_code"] == "10451"
    assert "1985" not in json.dumps(claims)


def test_unknown_purpose_is_bad_input(verifier: Verifier, qr_text: str) -> None:
    with pytest.raises(BadInput):
        verifier.verify(qr_text, now=NOW, purpose="everything")  # type: ignore[arg-type]


def test_expired_and_not_yet_valid(verifier: Verifier, signer: MemorySigner) -> None:
    claims = card_claims(not_before=NOW + dt.timedelta(days=2))
    text = encode_qr_text(issue_credential(claims, signer, NOW))
    assert verifier.verify(text, now=NOW).result is Result.NOT_YET_VALID
    after = claims.expires_at + dt.timedelta(seconds=1)
    outcome = verifier.verify(text, now=after)
    assert outcome.result is Result.EXPIRED and outcome.claims is None


def test_revoked_and_suspended(signer: MemorySigner, trusted: list, qr_text: str) -> None:
    revoked = Verifier(trusted, [_list_token(signer, i1234=Status.INVALID)], now=NOW)
    suspended = Verifier(trusted, [_list_token(signer, i1234=Status.SUSPENDED)], now=NOW)
    neighbour = Verifier(trusted, [_list_token(signer, i1235=Status.INVALID)], now=NOW)
    assert revoked.verify(qr_text, now=NOW).result is Result.REVOKED
    assert revoked.verify(qr_text, now=NOW).claims is None
    assert suspended.verify(qr_text, now=NOW).result is Result.SUSPENDED
    assert neighbour.verify(qr_text, now=NOW).result is Result.VALID


def test_unknown_key_and_bad_signature(signer: MemorySigner, trusted: list) -> None:
    stranger = MemorySigner("sig-card-issuer-2026")  # same kid, different key: a forgery
    forged = encode_qr_text(issue_credential(card_claims(), stranger, NOW))
    unknown = encode_qr_text(issue_credential(card_claims(), MemorySigner("sig-x"), NOW))
    checker = Verifier(trusted, [_list_token(signer)], now=NOW)
    assert checker.verify(forged, now=NOW).result is Result.BAD_SIGNATURE
    assert checker.verify(unknown, now=NOW).result is Result.UNKNOWN_KEY


def test_a_signed_token_that_is_not_a_card_is_malformed(
    signer: MemorySigner, verifier: Verifier
) -> None:
    token = sign_cwt({1: "https://id.nyc.example", 4: 2_000_000_000}, signer)
    assert verifier.verify(token, now=NOW).result is Result.MALFORMED


def test_key_rotation_keeps_old_cards_valid(old_signer: MemorySigner, signer: MemorySigner) -> None:
    old_card = encode_qr_text(issue_credential(card_claims(), old_signer, NOW))
    public = [
        PublicKey(signer.key_id, "Ed25519", signer.public_key_raw(), "active"),
        PublicKey(old_signer.key_id, "Ed25519", old_signer.public_key_raw(), "retired"),
    ]
    key_set = cbor2.dumps([cose_key(k) for k in public])  # what /.well-known/cityid/keys serves
    lists = [_list_token(signer)]
    assert verify_credential(old_card, key_set, now=NOW, status_lists=lists).result is Result.VALID
    only_new = [(signer.key_id, signer.public_key_raw())]
    outcome = verify_credential(old_card, only_new, now=NOW, status_lists=lists)
    assert outcome.result is Result.UNKNOWN_KEY
    assert len(IssuerKeys.from_cose_key_set(key_set)) == 2


def test_missing_status_list_is_never_a_silent_valid(trusted: list, qr_text: str) -> None:
    unknown = Verifier(trusted, now=NOW).verify(qr_text, now=NOW)
    assert unknown.result is Result.STATUS_UNKNOWN and unknown.claims is None
    assert unknown.message and "status list" in unknown.message
    unchecked = Verifier(trusted, now=NOW, require_status=False).verify(qr_text, now=NOW)
    assert unchecked.result is Result.VALID and not unchecked.status_checked


def test_an_expired_status_list_no_longer_vouches(signer: MemorySigner, trusted: list,
                                                  qr_text: str) -> None:  # fmt: skip
    checker = Verifier(trusted, [_list_token(signer)], now=NOW)
    assert checker.verify(qr_text, now=NOW + dt.timedelta(days=6)).status_stale
    later = checker.verify(qr_text, now=NOW + dt.timedelta(days=8))
    assert later.result is Result.STATUS_UNKNOWN


def test_a_corrupted_status_list_never_lets_a_revoked_card_pass(
    signer: MemorySigner, trusted: list, qr_text: str
) -> None:
    revoking = _list_token(signer, i1234=Status.INVALID)
    attacker = MemorySigner("sig-card-issuer-2026")
    all_clear = _list_token(attacker)  # "everyone is fine", signed by the wrong key
    for position in range(0, len(revoking), 7):
        corrupted = bytearray(revoking)
        corrupted[position] ^= 0x20
        for bad in (bytes(corrupted), all_clear):
            try:
                checker = Verifier(trusted, [bad], now=NOW)
            except StatusListRejected:
                continue
            try:
                outcome = checker.verify(qr_text, now=NOW)
            except StatusUnavailable:
                continue
            assert outcome.result is not Result.VALID


def test_every_single_character_change_is_caught(verifier: Verifier, qr_text: str) -> None:
    for position in range(len(qr_text)):
        for replacement in base45.BASE45_CHARSET.replace(qr_text[position], ""):
            changed = qr_text[:position] + replacement + qr_text[position + 1 :]
            _assert_caught(verifier, changed, qr_text)


def test_token_bit_flips_are_caught(verifier: Verifier, qr_text: str) -> None:
    token = decode_qr_text(qr_text)
    for position in range(len(token)):
        flipped = bytearray(token)
        flipped[position] ^= 0x04
        result = verifier.verify(bytes(flipped), now=NOW).result
        assert result in TAMPER_RESULTS | {Result.UNKNOWN_KEY}


FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(st.text(max_size=300) | st.text(alphabet=base45.BASE45_CHARSET, max_size=300))
def test_random_text_is_only_ever_malformed(verifier: Verifier, text: str) -> None:
    assert verifier.verify(text, now=NOW).result in TAMPER_RESULTS


@FUZZ
@given(data=st.data())
def test_mutated_qr_text_gives_typed_results(verifier: Verifier, qr_text: str,
                                             data: st.DataObject) -> None:  # fmt: skip
    chars = list(qr_text)
    for _ in range(data.draw(st.integers(1, 5))):
        position = data.draw(st.integers(0, len(chars) - 1))
        action = data.draw(st.sampled_from(["replace", "delete", "insert"]))
        char = data.draw(st.sampled_from(base45.BASE45_CHARSET))
        if action == "replace":
            chars[position] = char
        elif action == "delete" and len(chars) > 1:
            del chars[position]
        else:
            chars.insert(position, char)
    changed = "".join(chars)
    if changed != qr_text:
        _assert_caught(verifier, changed, qr_text)


_cbor_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.text(max_size=20)
    | st.binary(max_size=20) | st.floats(allow_nan=False),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
        st.integers(-2, 300) | st.text(max_size=8), inner, max_size=5),
    max_leaves=20,
)  # fmt: skip


@FUZZ
@given(
    st.dictionaries(st.sampled_from([1, 4, 5, 6, 169, 65535, 2]), _cbor_values, max_size=6),
    st.dictionaries(st.sampled_from([1, 3, 4, 8, 9, 10, 62]), _cbor_values, max_size=7),
)
def test_signed_junk_claims_are_malformed_not_crashes(
    signer: MemorySigner, trusted: list, claims: dict, identity: dict
) -> None:
    if identity:
        claims[169] = identity
    token = sign_cwt(claims, signer)
    outcome = Verifier(trusted, now=NOW, require_status=False).verify(token, now=NOW)
    assert outcome.result in set(Result)


@FUZZ
@given(st.binary(max_size=400))
def test_random_token_bytes_are_malformed(verifier: Verifier, token: bytes) -> None:
    assert verifier.verify(token, now=NOW).result is Result.MALFORMED


def test_cards_printed_with_the_old_cwt_tag_still_verify(verifier: Verifier, qr_text: str) -> None:
    bare = decode_qr_text(qr_text)
    assert cbor2.loads(bare).tag == 18
    old_form = cbor2.dumps(cbor2.CBORTag(61, cbor2.loads(bare)))  # cards printed before 0.9
    outcome = verifier.verify(encode_qr_text(old_form), now=NOW)
    assert outcome.result is Result.VALID
    assert outcome.claims == verifier.verify(qr_text, now=NOW).claims


def test_every_refusal_says_why(verifier: Verifier, qr_text: str) -> None:
    for bad in ("not a card", qr_text[:-9]):
        outcome = verifier.verify(bad, now=NOW)
        assert outcome.result is Result.MALFORMED and outcome.message
    stranger = Verifier([(b"other", MemorySigner("other").public_key_raw())], now=NOW)
    unknown = stranger.verify(qr_text, now=NOW)
    assert unknown.result is Result.UNKNOWN_KEY and "not trust" in (unknown.message or "")
    assert "message" not in verifier.verify(qr_text, now=NOW).to_json()
