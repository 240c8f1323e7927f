"""Cards from approved applications, checked the way a verifier would check them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import sqlalchemy as sa
import zxingcpp
from PIL import Image

from cityid.audit.tables import audit_entries
from cityid.cards import issuing, service, status_changes
from cityid.cards.numbers import is_valid_card_number
from cityid.cards.tables import card_events
from cityid.enrollment.tables import applications
from cityid.store.uow import UnitOfWork
from tests.cards_service.card_helpers import STREET
from tests.cards_service.conftest import Desk
from tests.conftest import ADMIN_PASSWORD


def _issue(desk: Desk) -> dict:
    issued = desk.run("card", "issue", desk.new_application())
    assert issued.code == 0, issued.out
    return issued.json


def _qr(desk: Desk, number: str) -> str:
    result = desk.run("card", "qr", number)
    assert result.code == 0, result.out
    assert result.json["card_number"] == number
    return result.json["qr"]


def _offline(desk: Desk, tmp_path: Path, qr: str, purpose: str = "identity") -> dict:
    """Verify as a bank would: keys and a freshly exported status list, no data dir."""
    keys, lists = tmp_path / "keys.cbor", tmp_path / "status.cwt"
    assert desk.anon("keys", "export-public", "--out", str(keys)).code == 0
    assert desk.anon("status-list", "export", "--out", str(lists)).code == 0
    result = desk.anon(
        "verify", qr, "--keys", str(keys), "--status-list", str(lists), "--purpose", purpose
    )
    assert result.code == 0, result.out
    return result.json


def test_issue_then_qr_verifies_valid(desk: Desk, tmp_path: Path) -> None:
    issued = _issue(desk)
    assert set(issued) >= {"card_number", "application_id", "expires", "status_index"}
    assert is_valid_card_number(issued["card_number"])
    born, today = dt.date(1985, 3, 4), desk.runtime.today()
    expected = today.replace(year=today.year + 5)
    assert issued["expires"] == expected.isoformat()  # adult: five years
    with UnitOfWork(desk.runtime.engine) as uow:
        status = uow.conn.execute(
            sa.select(applications.c.status).where(
                applications.c.application_id == issued["application_id"]
            )
        ).scalar_one()
    assert status == "issued"

    qr = _qr(desk, issued["card_number"])
    checked = desk.anon("verify", qr)  # the data dir's own keys and current list
    assert checked.code == 0
    assert checked.json["result"] == "valid" and checked.json["status_checked"] is True
    assert checked.json["claims"]["card_number"] == issued["card_number"]
    assert checked.json["claims"]["date_of_birth"] == born.isoformat()
    assert checked.json["claims"]["photo"].startswith("data:image/webp;base64,")

    age = _offline(desk, tmp_path, qr, purpose="age")
    assert age["result"] == "valid" and set(age["claims"]) == {"photo", "over_18", "over_21"}
    assert STREET not in str(age)

    again = desk.run("card", "issue", issued["application_id"])
    assert again.code == 1 and again.json["error"]["code"] == "wrong_status"


def test_minor_card_lasts_two_years(desk: Desk) -> None:
    today = desk.runtime.today()
    born = today.replace(year=today.year - 12) - dt.timedelta(days=40)
    parent_id = {"type": "consular_id", "number": "MX-CONSUL-4410", "issuing_country": "MEX",
                 "expires": (today + dt.timedelta(days=700)).isoformat()}  # fmt: skip
    birth = {"type": "foreign_birth_certificate", "number": "BC-4410", "issuing_country": "MEX"}
    issued = desk.issue(
        born=born, caretaker={"relationship": "parent", "documents": [parent_id, birth]}
    )
    assert issued.expires == today.replace(year=today.year + 2).isoformat()


def test_revoke_suspend_reinstate_show_in_the_next_list(desk: Desk, tmp_path: Path) -> None:
    number = desk.issue().card_number
    qr = desk.qr(number)
    assert _offline(desk, tmp_path, qr)["result"] == "valid"

    suspended = desk.run("card", "suspend", number, "--reason", "Holder reported it missing")
    assert suspended.code == 0 and suspended.json["status"] == "suspended"
    assert _offline(desk, tmp_path, qr)["result"] == "suspended"
    desk.do(status_changes.change_status, number, "reinstate", "Found it at home")
    assert _offline(desk, tmp_path, qr)["result"] == "valid"
    revoked = desk.run(
        "card", "revoke", number, "--reason", "Sold to a stranger", "--code", "fraud"
    )
    assert revoked.code == 0 and revoked.json["status"] == "revoked"
    offline = _offline(desk, tmp_path, qr)
    assert offline["result"] == "revoked" and offline["claims"] == {}
    again = desk.run("card", "reinstate", number, "--reason", "oops")
    assert again.code == 1 and again.json["error"]["code"] == "wrong_card_status"

    with UnitOfWork(desk.runtime.engine) as uow:
        reasons = uow.conn.execute(sa.select(card_events.c.reason_text)).scalars().all()
        entries = uow.conn.execute(sa.select(audit_entries.c.entry)).scalars().all()
        leaves = b"".join(bytes(e) for e in entries)
    assert "Sold to a stranger" in reasons
    assert b"Sold to a stranger" not in leaves and b"fraud" in leaves  # code, not text
    assert number.encode() not in leaves  # audit names cards by opaque id


def test_old_cards_verify_after_key_rotation(desk: Desk, tmp_path: Path) -> None:
    old_number = desk.issue().card_number
    old_qr = desk.qr(old_number)
    old_key = desk.do(service.get_card, old_number).signing_key_id
    admin_pw = tmp_path / "admin.pw"
    admin_pw.write_text(ADMIN_PASSWORD)
    rotated = desk.run(
        "--actor", "admin", "--password-file", str(admin_pw), "keys", "rotate", "--kind", "signing"
    )
    assert rotated.code == 0, rotated.out
    new_number = desk.issue().card_number  # this process sees the rotation too
    new_qr = desk.qr(new_number)
    assert desk.do(service.get_card, new_number).signing_key_id in rotated.json["new_key_ids"]
    assert old_key not in rotated.json["new_key_ids"]
    assert _offline(desk, tmp_path, old_qr)["result"] == "valid"
    assert _offline(desk, tmp_path, new_qr)["result"] == "valid"
    jwk = tmp_path / "keys.json"
    assert desk.anon("keys", "export-public", "--out", str(jwk)).code == 0
    unchecked = desk.anon("verify", old_qr, "--keys", str(jwk))  # keys, but no status list
    assert unchecked.code == 1 and unchecked.json["result"] == "status_unknown"
    by_jwk = desk.anon("verify", old_qr, "--keys", str(jwk), "--no-status-check")
    assert by_jwk.json["result"] == "valid" and by_jwk.json["status_checked"] is False


def test_rendered_card_reads_back_and_verifies(desk: Desk, tmp_path: Path) -> None:
    number = desk.issue().card_number
    back, pdf = tmp_path / "back.png", tmp_path / "card.pdf"
    assert desk.run("card", "render", number, "--out", str(back), "--side", "back").code == 0
    assert desk.run("card", "render", number, "--out", str(pdf)).code == 0
    assert pdf.read_bytes().startswith(b"%PDF") and b"/Count 2" in pdf.read_bytes()
    with Image.open(back) as image:
        assert image.size == (1011, 638)
        found = zxingcpp.read_barcodes(image)
    assert len(found) == 1
    assert _offline(desk, tmp_path, found[0].text)["result"] == "valid"
    by_image = desk.anon("verify", "--image", str(back), "--purpose", "residency")
    assert by_image.code == 0 and by_image.json["claims"]["postal_code"] == "11372"
    unreadable = tmp_path / "not.png"
    unreadable.write_bytes(b"not a picture")
    assert desk.anon("verify", "--image", str(unreadable)).code == 1


def test_replacement_revokes_the_old_card_and_charges_the_fee(desk: Desk, tmp_path: Path) -> None:
    old = desk.issue()
    old_qr = desk.qr(old.card_number)
    replaced = desk.run("card", "replace", old.card_number, "--reason", "stolen")
    assert replaced.code == 0, replaced.out
    new = replaced.json
    assert new["card_number"] != old.card_number and new["expires"] == old.expires
    assert new["fee_cents"] == desk.runtime.policy.card.replacement_fee_cents
    assert _offline(desk, tmp_path, old_qr)["result"] == "revoked"
    assert _offline(desk, tmp_path, desk.qr(new["card_number"]))["result"] == "valid"
    waived = desk.do(issuing.replace, new["card_number"], reason="lost", fee_waived=True)
    assert waived.fee_cents == 0 and waived.fee_waived is True


def test_renewal_inside_the_window_only(desk: Desk) -> None:
    runtime, actor = desk.runtime, desk.actor
    app = desk.new_application()
    near_end = runtime.today().replace(year=runtime.today().year - 5) + dt.timedelta(days=20)
    with UnitOfWork(runtime.engine) as uow:  # a card issued almost five years ago
        old = issuing.issue(uow, runtime, actor, app, today=near_end)
        uow.commit()
    renewal = desk.new_application(application_type="renewal", previous_application_id=app)
    renewed = desk.run("card", "renew", old.card_number, "--application", renewal)
    assert renewed.code == 0, renewed.out
    assert renewed.json["expires"] > old.expires
    shown = desk.anon("card", "show", old.card_number)
    assert shown.code == 1  # card.read needs a signed-in staff member
    card = desk.do(service.get_card, old.card_number)
    assert card.status_on(desk.runtime.today()) == "replaced"

    fresh = desk.issue()  # five years to run: far outside its renewal window
    too_early = desk.run("card", "renew", fresh.card_number, "--application", renewal)
    assert too_early.code == 1 and too_early.json["error"]["code"] == "refused"
