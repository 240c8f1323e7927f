"""Opening and creating the keystore of a data dir, from settings (environment)."""

from __future__ import annotations

import logging
import os
import secrets
from pathlib import Path
from typing import Literal

from cityid.crypto.errors import KeystoreError
from cityid.crypto.keystore import Keystore
from cityid.crypto.local_keystore import DEFAULT_SCRYPT_N, LocalKeystore
from cityid.crypto.local_keystore import FILE_NAME as LOCAL_FILE
from cityid.crypto.pkcs11_keystore import METADATA_FILE as PKCS11_FILE
from cityid.crypto.pkcs11_keystore import Pkcs11Keystore
from cityid.errors import ConfigError
from cityid.settings import Settings

Backend = Literal["local", "pkcs11"]
PASSPHRASE_FILE = "keystore.passphrase"  # noqa: S105 (a file name, not a secret)

log = logging.getLogger("cityid.crypto")


def create_keystore(
    backend: Backend,
    data_dir: Path,
    settings: Settings,
    *,
    scrypt_n: int = DEFAULT_SCRYPT_N,
) -> Keystore:
    """A new, empty keystore for `cityid init`. Refuses to overwrite an existing one.

    local: without CITYID_KEYSTORE_PASSPHRASE a passphrase is generated into
    DATA_DIR/keystore.passphrase (0600), with a loud warning: for development only.
    """
    data_dir = Path(data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    if backend == "local":
        passphrase = _passphrase(settings, data_dir, generate=True)
        return LocalKeystore.create(data_dir / LOCAL_FILE, passphrase, scrypt_n=scrypt_n)
    if backend == "pkcs11":
        module, label, pin = _pkcs11_settings(settings)
        return Pkcs11Keystore.create(data_dir / PKCS11_FILE, module, label, pin)
    raise ConfigError(f"unknown keystore backend {backend!r}; use local or pkcs11")


def open_keystore(settings: Settings, data_dir: Path, backend: Backend | None = None) -> Keystore:
    """The data dir's keystore; `backend` None means: whichever the data dir holds."""
    data_dir = Path(data_dir)
    if backend is None:
        backend = detect_backend(data_dir)
    if backend == "local":
        path = data_dir / LOCAL_FILE
        if not path.exists():
            raise ConfigError(f"no local keystore in {data_dir}; run `cityid init`")
        return LocalKeystore(path, _passphrase(settings, data_dir, generate=False))
    if backend == "pkcs11":
        path = data_dir / PKCS11_FILE
        if not path.exists():
            raise ConfigError(f"no pkcs11 keystore metadata in {data_dir}; run `cityid init`")
        module, label, pin = _pkcs11_settings(settings)
        return Pkcs11Keystore(path, module, label, pin)
    raise ConfigError(f"unknown keystore backend {backend!r}; use local or pkcs11")


def detect_backend(data_dir: Path) -> Backend:
    found: list[Backend] = []
    if (data_dir / LOCAL_FILE).exists():
        found.append("local")
    if (data_dir / PKCS11_FILE).exists():
        found.append("pkcs11")
    if len(found) != 1:
        raise ConfigError(
            f"cannot tell the keystore backend of {data_dir}: "
            + ("none found; run `cityid init`" if not found else "both local and pkcs11 found")
        )
    return found[0]


def _passphrase(settings: Settings, data_dir: Path, *, generate: bool) -> str:
    if settings.keystore_passphrase is not None:
        return settings.keystore_passphrase.get_secret_value()
    path = data_dir / PASSPHRASE_FILE
    if path.exists():
        log.warning(
            "DEVELOPMENT ONLY: the keystore passphrase is read from %s. "
            "Set CITYID_KEYSTORE_PASSPHRASE and delete that file for real use.",
            path,
        )
        return path.read_text().strip()
    if not generate:
        raise ConfigError(
            f"CITYID_KEYSTORE_PASSPHRASE is not set and the data dir has no {PASSPHRASE_FILE}"
        )
    passphrase = secrets.token_urlsafe(32)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(passphrase + "\n")
    except OSError as exc:
        raise KeystoreError(f"cannot write {PASSPHRASE_FILE} ({exc.strerror})") from None
    log.warning(
        "DEVELOPMENT ONLY: CITYID_KEYSTORE_PASSPHRASE is not set, so a keystore passphrase "
        "was generated into %s (mode 0600). Anyone who can read that file can read every "
        "record. Never use this for real cardholder data.",
        path,
    )
    return passphrase


def _pkcs11_settings(settings: Settings) -> tuple[str, str, str]:
    missing = [
        name
        for name, value in (
            ("CITYID_PKCS11_MODULE", settings.pkcs11_module),
            ("CITYID_PKCS11_TOKEN_LABEL", settings.pkcs11_token_label),
            ("CITYID_PKCS11_PIN", settings.pkcs11_pin),
        )
        if not value
    ]
    if missing:
        raise ConfigError(f"the pkcs11 keystore needs {', '.join(missing)}")
    assert settings.pkcs11_module and settings.pkcs11_token_label and settings.pkcs11_pin
    return (
        settings.pkcs11_module,
        settings.pkcs11_token_label,
        settings.pkcs11_pin.get_secret_value(),
    )
