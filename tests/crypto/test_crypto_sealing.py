"""Field sealing on both keystore backends: round trips, tampering, destruction, backups."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from cityid.crypto import (
    KeyDestroyed,
    Keystore,
    RecordSealer,
    SealedKey,
    Tampered,
    new_record_key,
    open_field,
    open_record_key,
    seal_field,
)


def test_fields_round_trip(keystore: Keystore) -> None:
    values = {"family_name": "Núñez".encode(), "address": b"12 Bay St, Staten Island", "x": b""}
    with RecordSealer(keystore) as sealer:
        sealed = sealer.new_record_key("application", "2016-12", "app-1")
        blobs = {f: sealer.seal_field(sealed, "app-1", f, v) for f, v in values.items()}
    with RecordSealer(keystore) as sealer:
        opened = {f: sealer.open_field(sealed, "app-1", f, b) for f, b in blobs.items()}
    assert opened == values
    assert all(blob[0] == 1 for blob in blobs.values())  # format version byte first
    assert all(v not in b for f, v in values.items() if v for b in blobs.values())


def test_module_functions_round_trip(keystore: Keystore) -> None:
    sealed = new_record_key(keystore, "document_copy", "2016-12", "doc-1")
    key = open_record_key(keystore, sealed, "doc-1")
    blob = seal_field(key, "doc-1", "scan", b"%PDF-1.4 ...")
    again = open_record_key(keystore, sealed, "doc-1")
    assert open_field(again, "doc-1", "scan", blob) == b"%PDF-1.4 ..."


def test_ciphertext_moved_to_another_record_or_field_is_tampered(keystore: Keystore) -> None:
    with RecordSealer(keystore) as sealer:
        key_a = sealer.new_record_key("application", "2016-12", "app-a")
        key_b = sealer.new_record_key("application", "2016-12", "app-b")
        blob = sealer.seal_field(key_a, "app-a", "date_of_birth", b"19800101")
    with RecordSealer(keystore) as sealer:
        with pytest.raises(Tampered):
            sealer.open_field(key_b, "app-b", "date_of_birth", blob)  # other record
        with pytest.raises(Tampered):
            sealer.open_field(key_a, "app-a", "family_name", blob)  # other field
        flipped = blob[:-1] + bytes([blob[-1] ^ 1])
        with pytest.raises(Tampered):
            sealer.open_field(key_a, "app-a", "date_of_birth", flipped)
        assert sealer.open_field(key_a, "app-a", "date_of_birth", blob) == b"19800101"


def test_wrapped_key_moved_to_another_record_is_tampered(keystore: Keystore) -> None:
    with RecordSealer(keystore) as sealer:
        key_a = sealer.new_record_key("application", "2016-12", "app-a")
        blob = sealer.seal_field(key_a, "app-a", "family_name", b"Doe")
    # Someone copies record a's key column and ciphertext onto record b's row.
    with RecordSealer(keystore) as sealer, pytest.raises(Tampered):
        sealer.open_field(key_a, "app-b", "family_name", blob)


def test_five_fields_of_one_record_unwrap_once(keystore: Keystore) -> None:
    fields = [f"field{i}" for i in range(5)]
    with RecordSealer(keystore) as sealer:
        sealed = sealer.new_record_key("application", "2016-12", "app-1")
        blobs = [sealer.seal_field(sealed, "app-1", f, f.encode()) for f in fields]
    with RecordSealer(keystore) as sealer:
        for f, blob in zip(fields, blobs, strict=True):
            assert sealer.open_field(sealed, "app-1", f, blob) == f.encode()
        assert sealer.unwraps == 1


def test_destroyed_cohort_key_makes_records_unreadable(keystore: Keystore) -> None:
    with RecordSealer(keystore) as sealer:
        sealed = sealer.new_record_key("document_copy", "2016-12", "doc-1")
        blob = sealer.seal_field(sealed, "doc-1", "scan", b"passport scan")
    keystore.destroy(sealed.cohort_key_id)
    with RecordSealer(keystore) as sealer, pytest.raises(KeyDestroyed) as caught:
        sealer.open_field(sealed, "doc-1", "scan", blob)
    assert caught.value.code == "destroyed"


def test_database_backup_cannot_bring_destroyed_records_back(
    keystore: Keystore, tmp_path: Path
) -> None:
    db = tmp_path / "records.sqlite"
    con = sqlite3.connect(db)
    con.execute("CREATE TABLE docs (id TEXT PRIMARY KEY, cohort_key TEXT, wrapped BLOB, scan BLOB)")
    periods = {"doc-1": "2016-12", "doc-2": "2016-12", "doc-3": "2017-01", "doc-4": "2017-01"}
    with RecordSealer(keystore) as sealer:
        for record_id, period in periods.items():
            sealed = sealer.new_record_key("document_copy", period, record_id)
            scan = sealer.seal_field(sealed, record_id, "scan", f"scan of {record_id}".encode())
            con.execute(
                "INSERT INTO docs VALUES (?, ?, ?, ?)",
                (record_id, sealed.cohort_key_id, sealed.wrapped, scan),
            )
    con.commit()
    con.close()
    backup = tmp_path / "backup.sqlite"
    shutil.copyfile(db, backup)  # the backup taken before the destruction

    doomed = keystore.cohort_key("document_copy", "2016-12")
    assert doomed is not None
    live = sqlite3.connect(db)
    live.execute("DELETE FROM docs WHERE cohort_key = ?", (doomed,))
    live.commit()
    live.close()
    keystore.destroy(doomed)

    restored = sqlite3.connect(backup)
    rows = restored.execute("SELECT id, cohort_key, wrapped, scan FROM docs").fetchall()
    restored.close()
    assert len(rows) == 4
    for record_id, cohort_key, wrapped, scan in rows:
        sealed = SealedKey(cohort_key, wrapped)
        with RecordSealer(keystore) as sealer:
            if periods[record_id] == "2016-12":
                with pytest.raises(KeyDestroyed):
                    sealer.open_field(sealed, record_id, "scan", scan)
            else:
                assert sealer.open_field(sealed, record_id, "scan", scan) == (
                    f"scan of {record_id}".encode()
                )
