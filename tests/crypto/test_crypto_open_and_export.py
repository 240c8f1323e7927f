"""Opening a data dir's keystore, exporting issuer public keys, and the bench figures."""

from __future__ import annotations

import base64
import logging
import stat
from pathlib import Path

import cbor2
import pytest
from crypto_harness import TEST_SCRYPT_N, Harness
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from pycose.keys import CoseKey, OKPKey
from pydantic import SecretStr

from cityid.crypto import (
    Keystore,
    KeystoreError,
    cose_key_set,
    create_keystore,
    detect_backend,
    jwk_set,
    kid_bytes,
    open_keystore,
)
from cityid.devtools.bench.crypto import measure
from cityid.errors import ConfigError
from cityid.settings import Settings


def test_dev_passphrase_is_generated_0600_with_a_loud_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="cityid.crypto")
    data_dir = tmp_path / "data"
    ks = create_keystore("local", data_dir, Settings(), scrypt_n=TEST_SCRYPT_N)
    key_id = ks.ensure_cohort_key("application", "2016-12")
    ks.close()
    passphrase_file = data_dir / "keystore.passphrase"
    assert stat.S_IMODE(passphrase_file.stat().st_mode) == 0o600
    assert stat.S_IMODE((data_dir / "keystore.json").stat().st_mode) == 0o600
    assert "DEVELOPMENT ONLY" in caplog.text
    assert passphrase_file.read_text().strip() not in caplog.text

    caplog.clear()
    reopened = open_keystore(Settings(), data_dir)  # no env var: the file is used
    assert reopened.cohort_key("application", "2016-12") == key_id
    assert reopened.backend == "local" and detect_backend(data_dir) == "local"
    assert "DEVELOPMENT ONLY" in caplog.text
    reopened.close()


def test_explicit_passphrase_writes_no_passphrase_file(tmp_path: Path) -> None:
    settings = Settings(keystore_passphrase=SecretStr("from the environment"))
    create_keystore("local", tmp_path, settings, scrypt_n=TEST_SCRYPT_N).close()
    assert not (tmp_path / "keystore.passphrase").exists()
    with pytest.raises(ConfigError):
        open_keystore(Settings(), tmp_path)  # unset, and no file to fall back on


def test_existing_keystore_is_never_overwritten(harness: Harness) -> None:
    ks = harness.create()
    key_id = ks.ensure_cohort_key("application", "2016-12")
    ks.close()
    with pytest.raises(KeystoreError):
        harness.create()
    reopened = harness.open()
    assert reopened.cohort_key("application", "2016-12") == key_id
    reopened.close()


def test_pkcs11_without_settings_names_what_is_missing(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        create_keystore("pkcs11", tmp_path, Settings(pkcs11_module="/nowhere.so"))
    assert "CITYID_PKCS11_TOKEN_LABEL" in caught.value.message
    assert "CITYID_PKCS11_PIN" in caught.value.message
    with pytest.raises(ConfigError):
        open_keystore(Settings(), tmp_path)  # an empty data dir has no keystore


def test_issuer_keys_export_as_cose_key_set_and_jwk_set(keystore: Keystore) -> None:
    first = keystore.signer("card-issuer")
    card_signature = first.sign(b"claim 169 payload")
    keystore.rotate_signing("card-issuer")
    current = keystore.signer("card-issuer")
    keystore.signer("audit-checkpoint")  # another purpose: not in the issuer's set

    cose_keys = cbor2.loads(cose_key_set(keystore))
    assert [k[2] for k in cose_keys] == [kid_bytes(first.key_id), kid_bytes(current.key_id)]
    for entry in cose_keys:
        key: CoseKey = CoseKey.from_dict(entry)
        assert isinstance(key, OKPKey)
        assert entry[1] == 1 and entry[-1] == 6 and entry[3] == -8  # OKP, Ed25519, EdDSA
    old_public = Ed25519PublicKey.from_public_bytes(cose_keys[0][-2])
    old_public.verify(card_signature, b"claim 169 payload")

    jwks = jwk_set(keystore)["keys"]
    assert [k["kid"] for k in jwks] == [first.key_id, current.key_id]
    for jwk, cose in zip(jwks, cose_keys, strict=True):
        assert {k: jwk[k] for k in ("kty", "crv", "alg", "use")} == {
            "kty": "OKP",
            "crv": "Ed25519",
            "alg": "EdDSA",
            "use": "sig",
        }
        assert base64.urlsafe_b64decode(jwk["x"] + "=") == cose[-2]


def test_destroyed_signing_key_leaves_the_key_sets(keystore: Keystore) -> None:
    old = keystore.signer("card-issuer").key_id
    keystore.rotate_signing("card-issuer")
    keystore.destroy(old)
    assert old not in [k["kid"] for k in jwk_set(keystore)["keys"]]
    assert len(cbor2.loads(cose_key_set(keystore))) == 1


def test_bench_reports_rates_and_cleans_up(keystore: Keystore) -> None:
    results = measure(keystore, seconds=0.4)
    by_name = {r["name"]: r for r in results}
    assert set(by_name) == {
        "crypto_seal_record",
        "crypto_open_record",
        "crypto_rewrap_record_key",
        "crypto_keyed_hash",
    }
    assert all(isinstance(r["value"], float) and r["value"] > 0 for r in results)
    assert all(k.state == "destroyed" for k in keystore.list_keys())  # only its own keys
