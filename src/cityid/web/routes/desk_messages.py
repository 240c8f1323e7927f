"""The desk's problems in words, each tied to the field a clerk must fix.

Intake names a problem by its path in the applicant line ("documents.1.issuing_country")
and a short message; the clerk sees "Document 2 (Utility bill): the issuing country is
not a country code we know" beside that field, and a summary linking to it. The
document index in a path counts the *filled* rows of the form (empty rows are not sent),
so it is mapped back to the row the clerk typed in.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from cityid.policy.model import Policy

DOCUMENT_ROWS = 4

# Applicant line path -> (form field name, what the clerk calls it).
_FIELDS: dict[str, tuple[str, str]] = {
    "given_name": ("given_name", "Given name"),
    "family_name": ("family_name", "Family name"),
    "date_of_birth": ("date_of_birth", "Date of birth"),
    "address.line1": ("line1", "Street address"),
    "address.line2": ("line2", "Apartment or unit"),
    "address.city": ("city", "City or borough"),
    "address.state": ("state", "State"),
    "address.postal_code": ("postal_code", "Postal code"),
    "address": ("line1", "Address"),
    "gender": ("gender", "Gender"),
    "language": ("language", "Preferred language"),
    "emergency_contact.name": ("ec_name", "Emergency contact's name"),
    "emergency_contact.phone": ("ec_phone", "Emergency contact's phone"),
    "emergency_contact.relationship": ("ec_relationship", "Emergency contact's relationship"),
    "centre": ("centre", "Enrollment centre"),
    "photo": ("photo_file", "Photo"),
}
_DOCUMENT_FIELDS: dict[str, tuple[str, str]] = {
    "type": ("type", "type"),
    "number": ("number", "document number"),
    "issuing_country": ("country", "issuing country"),
    "expires": ("expires", "expiry date"),
    "mrz": ("mrz", "machine-readable zone"),
}
# Intake's short messages, as the end of a sentence that starts with the field's name.
_WORDS: dict[str, str] = {
    "required": "is needed",
    "must not be empty": "is needed",
    "is in the future": "cannot be in the future",
    "not a date (use YYYY-MM-DD)": "is not a date",
    "not an ISO 3166-1 alpha-3 country code": (
        "is not a country code we know: use 3 letters, such as USA or MEX"
    ),
    "needed for this document type": "is needed for this document type",
    "not a postal code (five digits)": "must be five digits",
    "not in the city's postal codes": "is not one of the city's postal codes",
    "not a phone number": "is not a phone number",
    "not a document type the program accepts": "is not a document the program accepts",
    "not one of the program's languages (ISO 639-3)": "is not one of the program's languages",
    "not one of the program's genders": "is not one of the card's choices",
    "has the wrong format": "has the wrong format",
}


@dataclass(frozen=True)
class Problem:
    """One problem: the form field it belongs to (None: the whole form) and a sentence."""

    field: str | None
    text: str

    @property
    def anchor(self) -> str:
        return f"f-{self.field}" if self.field else "desk"


def _filled_rows(values: dict[str, str]) -> list[int]:
    return [i for i in range(DOCUMENT_ROWS) if values.get(f"doc{i}_type")]


def _sentence(label: str, message: str) -> str:
    words = _WORDS.get(message)
    if words is None:
        if message.startswith(("must ", "is ", "gives ", "longer ", "more ", "cannot ")):
            words = message
        else:
            return f"{label}: {message[:1].lower()}{message[1:]}"
    return f"{label} {words}"


def _document(parts: list[str], message: str, values: dict[str, str], policy: Policy) -> Problem:
    rows = _filled_rows(values)
    index = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else -1
    row = rows[index] if 0 <= index < len(rows) else None
    if row is None:
        return Problem(None, f"Documents: {message}")
    kind = policy.document_type(values.get(f"doc{row}_type", ""))
    named = f"Document {row + 1}" + (f" ({kind.name})" if kind else "")
    sub = parts[2] if len(parts) > 2 else "type"
    name, what = _DOCUMENT_FIELDS.get(sub, ("type", sub.replace("_", " ")))
    return Problem(f"doc{row}_{name}", _sentence(f"{named}: the {what}", message))


def in_words(
    errors: Sequence[tuple[str, str]], values: dict[str, str], policy: Policy
) -> list[Problem]:
    """Intake's (path, message) pairs as problems a clerk can act on, in form order."""
    found: list[Problem] = []
    for path, message in errors:
        parts = path.split(".")
        if parts[0] == "documents":
            found.append(_document(parts, message, values, policy))
        elif path == "given_name" and "family name" in message:
            found.append(Problem("given_name", "Enter a given name or a family name"))
        elif path in _FIELDS:
            name, label = _FIELDS[path]
            found.append(Problem(name, _sentence(label, message)))
        else:
            found.append(Problem(None, message))  # about the whole form: as the service says
    return found
