"""Why a review item exists: the stored reason codes and their words for a person.

The codes are stored with each item and returned by the API (a contract: add freely,
never rename); the console shows the words. A code without words shows as itself.
"""

from __future__ import annotations

# The first reason of an item opened for a flag of each kind.
KIND_REASONS = {
    "possible_duplicate": "name_dob_address_encodings_similar",
    "document_reuse": "same_document_token",
    "address_velocity": "many_applications_one_address",
    "clerk_velocity": "many_applications_one_clerk",
    "mrz_failure": "mrz_check_digits_failed",
    "document_expired": "document_past_expiry",
}
SCORE_REASON = "score_at_or_above"  # stored as "score_at_or_above:0.80"

_WORDS = {
    "name_dob_address_encodings_similar": "The sealed encodings of name, date of birth and "
    "address are close to another application's",
    "same_document_token": "The same document was presented with another application",
    "many_applications_one_address": "Many applications give this address in a short time",
    "many_applications_one_clerk": "One clerk took an unusual number of applications in a "
    "short time",
    "mrz_check_digits_failed": "The passport's machine-readable lines fail their check digits",
    "document_past_expiry": "A document presented is past its expiry date",
}


def reason_for_kind(kind: str) -> str:
    return KIND_REASONS.get(kind, kind)


def score_reason(threshold: float) -> str:
    return f"{SCORE_REASON}:{threshold:.2f}"


def reason_words(code: str) -> str:
    """A stored reason code in words; an unknown code as itself (never hidden)."""
    name, _, value = code.partition(":")
    if name == SCORE_REASON and value:
        return f"The match score is at or above the review threshold, {value}"
    return _WORDS.get(code, code)
