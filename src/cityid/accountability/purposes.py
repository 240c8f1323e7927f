"""Purposes of a read, from the policy's short list: `code` or `code:REFERENCE`.

A purpose is the audit entry's reason code; a reference (a disclosure request's id) is
its `reason_ref`. Both are checked here to have the shape the log accepts, so a purpose
can never carry free text into the log.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from cityid.policy.model import Accountability

_REFERENCE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


@dataclass(frozen=True)
class Purpose:
    code: str
    reference: str | None = None

    def __str__(self) -> str:
        return f"{self.code}:{self.reference}" if self.reference else self.code


class PurposeProblem(ValueError):
    """Why a purpose was not accepted: `code` is "purpose_required" or "bad_purpose"."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def parse_purpose(text: str | None, rules: Accountability) -> Purpose:
    """The purpose in `text`, or `PurposeProblem` saying what is wrong (never echoing it)."""
    listed = ", ".join(rules.purposes)
    if text is None or not text.strip():
        raise PurposeProblem(
            "purpose_required", f"a read of a person's record names a purpose: one of {listed}"
        )
    code, _, reference = text.strip().partition(":")
    if code not in rules.purposes:
        raise PurposeProblem("bad_purpose", f"purpose must be one of {listed}")
    if code in rules.purposes_with_reference:
        if not reference:
            raise PurposeProblem(
                "bad_purpose", f"purpose {code} names its reference, as {code}:REQUEST_ID"
            )
        if not _REFERENCE.fullmatch(reference):
            raise PurposeProblem(
                "bad_purpose", "a purpose reference is an id (letters, digits, . _ -)"
            )
        return Purpose(code, reference)
    if reference:
        raise PurposeProblem("bad_purpose", f"purpose {code} takes no reference")
    return Purpose(code)
