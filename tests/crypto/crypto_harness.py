"""The keystore under test, for one backend, with the secrets that open it."""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from pydantic import SecretStr

from cityid.crypto import Keystore, create_keystore, open_keystore
from cityid.crypto.local_keystore import FILE_NAME as LOCAL_FILE
from cityid.crypto.pkcs11_keystore import METADATA_FILE as PKCS11_FILE
from cityid.settings import Settings

SOFTHSM_MODULE = "/usr/lib/softhsm/libsofthsm2.so"
TEST_SCRYPT_N = 2**12  # cheap for tests; production files default to 2**15
PASSPHRASE = "correct horse battery staple 2016"
PIN = "492615"
SO_PIN = "80258016"


def init_token(label: str) -> None:
    subprocess.run(
        ["softhsm2-util", "--init-token", "--free", "--label", label,
         "--pin", PIN, "--so-pin", SO_PIN],
        check=True, capture_output=True,
    )  # fmt: skip


@dataclass
class Harness:
    """One backend's keystore in a data dir, with the secrets that open it."""

    backend: str
    data_dir: Path
    settings: Settings
    tokendir: Path | None = None

    def create(self) -> Keystore:
        return create_keystore(
            self.backend,  # type: ignore[arg-type]
            self.data_dir,
            self.settings,
            scrypt_n=TEST_SCRYPT_N,
        )

    def open(self, settings: Settings | None = None) -> Keystore:
        return open_keystore(settings or self.settings, self.data_dir, self.backend)  # type: ignore[arg-type]

    def wrong_secret(self) -> Settings:
        if self.backend == "local":
            return self.settings.model_copy(update={"keystore_passphrase": SecretStr("wrong")})
        return self.settings.model_copy(update={"pkcs11_pin": SecretStr("000000")})

    @property
    def state_file(self) -> Path:
        return self.data_dir / (LOCAL_FILE if self.backend == "local" else PKCS11_FILE)

    def snapshot(self) -> dict[str, bytes]:
        """Every byte the keystore keeps: its file, and the token's object files."""
        state = {"file": self.state_file.read_bytes()}
        if self.tokendir is not None:
            # Key objects only: token.object changes on a failed login because the token
            # counts bad PINs (its own lock-out bookkeeping), which is no keystore change.
            for path in sorted(self.tokendir.rglob("*.object")):
                if path.name != "token.object":
                    state[str(path.relative_to(self.tokendir))] = path.read_bytes()
        return state

    def env(self) -> dict[str, str]:
        """Environment for a child process that opens this keystore via Settings()."""
        env = dict(os.environ)
        if self.settings.keystore_passphrase is not None:
            env["CITYID_KEYSTORE_PASSPHRASE"] = self.settings.keystore_passphrase.get_secret_value()
        if self.backend == "pkcs11":
            env["CITYID_PKCS11_MODULE"] = SOFTHSM_MODULE
            env["CITYID_PKCS11_TOKEN_LABEL"] = self.settings.pkcs11_token_label or ""
            env["CITYID_PKCS11_PIN"] = PIN
        return env
