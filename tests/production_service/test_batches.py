"""Print batches through the CLI: the life cycle, the once-only export, the signed
manifest read with jwcrypto, and the PDF sheets read with pypdf."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pypdf
import pytest
import sqlalchemy as sa
from jwcrypto import jwk, jws

from cityid.audit.tables import audit_entries
from cityid.production.tables import production_events
from cityid.store.uow import UnitOfWork
from tests.cards_service.card_helpers import STREET
from tests.production_service.conftest import Floor
from tests.production_service.helpers import export_files, manifest_of

ID1_POINTS = (242.65, 153.01)


def _cut(floor: Floor) -> dict:
    cut = floor.as_user("printer", "production", "cut")
    assert cut.code == 0, cut.out
    return cut.json


def test_a_batch_goes_cut_exported_printed_mailed_delivered(floor: Floor, tmp_path: Path) -> None:
    mailed = floor.issue().card_number
    kept = floor.issue(pickup_at_centre=True, centre="Bronx Library Center").card_number
    queue = floor.as_user("printer", "production", "queue")
    assert queue.json == {"waiting": 2, "by_mail": 1, "for_pickup": 1}

    batch = _cut(floor)
    assert batch["status"] == "cut" and batch["cards"] == 2
    assert floor.as_user("printer", "production", "queue").json["waiting"] == 0
    empty = floor.as_user("printer", "production", "cut")
    assert empty.code == 1 and empty.json["error"]["code"] == "queue_empty"

    batch_id = batch["batch_id"]
    early = floor.as_user("printer", "production", "mailed", batch_id)
    assert early.code == 1 and early.json["error"]["code"] == "wrong_batch_status"
    assert "once it is printed" in early.json["error"]["message"]

    out = tmp_path / "partner"
    exported = floor.as_user("printer", "production", "export", batch_id, "--out", str(out))
    assert exported.code == 0, exported.out
    assert exported.json["cards"] == 2 and exported.json["export"] == 1
    for step in ("printed", "mailed"):
        moved = floor.as_user("printer", "production", step, batch_id, "--on", "2026-12-01")
        assert moved.code == 0 and moved.json["status"] == step
    delivered = floor.as_user("printer", "production", "delivered", batch_id)
    assert delivered.json["counts"] == {"at_centre": 1, "delivered": 1}

    shown = floor.as_user("printer", "production", "show", batch_id).json
    states = {item["card_number"]: item for item in shown["items"]}
    assert states[mailed]["state"] == "delivered" and states[mailed]["delivery"] == "mail"
    assert states[kept]["state"] == "at_centre" and states[kept]["waiting_since"] == "2026-12-01"
    assert shown["batch"]["printed_on"] == "2026-12-01"
    listed = floor.as_user("printer", "production", "list").json
    assert [b["batch_id"] for b in listed] == [batch_id]


def test_a_clerk_may_not_cut_or_export(floor: Floor) -> None:
    floor.issue()
    refused = floor.as_user("clerk", "production", "cut")
    assert refused.code == 1 and refused.json["error"]["code"] == "forbidden"


def test_the_second_export_is_refused_unless_a_supervisor_reexports(
    floor: Floor, tmp_path: Path
) -> None:
    floor.issue()
    batch_id = _cut(floor)["batch_id"]
    first, second = tmp_path / "first", tmp_path / "second"
    assert floor.as_user("printer", "production", "export", batch_id, "--out", str(first)).code == 0

    again = floor.as_user("printer", "production", "export", batch_id, "--out", str(second))
    assert again.code == 1 and again.json["error"]["code"] == "already_exported"
    assert "nothing was changed" in again.json["error"]["message"]
    assert not second.exists() or not any(second.iterdir())  # no file written
    shown = floor.as_user("printer", "production", "show", batch_id).json["batch"]
    assert shown["exports"] == 1

    by_printer = floor.as_user(
        "printer", "production", "export", batch_id, "--out", str(second), "--again",
        "--reason", "The printer jammed",
    )  # fmt: skip
    assert by_printer.code == 1 and by_printer.json["error"]["code"] == "forbidden"
    no_reason = floor.as_user("sup", "production", "export", batch_id, "--out", str(second),
                              "--again")  # fmt: skip
    assert no_reason.code == 1 and no_reason.json["error"]["code"] == "bad_input"
    redone = floor.as_user(
        "sup", "production", "export", batch_id, "--out", str(second), "--again",
        "--reason", "The printer jammed on sheet 3",
    )  # fmt: skip
    assert redone.code == 0, redone.out
    assert redone.json["export"] == 2
    assert manifest_of(second, batch_id)["export"] == 2

    with UnitOfWork(floor.runtime.engine, read_only=True) as uow:
        reasons = uow.conn.execute(sa.select(production_events.c.reason_text)).scalars().all()
        actions = uow.conn.execute(sa.select(audit_entries.c.action)).scalars().all()
        leaves = b"".join(
            bytes(e) for e in uow.conn.execute(sa.select(audit_entries.c.entry)).scalars()
        )
    assert "The printer jammed on sheet 3" in reasons
    assert b"jammed" not in leaves  # the reason text stays out of the audit log
    assert actions.count("production.export") == 1 and actions.count("production.reexport") == 1


def test_the_manifest_verifies_with_the_exported_public_keys(floor: Floor, tmp_path: Path) -> None:
    mailed = floor.issue().card_number
    kept = floor.issue(pickup_at_centre=True, centre="Bronx Library Center").card_number
    batch_id = _cut(floor)["batch_id"]
    out = tmp_path / "partner"
    assert floor.as_user("printer", "production", "export", batch_id, "--out", str(out)).code == 0
    keys = tmp_path / "issuer.json"
    assert floor.anon("keys", "export-public", "--out", str(keys)).code == 0

    files = export_files(out, batch_id)
    payload = files["manifest"].read_bytes()
    token = jws.JWS()
    token.deserialize(files["signature"].read_text())
    key_set = jwk.JWKSet.from_json(keys.read_text())
    header = (
        json.loads(token.jose_header) if isinstance(token.jose_header, str) else token.jose_header
    )
    key = key_set.get_key(header["kid"])
    assert key is not None
    token.verify(key, detached_payload=payload)  # raises if it does not verify

    tampered = payload.replace(STREET.encode(), b"1 Elsewhere St")
    assert tampered != payload
    bad = jws.JWS()
    bad.deserialize(files["signature"].read_text())
    with pytest.raises(jws.InvalidJWSSignature):
        bad.verify(key, detached_payload=tampered)

    manifest = json.loads(payload)
    by_number = {c["card_number"]: c for c in manifest["cards"]}
    assert set(by_number) == {mailed, kept}
    assert by_number[mailed]["deliver_to"]["line1"] == STREET
    assert by_number[kept]["deliver_to"] == {"centre": "Bronx Library Center"}
    assert manifest["sheets"]["sha256"] == hashlib.sha256(files["sheets"].read_bytes()).hexdigest()
    text = payload.decode()
    for internal in ("app-", "card-", "photo", "application_id"):
        assert internal not in text  # card numbers and print data only


def test_the_sheets_are_id1_pages_front_and_back(floor: Floor, tmp_path: Path) -> None:
    numbers = [floor.issue().card_number for _ in range(3)]
    batch_id = _cut(floor)["batch_id"]
    out = tmp_path / "partner"
    assert floor.as_user("printer", "production", "export", batch_id, "--out", str(out)).code == 0
    reader = pypdf.PdfReader(export_files(out, batch_id)["sheets"])
    assert len(reader.pages) == 2 * len(numbers)
    for page in reader.pages:
        box = page.mediabox
        assert float(box.left) == 0 and float(box.bottom) == 0
        assert float(box.width) == pytest.approx(ID1_POINTS[0], abs=0.01)
        assert float(box.height) == pytest.approx(ID1_POINTS[1], abs=0.01)
        # The card image fills the page: one image, drawn at the page's full size.
        assert len(page.images) == 1
        content = page.get_contents()
        assert content is not None
        placed = re.search(rb"([\d.]+) 0 0 ([\d.]+) 0 0 cm /\w+ Do", content.get_data())
        assert placed is not None, "the card image is not placed at the page's origin"
        assert float(placed[1]) == pytest.approx(ID1_POINTS[0], abs=0.01)
        assert float(placed[2]) == pytest.approx(ID1_POINTS[1], abs=0.01)
