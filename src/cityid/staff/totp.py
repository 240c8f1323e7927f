"""The staff second factor: TOTP codes (RFC 6238, 30 s, 6 digits) and recovery codes.

Invariants:
- the TOTP secret is stored sealed, like a record field: a data key of its own (bound to
  the user id) wrapped by the `staff_credential/totp` cohort key, the secret sealed under
  it; a database dump alone gives no one a code generator;
- a code is accepted only for a time step later than the last one accepted for that
  account, so a code seen over someone's shoulder cannot be used again in its window;
- recovery codes are random, shown once, stored only as argon2 hashes, each spent once.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

import pyotp
import segno

from cityid.crypto.keystore import Keystore
from cityid.crypto.sealing import SealedKey, new_record_key, open_field, open_record_key, seal_field
from cityid.staff.passwords import hash_password, verify_password

STEP_SECONDS = 30
DIGITS = 6
# One step either side: a phone clock a little off still works.
DRIFT_STEPS = 1
COHORT_CLASS = "staff_credential"
COHORT_PERIOD = "totp"
_FIELD = "totp_secret"
# Recovery codes: 10 characters from an alphabet without look-alikes, shown as xxxxx-xxxxx.
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


@dataclass(frozen=True)
class SealedSecret:
    key_id: str
    wrapped_key: bytes
    blob: bytes


def new_secret() -> str:
    """A fresh base32 secret (160 bits, as RFC 4226 recommends)."""
    return pyotp.random_base32(length=32)


def provisioning_uri(secret: str, username: str, issuer: str) -> str:
    return pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS).provisioning_uri(
        name=username, issuer_name=issuer
    )


def qr_svg(uri: str) -> str:
    """The enrolment QR as an inline SVG (no script, no external image)."""
    return str(segno.make(uri, error="m").svg_inline(scale=5, border=4, dark="#111", light="#fff"))


def matching_step(secret: str, code: str, now: dt.datetime, last_step: int | None) -> int | None:
    """The time step `code` belongs to, if it is right for `secret` near `now` and later
    than `last_step` (a step already used is refused); None otherwise."""
    code = code.strip().replace(" ", "")
    if len(code) != DIGITS or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS)
    current = int(now.timestamp()) // STEP_SECONDS
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if last_step is not None and step <= last_step:
            continue
        if secrets.compare_digest(totp.at(step * STEP_SECONDS), code):
            return step
    return None


def code_at(secret: str, moment: dt.datetime) -> str:
    """The code an authenticator shows at `moment` (tests and the enrolment check use it)."""
    return str(pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS).at(moment))


def seal_secret(keystore: Keystore, user_id: str, secret: str) -> SealedSecret:
    sealed_key = new_record_key(keystore, COHORT_CLASS, COHORT_PERIOD, user_id)
    opened = open_record_key(keystore, sealed_key, user_id)
    blob = seal_field(opened, user_id, _FIELD, secret.encode())
    return SealedSecret(sealed_key.cohort_key_id, sealed_key.wrapped, blob)


def open_secret(keystore: Keystore, user_id: str, sealed: SealedSecret) -> str:
    opened = open_record_key(keystore, SealedKey(sealed.key_id, sealed.wrapped_key), user_id)
    return open_field(opened, user_id, _FIELD, sealed.blob).decode()


def new_recovery_codes(count: int) -> list[str]:
    codes = []
    for _ in range(count):
        raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(10))
        codes.append(f"{raw[:5]}-{raw[5:]}")
    return codes


def normalise_recovery_code(code: str) -> str:
    raw = "".join(ch for ch in code.lower() if ch.isalnum())
    return f"{raw[:5]}-{raw[5:]}" if len(raw) == 10 else ""


def hash_recovery_code(code: str) -> str:
    return hash_password(normalise_recovery_code(code))


def recovery_code_matches(stored_hash: str, code: str) -> bool:
    normal = normalise_recovery_code(code)
    return bool(normal) and verify_password(stored_hash, normal)
