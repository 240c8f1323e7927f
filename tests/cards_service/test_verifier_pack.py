"""The verifier pack end to end: exported or served, then checked with no data dir."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from cityid.audit import service as audit_service
from cityid.cards import status_changes, verifier_pack_service
from cityid.cards.cwt import decode_claims, decode_signed
from cityid.cards.verifier_pack import CLAIM_EXP, CLAIM_IAT, MEDIA_TYPE
from cityid.store.uow import UnitOfWork
from cityid.web.app import create_app
from tests.cards_service.conftest import Desk


def _pinned_keys(desk: Desk, tmp_path: Path, name: str = "keys.cbor") -> Path:
    keys = tmp_path / name
    assert desk.anon("keys", "export-public", "--out", str(keys)).code == 0
    return keys


def _export(desk: Desk, tmp_path: Path, name: str = "pack.cwt") -> Path:
    pack = tmp_path / name
    exported = desk.anon("verifier-pack", "export", "--out", str(pack))
    assert exported.code == 0, exported.out
    assert exported.json["bytes"] == pack.stat().st_size
    return pack


def _backdated(desk: Desk, tmp_path: Path, age: dt.timedelta) -> Path:
    with UnitOfWork(desk.runtime.engine, read_only=True) as uow:
        built = verifier_pack_service.build(desk.runtime, uow, now=dt.datetime.now(dt.UTC) - age)
    path = tmp_path / "old-pack.cwt"
    path.write_bytes(built.data)
    return path


def _verify(desk: Desk, qr: str, pack: Path, keys: Path) -> Any:
    return desk.anon("verify", qr, "--pack", str(pack), "--keys", str(keys))


def test_a_card_verifies_offline_with_the_pack_and_a_revocation_reaches_the_next(
    desk: Desk, tmp_path: Path
) -> None:
    number = desk.issue().card_number
    qr = desk.qr(number)
    keys = _pinned_keys(desk, tmp_path)
    pack = _export(desk, tmp_path)
    checked = _verify(desk, qr, pack, keys)
    assert checked.code == 0, checked.out
    assert checked.json["result"] == "valid" and checked.json["mode"] == "pack"
    assert checked.json["status_checked"] is True and checked.json["status_stale"] is False
    assert checked.json["claims"]["card_number"] == number

    desk.do(status_changes.change_status, number, "revoke", "Reported stolen")
    assert _verify(desk, qr, pack, keys).json["result"] == "valid"  # yesterday's pack
    fresh = _export(desk, tmp_path, "fresh.cwt")
    assert _verify(desk, qr, fresh, keys).json["result"] == "revoked"


def test_past_ttl_stale_past_exp_refused(desk: Desk, tmp_path: Path) -> None:
    qr = desk.qr(desk.issue().card_number)
    keys = _pinned_keys(desk, tmp_path)
    ttl = desk.runtime.policy.card.status_list_ttl_seconds
    stale = _verify(desk, qr, _backdated(desk, tmp_path, dt.timedelta(seconds=ttl + 60)), keys)
    assert stale.code == 0, stale.out
    assert stale.json["result"] == "valid" and stale.json["status_stale"] is True
    expired = _verify(desk, qr, _backdated(desk, tmp_path, dt.timedelta(days=8)), keys)
    assert expired.code == 1
    assert expired.json["error"]["code"] == "verifier_pack_rejected"
    assert "expired" in expired.json["error"]["message"]


def test_truncated_untrusted_or_unanchored_packs_are_refused(desk: Desk, tmp_path: Path) -> None:
    qr = desk.qr(desk.issue().card_number)
    old_keys = _pinned_keys(desk, tmp_path)
    pack = _export(desk, tmp_path)
    truncated = tmp_path / "truncated.cwt"
    truncated.write_bytes(pack.read_bytes()[: pack.stat().st_size // 2])
    cut = _verify(desk, qr, truncated, old_keys)
    assert cut.code == 1 and "truncated or corrupt" in cut.json["error"]["message"]

    no_anchor = desk.anon("verify", qr, "--pack", str(pack))
    assert no_anchor.code == 2 and "--keys" in no_anchor.json["error"]["message"]

    # After a rotation the pack is signed by the new key: a verifier that pinned only the
    # old one refuses it until it pins the new key set, however the pack vouches for itself.
    desk.runtime.keystore.rotate_signing("card-issuer")
    rotated = _export(desk, tmp_path, "rotated.cwt")
    refused = _verify(desk, qr, rotated, old_keys)
    assert refused.code == 1 and refused.json["error"]["code"] == "verifier_pack_rejected"
    assert "not among the keys you trust" in refused.json["error"]["message"]
    repinned = _pinned_keys(desk, tmp_path, "keys-new.cbor")
    assert _verify(desk, qr, rotated, repinned).json["result"] == "valid"  # old card, new pack


def _contents(data: bytes) -> dict[Any, Any]:
    """The pack's payload without its dates; status lists as their decoded claims."""
    claims = dict(decode_claims(decode_signed(data).payload))
    del claims[CLAIM_IAT], claims[CLAIM_EXP]
    claims["status_lists"] = [
        {k: v for k, v in decode_claims(decode_signed(t).payload).items() if k not in (4, 6)}
        for t in claims["status_lists"]
    ]
    return claims


def test_the_served_pack_is_the_exported_one_and_carries_the_checkpoint(
    desk: Desk, tmp_path: Path
) -> None:
    number = desk.issue().card_number
    desk.do(status_changes.change_status, number, "suspend", "Not yet collected")
    with UnitOfWork(desk.runtime.engine) as uow:
        checkpoint = audit_service.create_checkpoint(desk.runtime, uow)
        uow.commit()
    keys = _pinned_keys(desk, tmp_path)
    exported = _export(desk, tmp_path).read_bytes()
    with TestClient(create_app(desk.runtime)) as client:
        served = client.get("/.well-known/cityid/verifier-pack")
    assert served.status_code == 200
    assert served.headers["content-type"].startswith(MEDIA_TYPE)
    assert served.headers["access-control-allow-origin"] == "*"
    assert "max-age=" in served.headers["cache-control"]
    assert _contents(served.content) == _contents(exported)
    assert _contents(exported)["checkpoint"] == checkpoint.note

    shown = desk.anon("verifier-pack", "show", str(tmp_path / "pack.cwt"), "--keys", str(keys))
    assert shown.code == 0, shown.out
    assert shown.json["checkpoint"] == checkpoint.note and shown.json["stale"] is False
    assert [k["key_id"] for k in shown.json["keys"]] == [
        k.key_id for k in desk.runtime.keystore.public_keys("card-issuer")
    ]
    assert _verify(desk, desk.qr(number), tmp_path / "pack.cwt", keys).json["result"] == (
        "suspended"
    )


def test_the_pack_and_the_lists_inside_verify_in_pycose_with_the_exported_keys(
    desk: Desk, tmp_path: Path
) -> None:
    """The pack is plain COSE: a verifier that never installs cityid can check it."""
    import cbor2
    from pycose.headers import KID
    from pycose.keys import CoseKey
    from pycose.messages import Sign1Message

    def sign1(token: bytes) -> Sign1Message:
        item = cbor2.loads(token)
        assert isinstance(item, cbor2.CBORTag) and item.tag == 18
        protected, unprotected, payload, signature = item.value
        return Sign1Message.from_cose_obj([protected, dict(unprotected), payload, signature], True)

    desk.issue()
    keys = {
        bytes(k.kid): k
        for k in (
            CoseKey.from_dict(dict(e))
            for e in cbor2.loads(_pinned_keys(desk, tmp_path).read_bytes())
        )
    }
    pack = sign1(_export(desk, tmp_path).read_bytes())
    pack.key = keys[bytes(pack.phdr[KID])]
    assert pack.verify_signature()
    contents = cbor2.loads(pack.payload)
    assert contents["status_lists"]
    for token in contents["status_lists"]:
        status_list = sign1(token)
        status_list.key = keys[bytes(status_list.phdr[KID])]
        assert status_list.verify_signature()
