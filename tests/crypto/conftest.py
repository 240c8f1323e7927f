"""Keystore fixtures: every keystore test runs on both backends.

pkcs11 runs against Debian's SoftHSM2, one fresh token per test in a tokendir of this
test session. Without SoftHSM2 the pkcs11 half is skipped locally and fails on CI.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from crypto_harness import PASSPHRASE, PIN, SOFTHSM_MODULE, Harness, init_token
from pydantic import SecretStr

from cityid.crypto import Keystore
from cityid.settings import Settings


@pytest.fixture(scope="session")
def softhsm_tokendir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    if shutil.which("softhsm2-util") is None or not Path(SOFTHSM_MODULE).exists():
        message = "SoftHSM2 is not installed (apt-get install softhsm2)"
        if os.environ.get("CI") == "true":
            pytest.fail(message + "; CI must run the pkcs11 keystore tests")
        pytest.skip(message)
    base = tmp_path_factory.mktemp("softhsm")
    tokendir = base / "tokens"
    tokendir.mkdir()
    conf = base / "softhsm2.conf"
    conf.write_text(
        f"directories.tokendir = {tokendir}\nobjectstore.backend = file\nlog.level = ERROR\n"
    )
    previous = os.environ.get("SOFTHSM2_CONF")
    os.environ["SOFTHSM2_CONF"] = str(conf)
    yield tokendir
    if previous is None:
        os.environ.pop("SOFTHSM2_CONF", None)
    else:
        os.environ["SOFTHSM2_CONF"] = previous


@pytest.fixture(params=["local", pytest.param("pkcs11", marks=pytest.mark.hsm)])
def harness(request: pytest.FixtureRequest, tmp_path: Path) -> Harness:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    if request.param == "local":
        settings = Settings(keystore_passphrase=SecretStr(PASSPHRASE))
        return Harness("local", data_dir, settings)
    tokendir = request.getfixturevalue("softhsm_tokendir")
    label = f"cityid-{uuid.uuid4().hex[:12]}"
    init_token(label)
    settings = Settings(
        pkcs11_module=SOFTHSM_MODULE, pkcs11_token_label=label, pkcs11_pin=SecretStr(PIN)
    )
    return Harness("pkcs11", data_dir, settings, tokendir)


@pytest.fixture
def keystore(harness: Harness) -> Iterator[Keystore]:
    ks = harness.create()
    yield ks
    ks.close()
