"""Reading what production publishes the way an outsider would: status bits from the
exported signed list, the manifest through jwcrypto, the PDF through pypdf."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from cityid.cards.keys import IssuerKeys
from cityid.cards.status_list import verify_status_list_token
from cityid.cards.tables import cards
from cityid.store.uow import UnitOfWork
from tests.production_service.conftest import Floor

VALID, REVOKED, SUSPENDED = 0, 1, 2


def status_bit(floor: Floor, tmp_path: Path, card_number: str) -> int:
    """The card's bit in the signed status list a verifier downloads (checked with the
    exported public keys)."""
    keys, token = tmp_path / "keys.cbor", tmp_path / "list.cwt"
    assert floor.anon("keys", "export-public", "--out", str(keys)).code == 0
    with UnitOfWork(floor.runtime.engine, read_only=True) as uow:
        row = uow.conn.execute(cards.select().where(cards.c.card_number == card_number)).one()
    exported = floor.anon("status-list", "export", "--out", str(token), "--list",
                          str(row.status_list))  # fmt: skip
    assert exported.code == 0, exported.out
    verified = verify_status_list_token(
        token.read_bytes(), IssuerKeys.from_cose_key_set(keys.read_bytes()),
        now=dt.datetime.now(dt.UTC),
    )  # fmt: skip
    return verified.status_of(int(row.status_index))


def export_files(out: Path, batch_id: str) -> dict[str, Path]:
    return {
        "manifest": out / f"{batch_id}-manifest.json",
        "signature": out / f"{batch_id}-manifest.jws",
        "sheets": out / f"{batch_id}-sheets.pdf",
    }


def manifest_of(out: Path, batch_id: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(export_files(out, batch_id)["manifest"].read_bytes())
    return loaded
