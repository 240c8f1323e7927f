"""Staff passwords: argon2id hashes and a password policy from the city's rules."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from cityid.errors import BadInput
from cityid.policy.model import Security

_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters

# A short list of the passwords people reach for first; enough to stop the obvious.
_COMMON = {
    "password",
    "password1",
    "password123",
    "123456789012",
    "qwertyuiop",
    "letmein123",
    "changeme",
    "changeme123",
    "welcome123",
    "iloveyou",
    "administrator",
    "cityid",
    "idnyc",
    "newyorkcity",
    "nyc123456789",
}


def check_password_policy(password: str, username: str, rules: Security) -> None:
    problems = []
    if len(password) < rules.password_min_length:
        problems.append(f"must be at least {rules.password_min_length} characters")
    if username and username.casefold() in password.casefold():
        problems.append("must not contain the username")
    if password.casefold() in _COMMON or len(set(password)) < 4:
        problems.append("is too easy to guess")
    if problems:
        raise BadInput("password " + "; ".join(problems), code="weak_password")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(stored_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return _hasher.check_needs_rehash(stored_hash)


# Verifying against this when the username is unknown keeps timing the same.
DUMMY_HASH = _hasher.hash("not-a-real-password-for-timing")
