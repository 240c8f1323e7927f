"""What a served instance publishes, read only with libraries we did not write.

Keys are parsed by `jwcrypto` (JWK Set) and `pycose` (COSE_KeySet); cards and status lists
are checked with those keys by those libraries; status list bits are read by the
`token-status-list` package; QR text is undone by the `base45` package and zlib.
"""

from __future__ import annotations

import base64
import json
import zlib
from pathlib import Path
from typing import Any

import base45
import cbor2
import claim169
import httpx
import jwcrypto.jwk
import jwcrypto.jws
import pytest
from pycose.headers import KID
from pycose.keys import CoseKey
from pycose.messages import Sign1Message
from token_status_list import BitArray

from cityid.cards import status_changes
from cityid.cards.results import Issued
from tests.cards_service.conftest import PublicSite

JWK_SET = "application/jwk-set+json"
CWT = "application/statuslist+cwt"
JWT = "application/statuslist+jwt"


def _sign1(token: bytes) -> Sign1Message:
    """pycose's COSE_Sign1 from a tagged token (cbor2 6 yields tuples; pycose wants lists)."""
    item = cbor2.loads(token)
    assert isinstance(item, cbor2.CBORTag) and item.tag == 18  # bare COSE_Sign1
    protected, unprotected, payload, signature = item.value
    return Sign1Message.from_cose_obj([protected, dict(unprotected), payload, signature], True)


def _cose_keys(site: PublicSite) -> dict[bytes, CoseKey]:
    answer = httpx.get(f"{site.url}/.well-known/cityid/keys")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/cose-key-set"
    assert answer.headers["access-control-allow-origin"] == "*"
    keys = [CoseKey.from_dict(dict(entry)) for entry in cbor2.loads(answer.content)]
    return {bytes(key.kid): key for key in keys}


def _jwks(site: PublicSite) -> jwcrypto.jwk.JWKSet:
    answer = httpx.get(f"{site.url}/.well-known/cityid/keys", headers={"Accept": JWK_SET})
    assert answer.status_code == 200 and answer.headers["content-type"] == JWK_SET
    return jwcrypto.jwk.JWKSet.from_json(answer.text)


def _verify_with_pycose(token: bytes, keys: dict[bytes, CoseKey]) -> Sign1Message:
    message = _sign1(token)
    message.key = keys[bytes(message.phdr[KID])]
    assert message.verify_signature()
    return message


def _card_token(site: PublicSite, card_number: str) -> bytes:
    qr = site.desk.qr(card_number)
    return zlib.decompress(base45.b45decode(qr))


def _issued(site: PublicSite) -> Issued:
    return site.desk.issue()


def test_the_jwk_set_loads_in_jwcrypto_with_each_keys_validity(public_site: PublicSite) -> None:
    jwks = _jwks(public_site)
    document = json.loads(jwks.export(private_keys=False))
    assert document["keys"]
    for key in document["keys"]:
        assert (key["kty"], key["crv"], key["alg"], key["use"]) == (
            "OKP",
            "Ed25519",
            "EdDSA",
            "sig",
        )
        assert key["kid"]
    raw = httpx.get(f"{public_site.url}/.well-known/cityid/keys",
                    headers={"Accept": JWK_SET}).json()  # fmt: skip
    assert all(isinstance(k["nbf"], int) for k in raw["keys"])  # validity: from when it signs


def test_a_card_verifies_with_keys_parsed_by_pycose_and_by_jwcrypto(
    public_site: PublicSite,
) -> None:
    card = _issued(public_site)
    token = _card_token(public_site, card.card_number)
    message = _verify_with_pycose(token, _cose_keys(public_site))
    claims = cbor2.loads(message.payload)
    assert claims[169][1] == card.card_number
    # The same signature, checked with the key as jwcrypto parsed it from the JWK Set.
    kid = cbor2.loads(cbor2.loads(token).value[0])[4].decode()
    jwk = _jwks(public_site).get_key(kid)
    assert jwk is not None
    jwk.get_op_key("verify").verify(message.signature, message._create_sig_structure())


def _status_reference(site: PublicSite, card_number: str) -> tuple[int, str]:
    claims = cbor2.loads(_sign1(_card_token(site, card_number)).payload)
    reference = claims[65535]["status_list"]  # the draft's "status" claim, CWT key 65535
    return int(reference["idx"]), str(reference["uri"])


def _cwt_list(site: PublicSite, uri: str) -> tuple[dict[Any, Any], BitArray]:
    answer = httpx.get(uri, headers={"Accept": CWT})
    assert answer.status_code == 200 and answer.headers["content-type"] == CWT
    assert answer.headers["access-control-allow-origin"] == "*"
    message = _verify_with_pycose(answer.content, _cose_keys(site))
    assert cbor2.loads(message.phdr_encoded)[16] == CWT  # the COSE "typ" header
    claims = cbor2.loads(message.payload)
    status_list = claims[65533]
    return claims, BitArray(status_list["bits"], zlib.decompress(status_list["lst"]))


def _jwt_list(site: PublicSite, uri: str) -> tuple[dict[str, Any], BitArray]:
    answer = httpx.get(uri, headers={"Accept": JWT})
    assert answer.status_code == 200 and answer.headers["content-type"] == JWT
    jws = jwcrypto.jws.JWS()
    jws.deserialize(answer.text)
    header = jws.jose_header
    assert header["typ"] == "statuslist+jwt" and header["alg"] == "EdDSA"
    jws.verify(_jwks(site).get_key(header["kid"]))  # raises unless the signature holds
    claims = json.loads(jws.payload)
    status_list = claims["status_list"]
    return claims, BitArray.from_b64(status_list["bits"], status_list["lst"])


def test_status_lists_in_both_forms_name_themselves_and_flip_one_index(
    public_site: PublicSite,
) -> None:
    first, second = _issued(public_site), _issued(public_site)
    index, uri = _status_reference(public_site, first.card_number)
    other_index, other_uri = _status_reference(public_site, second.card_number)
    assert uri.startswith(public_site.url + "/status-lists/") and other_uri == uri

    claims, before = _cwt_list(public_site, uri)
    assert claims[2] == uri  # sub: the URL it is served at
    assert claims[6] <= claims[4] and claims[65534] > 0  # iat, exp, ttl
    assert before.bits == 2 and before[index] == 0 and before[other_index] == 0

    site = public_site.desk
    site.do(status_changes.change_status, first.card_number, "revoke", "reported lost")
    site.do(status_changes.change_status, second.card_number, "suspend", "under review")
    _, after = _cwt_list(public_site, uri)
    assert after[index] == 1 and after[other_index] == 2  # 1 invalid, 2 suspended
    changed = [i for i in range(len(before)) if before[i] != after[i]]
    assert changed == sorted([index, other_index])  # exactly those entries

    jwt_claims, from_jwt = _jwt_list(public_site, uri)
    assert jwt_claims["sub"] == uri and jwt_claims["ttl"] > 0
    assert jwt_claims["iat"] <= jwt_claims["exp"]
    assert bytes(from_jwt.lst) == bytes(after.lst)  # the same bits in both forms


def test_status_lists_negotiate_and_refuse_what_they_cannot_serve(
    public_site: PublicSite,
) -> None:
    _issued(public_site)
    url = f"{public_site.url}/status-lists/1"
    assert httpx.get(url).headers["content-type"] == CWT  # no Accept: the CWT form
    assert httpx.get(url, headers={"Accept": "*/*"}).headers["content-type"] == CWT
    preferred = httpx.get(url, headers={"Accept": f"{CWT};q=0.5, {JWT}"})
    assert preferred.headers["content-type"] == JWT
    assert "accept" in preferred.headers["vary"].lower()
    refused = httpx.get(url, headers={"Accept": "application/xml"})
    assert refused.status_code == 406
    assert "statuslist+jwt" in refused.json()["error"]["message"]
    missing = httpx.get(f"{public_site.url}/status-lists/99", headers={"Accept": JWT})
    assert missing.status_code == 404


@pytest.mark.parametrize("accept", ["application/json", JWK_SET])
def test_the_keys_answer_json_callers_in_json(public_site: PublicSite, accept: str) -> None:
    answer = httpx.get(f"{public_site.url}/.well-known/cityid/keys", headers={"Accept": accept})
    assert answer.headers["content-type"].startswith(accept)
    assert jwcrypto.jwk.JWKSet.from_json(answer.text)


def test_a_card_in_another_script_reads_in_claim169_with_the_exported_key(
    public_site: PublicSite, tmp_path: Path
) -> None:
    site = public_site.desk
    card = site.issue(given_name="Иван", family_name="Петров", language="rus")
    exported = tmp_path / "keys.json"
    assert site.anon("keys", "export-public", "--out", str(exported)).code == 0
    jwks = jwcrypto.jwk.JWKSet.from_json(exported.read_text())
    qr = site.qr(card.card_number)
    decoded = None
    for key in jwks["keys"]:
        raw = base64.urlsafe_b64decode(key.export_public(as_dict=True)["x"] + "==")
        try:
            decoded = claim169.decode_with_ed25519(qr, raw)
        except claim169.Claim169Exception:
            continue
    assert decoded is not None and decoded.is_verified()
    identity = decoded.claim169
    assert identity.id == card.card_number
    assert identity.full_name == "Ivan Petrov"  # ICAO 9303, what an officer can read
    assert (identity.first_name, identity.last_name) == ("Ivan", "Petrov")
    assert identity.secondary_full_name == "Иван Петров"  # the name as written, beside it
    assert identity.date_of_birth == "19850304"
    assert identity.face and identity.face[0].data  # the photo
    assert decoded.cwt_meta.issuer == site.runtime.policy.program.issuer_uri
    assert decoded.cwt_meta.expires_at > decoded.cwt_meta.issued_at
    shown = site.anon("verify", qr, "--purpose", "identity")
    assert shown.json["claims"]["full_name"] == "Ivan Petrov"
    assert shown.json["claims"]["native_name"] == "Иван Петров"


def test_every_public_format_answers_head_and_any_origin_but_staff_routes_do_not(
    public_site: PublicSite,
) -> None:
    from cityid.audit import service as audit
    from cityid.store.uow import UnitOfWork

    _issued(public_site)
    with UnitOfWork(public_site.desk.runtime.engine) as uow:
        audit.create_checkpoint(public_site.desk.runtime, uow)
        uow.commit()
    origin = {"Origin": "https://bank.example"}
    for path in ("/.well-known/cityid/keys", "/status-lists/1", "/.well-known/cityid/verifier-pack",
                 "/log/checkpoint", "/audit/checkpoint", "/audit/public-key"):  # fmt: skip
        url = f"{public_site.url}{path}"
        got = httpx.get(url, headers=origin)
        head = httpx.head(url, headers=origin)
        assert got.status_code == head.status_code == 200, path
        assert head.content == b"" and head.headers["content-type"] == got.headers["content-type"]
        assert head.headers["access-control-allow-origin"] == "*", path
        asking = {
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "accept",
        }
        preflight = httpx.options(url, headers=origin | asking)
        assert (
            preflight.status_code == 204
            and "GET" in preflight.headers["access-control-allow-methods"]
        )
    refused = httpx.post(f"{public_site.url}/status-lists/1")
    assert refused.status_code == 405 and set(refused.headers["allow"].split(", ")) == {
        "GET",
        "HEAD",
    }
    staff = httpx.get(f"{public_site.url}/api/v1/holds", headers=origin)
    assert "access-control-allow-origin" not in staff.headers
