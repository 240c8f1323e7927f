"""Helpers shared by the matching tests: a real HMAC KeyedHasher and applicant lines."""

from __future__ import annotations

import hmac
from typing import Any


class TestHasher:
    """A real HMAC-SHA-256 KeyedHasher with a fixed test key."""

    __test__ = False

    def __init__(self, key: bytes = b"k" * 32, key_id: str = "match-test-1") -> None:
        self._key = key
        self.key_id = key_id

    def digest(self, message: bytes) -> bytes:
        return hmac.digest(self._key, message, "sha256")


def applicant(
    given: str = "William",
    family: str = "Rodriguez",
    dob: str = "1984-03-07",
    line1: str = "123 Amsterdam Avenue",
    postal_code: str = "10025",
    line2: str = "Apt 4B",
) -> dict[str, Any]:
    return {
        "given_name": given,
        "family_name": family,
        "date_of_birth": dob,
        "address": {
            "line1": line1,
            "line2": line2,
            "city": "New York",
            "state": "NY",
            "postal_code": postal_code,
        },
    }
