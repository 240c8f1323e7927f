"""One audit entry and its canonical bytes: exactly what is hashed into the Merkle leaf.

The encoding is compact JSON with sorted keys, ASCII only, no floats, so the same entry
always gives the same bytes and anyone can read a leaf with no special tooling:

    {"action":"application.show","actor":"staff-17","at":"2016-12-05T14:30:00Z",
     "reason":"applicant_request","targets":["app-000123"],"v":1}

The entry's position is the tree's business, so there is no index inside it.

The log can never be edited or shredded, so nothing personal may enter it. Rather than
trying to recognise personal data (names and birth dates cannot be told from ids by
looking), every field accepts only the shapes an id, a code or a count has: no spaces,
no free text, no dates, no '@' or '+'. Free-text reasons belong in the (sealed, erasable)
record the entry points to; the entry carries a reason code and, at most, a reference
such as a docket number.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from cityid.errors import BadInput

ENCODING_VERSION = 1

# An opaque id: letters, digits and a few separators; no spaces, '@' or '+'.
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:/#-]{0,127}")
# A code: lower-case words joined by '_', '.', ':' or '-' ("application.show").
_CODE = re.compile(r"[a-z][a-z0-9_.:-]{0,63}")
# Values shaped like a calendar date are refused even where an id is allowed.
_DATE_LIKE = re.compile(
    r"\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}|\d{4}/\d{1,2}/\d{1,2}"
)
_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{6})?Z")

# Words that name personal data; an `extra` key containing one of them is refused.
PERSONAL_KEY_WORDS = frozenset(
    {
        "name", "names", "firstname", "lastname", "fullname", "surname", "givenname",
        "dob", "birth", "birthdate", "birthday", "dateofbirth", "age",
        "address", "street", "zip", "zipcode", "postcode", "postal", "apartment",
        "phone", "telephone", "mobile", "email", "mail",
        "ssn", "itin", "passport", "licence", "license",
        "gender", "sex", "photo", "face", "image", "nationality", "citizenship",
        "ethnicity", "race", "religion", "immigration", "signature",
    }
)  # fmt: skip
_KEY_WORD_SPLIT = re.compile(r"[_.:-]")
MAX_TARGETS = 10_000
MAX_EXTRA_KEYS = 32
# The log is published as C2SP tlog-tiles, whose entry bundles give each entry a uint16
# length: a longer entry could never be served, so it is never logged.
MAX_ENTRY_BYTES = 0xFFFF


class AuditEntryError(BadInput):
    """An audit entry that is malformed or not canonical."""

    code = "bad_audit_entry"


class PersonalDataRefused(AuditEntryError):
    """A field looked like personal data (or free text) and the log refuses it."""

    code = "personal_data_in_audit"


ExtraValue = int | str | tuple[str, ...]


@dataclass(frozen=True)
class AuditEntry:
    """Who (`actor`) did what (`action`) to which records (`targets`), when and why."""

    actor: str
    action: str
    targets: tuple[str, ...]
    reason: str
    at: dt.datetime
    reason_ref: str | None = None
    extra: Mapping[str, ExtraValue] = field(default_factory=lambda: MappingProxyType({}))

    def encode(self) -> bytes:
        return encode_entry(
            actor=self.actor,
            action=self.action,
            targets=self.targets,
            reason=self.reason,
            at=self.at,
            reason_ref=self.reason_ref,
            extra=self.extra,
        )


def encode_entry(
    *,
    actor: str,
    action: str,
    targets: Sequence[str],
    reason: str,
    at: dt.datetime,
    reason_ref: str | None = None,
    extra: Mapping[str, int | str | Iterable[str]] | None = None,
) -> bytes:
    """Validates one entry and returns its canonical bytes (raises `AuditEntryError`).

    `targets` and list values in `extra` must be lists or tuples (sets have no order).
    """
    document: dict[str, Any] = {
        "v": ENCODING_VERSION,
        "actor": _id(actor, "actor"),
        "action": _code(action, "action"),
        "targets": [_id(target, "targets") for target in _as_list(targets, "targets")],
        "reason": _code(reason, "reason"),
        "at": format_timestamp(at),
    }
    if len(document["targets"]) > MAX_TARGETS:
        raise AuditEntryError(f"at most {MAX_TARGETS} targets per entry")
    if reason_ref is not None:
        document["reason_ref"] = _id(reason_ref, "reason_ref")
    if extra:
        document["extra"] = _extra(extra)
    return check_entry_size(_dump(document))


def check_entry_size(data: bytes) -> bytes:
    """The entry bytes, if they fit a tlog-tiles entry bundle (at most 65,535 bytes)."""
    if len(data) > MAX_ENTRY_BYTES:
        raise AuditEntryError(
            f"an audit entry is at most {MAX_ENTRY_BYTES} bytes (this one is {len(data)}); "
            "log a batch id rather than every target"
        )
    return data


def decode_entry(data: bytes) -> AuditEntry:
    """Parses canonical entry bytes; refuses anything `encode_entry` would not produce."""
    try:
        document = json.loads(data.decode("ascii"))
    except (UnicodeDecodeError, ValueError) as error:
        raise AuditEntryError("audit entry is not ASCII JSON") from error
    if not isinstance(document, dict) or document.get("v") != ENCODING_VERSION:
        raise AuditEntryError("audit entry has no known encoding version")
    allowed = {"v", "actor", "action", "targets", "reason", "at", "reason_ref", "extra"}
    if not set(document) <= allowed:
        raise AuditEntryError("audit entry has unknown fields")
    try:
        targets_in: list[Any] = _as_list(document["targets"], "targets")
        extra_in = document.get("extra", {})
        if not isinstance(extra_in, dict):
            raise AuditEntryError("audit entry field 'extra' must be an object")
        entry = AuditEntry(
            actor=document["actor"],
            action=document["action"],
            targets=tuple(targets_in),
            reason=document["reason"],
            at=parse_timestamp(document["at"]),
            reason_ref=document.get("reason_ref"),
            extra=MappingProxyType(
                {k: tuple(v) if isinstance(v, list) else v for k, v in extra_in.items()}
            ),
        )
    except KeyError as error:
        raise AuditEntryError(f"audit entry lacks field {error.args[0]!r}") from error
    except TypeError as error:
        raise AuditEntryError("audit entry has a field of the wrong type") from error
    if entry.encode() != bytes(data):
        raise AuditEntryError("audit entry bytes are not in canonical form")
    return entry


def format_timestamp(at: dt.datetime) -> str:
    """RFC 3339 in UTC with a 'Z': seconds, plus microseconds only when there are some."""
    if not isinstance(at, dt.datetime) or at.tzinfo is None or at.utcoffset() is None:
        raise AuditEntryError("audit timestamps must be timezone-aware datetimes")
    utc = at.astimezone(dt.UTC)
    text = utc.strftime("%Y-%m-%dT%H:%M:%S")
    if utc.microsecond:
        text += f".{utc.microsecond:06d}"
    return text + "Z"


def parse_timestamp(text: object) -> dt.datetime:
    if not isinstance(text, str) or not _TIMESTAMP.fullmatch(text):
        raise AuditEntryError("audit timestamp is not RFC 3339 UTC ('...Z')")
    try:
        return dt.datetime.fromisoformat(text[:-1]).replace(tzinfo=dt.UTC)
    except ValueError as error:
        raise AuditEntryError("audit timestamp is not a real time") from error


# -- validation -------------------------------------------------------------------------


def _dump(document: Mapping[str, Any]) -> bytes:
    return json.dumps(
        document, sort_keys=True, separators=(",", ":"), ensure_ascii=True, allow_nan=False
    ).encode("ascii")


def _as_list(values: object, field_name: str) -> list[object]:
    # Lists and tuples only: a set has no stable order, a dict or string is a mistake.
    if not isinstance(values, list | tuple):
        raise AuditEntryError(f"audit field {field_name!r} must be a list of ids")
    return list(values)


def _id(value: object, field_name: str) -> str:
    if not isinstance(value, str) or not _ID.fullmatch(value):
        raise PersonalDataRefused(
            f"audit field {field_name!r} takes opaque ids only (letters, digits, ._:/#-)"
        )
    if _DATE_LIKE.fullmatch(value):
        raise PersonalDataRefused(f"audit field {field_name!r} looks like a date, not an id")
    return value


def _code(value: object, field_name: str) -> str:
    if not isinstance(value, str) or not _CODE.fullmatch(value):
        raise PersonalDataRefused(
            f"audit field {field_name!r} takes a code (lower-case words joined by _ . : -)"
        )
    return value


def _extra(extra: Mapping[str, int | str | Iterable[str]]) -> dict[str, Any]:
    if len(extra) > MAX_EXTRA_KEYS:
        raise AuditEntryError(f"at most {MAX_EXTRA_KEYS} extra fields per entry")
    clean: dict[str, Any] = {}
    for key, value in extra.items():
        key = _code(key, "extra")
        words = {word for word in _KEY_WORD_SPLIT.split(key) if word}
        words.add(_KEY_WORD_SPLIT.sub("", key))  # "date_of_birth" -> "dateofbirth"
        if words & PERSONAL_KEY_WORDS:
            raise PersonalDataRefused(f"extra field {key!r} is named like personal data")
        clean[key] = _extra_value(key, value)
    return clean


def _extra_value(key: str, value: object) -> int | str | list[str]:
    if isinstance(value, bool | float):
        raise AuditEntryError(f"extra field {key!r}: counts are integers")
    if isinstance(value, int):
        if not 0 <= value < 2**63:
            raise AuditEntryError(f"extra field {key!r}: counts are between 0 and 2**63")
        return value
    if isinstance(value, str):
        return _id(value, f"extra.{key}")
    return [_id(item, f"extra.{key}") for item in _as_list(value, f"extra.{key}")]
