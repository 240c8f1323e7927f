"""Typed keystore and sealing errors. Messages name key ids and fields, never material."""

from __future__ import annotations

from cityid.errors import BadInput, CityIdError, ConfigError, NotFound, Refused, Unavailable


class KeystoreError(Unavailable):
    """The keystore cannot do what was asked (unreadable file, full disk, HSM failure)."""

    code = "keystore"


class WrongPassphrase(ConfigError):
    """The passphrase (local) or PIN (pkcs11) does not unlock the keystore. Nothing changed."""

    code = "wrong_passphrase"


class WrongPin(WrongPassphrase):
    """The PKCS#11 token rejected the PIN."""


class KeyDestroyed(Refused):
    """The key was destroyed: whatever it protected is gone for good, by design."""

    code = "destroyed"
    http_status = 410


class Tampered(CityIdError):
    """A ciphertext or wrapped key failed authentication: altered, or moved elsewhere."""

    code = "tampered"
    http_status = 409


class UnknownKey(NotFound):
    """No key with this id was ever in the keystore."""

    code = "unknown_key"


class BadKeyUse(BadInput):
    """A key used for the wrong kind of operation, or a malformed purpose or cohort name."""

    code = "bad_key_use"
