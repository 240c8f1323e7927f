"""Keystore behaviour on both backends: unlocking, cohorts, destruction, rotation, re-keying,
concurrency, full disks, and keeping material out of listings and logs."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from crypto_harness import PASSPHRASE, PIN, Harness
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from cityid.crypto import (
    BadKeyUse,
    KeyDestroyed,
    Keystore,
    KeystoreError,
    RecordSealer,
    UnknownKey,
    WrongPassphrase,
    rekey_records,
)
from cityid.errors import CityIdError


def test_cohort_key_is_created_once_and_survives_reopening(harness: Harness) -> None:
    ks = harness.create()
    assert ks.cohort_key("document_copy", "2016-12") is None
    key_id = ks.ensure_cohort_key("document_copy", "2016-12")
    assert ks.ensure_cohort_key("document_copy", "2016-12") == key_id
    assert ks.ensure_cohort_key("document_copy", "2017-01") != key_id
    ks.close()
    reopened = harness.open()
    assert reopened.cohort_key("document_copy", "2016-12") == key_id
    info = reopened.info(key_id)
    assert (info.kind, info.purpose, info.state) == ("cohort", "document_copy/2016-12", "active")
    reopened.close()


def test_wrong_passphrase_or_pin_fails_clearly_and_changes_nothing(harness: Harness) -> None:
    ks = harness.create()
    ks.ensure_cohort_key("application", "2016-12")
    ks.close()  # closing the last session logs the token out
    before = harness.snapshot()
    with pytest.raises(WrongPassphrase) as caught:
        harness.open(harness.wrong_secret())
    assert caught.value.code == "wrong_passphrase"
    assert "nothing was changed" in caught.value.message
    assert harness.snapshot() == before
    reopened = harness.open()
    assert reopened.cohort_key("application", "2016-12") is not None
    reopened.close()


def test_destroy_leaves_a_tombstone_and_no_material(harness: Harness, keystore: Keystore) -> None:
    key_id = keystore.ensure_cohort_key("document_copy", "2016-12")
    wrapped = keystore.wrap(key_id, b"k" * 32, b"record-1")
    keystore.destroy(key_id)
    keystore.destroy(key_id)  # again: an interrupted destruction can be re-run
    reopened = harness.open()  # a fresh view of the stored keystore
    info = reopened.info(key_id)
    assert info.state == "destroyed" and info.destroyed_at is not None
    assert (info.kind, info.purpose) == ("cohort", "document_copy/2016-12")
    with pytest.raises(KeyDestroyed):
        reopened.unwrap(key_id, wrapped, b"record-1")
    assert reopened.cohort_key("document_copy", "2016-12") is None  # a new one would be made
    if harness.backend == "local":
        assert reopened._entries()[key_id].material is None  # gone from the file itself
    else:
        objects = list(reopened._session.get_objects({}))  # type: ignore[attr-defined]
        assert key_id not in {o.label for o in objects}
    reopened.close()


def test_other_processes_see_a_destruction(harness: Harness, keystore: Keystore) -> None:
    key_id = keystore.ensure_cohort_key("document_copy", "2016-12")
    wrapped = keystore.wrap(key_id, b"k" * 32, b"record-1")
    other = harness.open()
    assert other.unwrap(key_id, wrapped, b"record-1") == b"k" * 32
    keystore.destroy(key_id)
    with pytest.raises(KeyDestroyed):
        other.unwrap(key_id, wrapped, b"record-1")
    other.close()


def test_unknown_ids_and_wrong_kinds_are_refused(keystore: Keystore) -> None:
    with pytest.raises(UnknownKey):
        keystore.info("coh-doesnotexist")
    hasher = keystore.keyed_hasher("blind-index")
    with pytest.raises(BadKeyUse):
        keystore.wrap(hasher.key_id, b"k" * 32, b"")
    with pytest.raises(BadKeyUse):
        keystore.signer("anything-else")
    with pytest.raises(BadKeyUse):
        keystore.ensure_cohort_key("document_copy", "2016/12")


def test_cohort_rotation_keeps_old_records_readable(keystore: Keystore) -> None:
    with RecordSealer(keystore) as sealer:
        old = sealer.new_record_key("application", "2016-12", "app-1")
        blob = sealer.seal_field(old, "app-1", "name", b"Ana")
    new_id = keystore.rotate_cohort("application", "2016-12")
    assert new_id != old.cohort_key_id
    assert keystore.cohort_key("application", "2016-12") == new_id
    assert keystore.info(old.cohort_key_id).state == "retired"
    with RecordSealer(keystore) as sealer:
        assert sealer.open_field(old, "app-1", "name", blob) == b"Ana"
        assert sealer.new_record_key("application", "2016-12", "app-2").cohort_key_id == new_id


def test_rekey_moves_survivors_and_old_key_destruction_spares_them(keystore: Keystore) -> None:
    records = {f"doc-{i}": f"scan {i}".encode() for i in range(6)}
    sealed, blobs = {}, {}
    with RecordSealer(keystore) as sealer:
        for rid, scan in records.items():
            sealed[rid] = sealer.new_record_key("document_copy", "2016-12", rid)
            blobs[rid] = sealer.seal_field(sealed[rid], rid, "scan", scan)
    old_key = sealed["doc-0"].cohort_key_id
    held = ["doc-1", "doc-4"]  # under a legal hold: they must survive

    new_key, moved = rekey_records(keystore, old_key, [(rid, sealed[rid]) for rid in held])
    keystore.destroy(old_key)  # after the caller has stored `moved`

    assert new_key != old_key and keystore.info(old_key).state == "destroyed"
    assert keystore.cohort_key("document_copy", "2016-12") == new_key
    with RecordSealer(keystore) as sealer:
        for rid in records:
            if rid in held:
                assert moved[rid].cohort_key_id == new_key
                assert sealer.open_field(moved[rid], rid, "scan", blobs[rid]) == records[rid]
            else:
                with pytest.raises(KeyDestroyed):
                    sealer.open_field(sealed[rid], rid, "scan", blobs[rid])


def test_signing_rotation_keeps_old_public_keys(keystore: Keystore) -> None:
    old = keystore.signer("card-issuer")
    assert old.algorithm == "Ed25519" and keystore.info(old.key_id).algorithm == "Ed25519"
    signature = old.sign(b"card 1")
    new_id = keystore.rotate_signing("card-issuer")
    new = keystore.signer("card-issuer")
    assert new.key_id == new_id != old.key_id
    listed = {k.key_id: k for k in keystore.public_keys("card-issuer")}
    assert listed[old.key_id].state == "retired" and listed[new_id].state == "active"
    old_public = Ed25519PublicKey.from_public_bytes(listed[old.key_id].public_key)
    old_public.verify(signature, b"card 1")  # a card signed before rotation still verifies
    new_public = Ed25519PublicKey.from_public_bytes(listed[new_id].public_key)
    new_public.verify(new.sign(b"card 2"), b"card 2")
    with pytest.raises(InvalidSignature):
        new_public.verify(signature, b"card 1")
    assert keystore.public_keys("audit-checkpoint") == []  # purposes stay apart


def test_keyed_hash_rotation_and_lookup_by_id(harness: Harness, keystore: Keystore) -> None:
    old = keystore.keyed_hasher("document-token")
    token = old.digest(b"PASSPORT|USA|123456789")
    assert len(token) == 32 and old.digest(b"PASSPORT|USA|123456789") == token
    assert keystore.keyed_hasher("match").digest(b"PASSPORT|USA|123456789") != token
    other_process = harness.open()
    assert other_process.keyed_hasher("document-token").digest(b"PASSPORT|USA|123456789") == token
    other_process.close()
    new_id = keystore.rotate_keyed_hash("document-token")
    assert keystore.keyed_hasher("document-token").key_id == new_id
    assert keystore.keyed_hasher("document-token").digest(b"PASSPORT|USA|123456789") != token
    assert keystore.keyed_hasher_by_id(old.key_id).digest(b"PASSPORT|USA|123456789") == token


def test_no_key_material_in_listings_logs_or_errors(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    ks = harness.create()
    cohort = ks.ensure_cohort_key("application", "2016-12")
    with RecordSealer(ks) as sealer:
        sealed = sealer.new_record_key("application", "2016-12", "app-1")
        blob = sealer.seal_field(sealed, "app-1", "name", b"Ana")
        data_key = sealer.open_key(sealed, "app-1")._data_key
    hasher = ks.keyed_hasher("match")
    signer = ks.signer("card-issuer")
    signer.sign(b"x")
    ks.rotate_signing("card-issuer")
    errors: list[CityIdError] = []
    try:
        with RecordSealer(ks) as sealer:
            sealer.open_field(sealed, "app-1", "other", blob)
    except CityIdError as exc:
        errors.append(exc)
    secrets = [data_key, hasher._key]  # type: ignore[attr-defined]
    if harness.backend == "local":
        entries = ks._entries()
        secrets += [entries[cohort].material, entries[signer.key_id].material]
    ks.close()
    try:
        harness.open(harness.wrong_secret())
    except CityIdError as exc:
        errors.append(exc)
    reopened = harness.open()
    listing = repr(reopened.list_keys()) + repr(reopened) + repr(hasher) + repr(signer)
    reopened.close()

    shown = listing + caplog.text + " ".join(repr(e) + e.message for e in errors)
    assert len(errors) == 2
    for secret in secrets:
        assert secret is not None
        for form in (secret.hex(), repr(secret), secret.decode("latin-1")):
            assert form not in shown
    for word in (PASSPHRASE, PIN):
        assert word not in shown


def test_token_keys_are_sensitive_and_not_extractable(harness: Harness) -> None:
    if harness.backend != "pkcs11":
        pytest.skip("a property of HSM token objects")
    from pkcs11 import Attribute
    from pkcs11.exceptions import AttributeSensitive

    ks = harness.create()
    cohort = ks.ensure_cohort_key("application", "2016-12")
    hasher = ks.keyed_hasher("blind-index")
    signer = ks.signer("audit-checkpoint")
    session = ks._session  # type: ignore[attr-defined]
    private = [o for o in session.get_objects({}) if o.label in {cohort, hasher.key_id}]
    private += [o for o in session.get_objects({Attribute.SIGN: True}) if o.label == signer.key_id]
    assert len(private) == 3
    for obj in private:
        assert obj[Attribute.TOKEN] and obj[Attribute.SENSITIVE] and obj[Attribute.PRIVATE]
        assert not obj[Attribute.EXTRACTABLE]
        with pytest.raises(AttributeSensitive):
            obj[Attribute.VALUE]
    ks.close()


_CHILD = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from cityid.crypto import open_keystore
    from cityid.settings import Settings

    data_dir, backend, name, go = sys.argv[1], sys.argv[2], sys.argv[3], Path(sys.argv[4])
    ks = open_keystore(Settings(), Path(data_dir), backend)
    (go.parent / f"ready-{name}").touch()
    while not go.exists():
        time.sleep(0.005)
    for i in range(8):
        ks.ensure_cohort_key(name, f"2016-{i + 1:02d}")
        ks.ensure_cohort_key("shared", f"2016-{i + 1:02d}")
    ks.close()
    print("done")
    """
)


def test_two_processes_creating_keys_at_once(harness: Harness, tmp_path: Path) -> None:
    harness.create().close()
    script = tmp_path / "child.py"
    script.write_text(_CHILD)
    go = tmp_path / "go"
    command = [sys.executable, str(script), str(harness.data_dir), harness.backend]
    children = [
        subprocess.Popen(
            [*command, name, str(go)],
            env=harness.env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in ("clerk_a", "clerk_b")
    ]
    deadline = time.monotonic() + 30
    while len(list(tmp_path.glob("ready-*"))) < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    go.touch()  # both have opened the keystore: now they race
    for child in children:
        out, err = child.communicate(timeout=60)
        assert child.returncode == 0, err
        assert out.strip() == "done"
    ks = harness.open()
    keys = ks.list_keys()
    purposes = sorted(k.purpose for k in keys)
    expected = sorted(f"{n}/2016-{i:02d}" for n in ("clerk_a", "clerk_b", "shared")
                      for i in range(1, 9))  # fmt: skip
    assert purposes == expected  # both processes' keys, and one key per shared cohort
    for key in keys:  # every key is usable: nothing half-written
        wrapped = ks.wrap(key.key_id, b"k" * 32, b"aad")
        assert ks.unwrap(key.key_id, wrapped, b"aad") == b"k" * 32
    ks.close()


_FULL_DISK_CHILD = textwrap.dedent(
    """
    import resource, signal, sys
    from pathlib import Path
    from cityid.crypto import KeystoreError, open_keystore
    from cityid.settings import Settings

    ks = open_keystore(Settings(), Path(sys.argv[1]), sys.argv[2])
    # From here on no file may grow past 64 bytes: every write fails as on a full disk.
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (64, 64))
    try:
        ks.ensure_cohort_key("document_copy", "2017-01")
    except KeystoreError as exc:
        print(exc.code, exc.message)
        sys.exit(0)
    print("no error")
    sys.exit(1)
    """
)


def test_full_disk_gives_a_clear_error_and_keeps_the_old_file(
    harness: Harness, tmp_path: Path
) -> None:
    ks = harness.create()
    key_id = ks.ensure_cohort_key("document_copy", "2016-12")
    wrapped = ks.wrap(key_id, b"k" * 32, b"aad")
    ks.close()
    before = harness.snapshot()
    script = tmp_path / "full_disk.py"
    script.write_text(_FULL_DISK_CHILD)
    result = subprocess.run(
        [sys.executable, str(script), str(harness.data_dir), harness.backend],
        env=harness.env(), capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("keystore "), result.stdout
    assert harness.snapshot() == before  # no half-made key left in the file or the token
    assert not list(harness.data_dir.glob(".*.tmp"))  # no temp file left behind
    ks = harness.open()
    assert ks.cohort_key("document_copy", "2017-01") is None
    assert ks.unwrap(key_id, wrapped, b"aad") == b"k" * 32
    ks.close()


def test_damaged_local_file_is_not_mistaken_for_a_wrong_passphrase(harness: Harness) -> None:
    if harness.backend != "local":
        pytest.skip("the local keystore file is sealed; the pkcs11 metadata file is not")
    harness.create().close()
    document = json.loads(harness.state_file.read_bytes())
    sealed = bytearray.fromhex(document["sealed"])
    sealed[5] ^= 1
    document["sealed"] = sealed.hex()
    harness.state_file.write_text(json.dumps(document))
    with pytest.raises(KeystoreError) as caught:
        harness.open()
    assert not isinstance(caught.value, WrongPassphrase)
    assert "damaged or altered" in caught.value.message
