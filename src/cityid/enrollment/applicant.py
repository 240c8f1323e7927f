"""One applicant, as an intake line carries it (INTERFACE.md "Applicant lines").

Validation is structural and against the policy (document types, postal codes,
languages, genders); whether the applicant is *eligible* is the policy engine's call
(`cityid.enrollment.eligibility.decide`). Errors name the field and the problem and never
echo a value: the values are personal data.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import re
import unicodedata
from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic.json_schema import JsonDict, JsonValue

from cityid.enrollment.countries import DOCUMENT_COUNTRY_CODES, is_document_country
from cityid.errors import BadInput
from cityid.policy.model import Policy

MAX_AGE_YEARS = 130
MAX_NAME_LENGTH = 100
# A 5 MB photo grows by a third in base64; refuse anything larger before decoding it.
MAX_PHOTO_B64_CHARS = 7 * 1024 * 1024
MAX_COPY_B64_CHARS = 14 * 1024 * 1024
DATE_MESSAGE = "not a date (use YYYY-MM-DD)"
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# Five digits, or ZIP+4 (only the five are kept); the OpenAPI document carries it too.
POSTAL_CODE_PATTERN = r"^[0-9]{5}(-[0-9]{4})?$"
# A phone number as people write it, or nothing.
PHONE_PATTERN = r"^(?:[0-9+()\-. ]{3,40})?$"
# An email address for notices: something@somewhere.tld, no blanks (the mail server decides
# the rest); a mobile number for text messages: digits with an optional leading +.
EMAIL_PATTERN = r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$"
MAX_EMAIL_LENGTH = 254
# Separators people type (blanks, brackets, dots, hyphens) are allowed and dropped.
MOBILE_SEPARATORS = r"[\s().-]"
MAX_MOBILE_LENGTH = 40
MOBILE_PATTERN = r"^[\s().-]*\+?(?:[\s().-]*[0-9]){7,15}[\s().-]*$"


class InvalidApplicant(BadInput):
    """An applicant line that cannot be taken in; `field_errors` says where and why."""

    code = "invalid_applicant"

    def __init__(self, field_errors: list[tuple[str, str]]) -> None:
        self.field_errors = field_errors
        shown = "; ".join(f"{field}: {message}" for field, message in field_errors[:8])
        more = f" (and {len(field_errors) - 8} more)" if len(field_errors) > 8 else ""
        super().__init__(f"applicant is not valid: {shown}{more}")


def _iso_date(value: object) -> object:
    if isinstance(value, dt.datetime):
        raise ValueError(DATE_MESSAGE)
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and _ISO_DATE.match(value):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise ValueError(DATE_MESSAGE)


IsoDate = Annotated[dt.date, BeforeValidator(_iso_date)]


# Bidi embeddings, overrides and isolates can make text display as something else.
_BIDI_OVERRIDES = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# The same rule as a pattern, for the OpenAPI document (validation below does not use a
# regex: it runs before the length limits). Blanks at either end are trimmed, so allowed.
_REFUSED = "\\x00-\\x1f\\x7f-\\x9f" + "".join(f"\\u{ord(c):04x}" for c in sorted(_BIDI_OVERRIDES))
TEXT_PATTERN = rf"^\s*[^{_REFUSED}]*?\s*$"
# Text that must not be empty once trimmed.
FILLED_TEXT_PATTERN = rf"^\s*[^\s{_REFUSED}][^{_REFUSED}]*?\s*$"
# Strict base64 (padding included), as `_require_base64` decodes it.
BASE64_PATTERN = r"^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$"
_BASE64: JsonDict = {"pattern": BASE64_PATTERN, "contentEncoding": "base64"}
_TEXT: JsonDict = {"pattern": TEXT_PATTERN}
_FILLED: JsonDict = {"pattern": FILLED_TEXT_PATTERN}


def _clean_text(value: str) -> str:
    """NFC and outer blanks trimmed; control characters refused. Nothing else changes.

    Joiners and direction marks (ZWJ, ZWNJ, RLM) are part of how some scripts are
    written and stay; overrides that disguise text are refused.
    """
    text = unicodedata.normalize("NFC", value).strip()
    # Printable text has neither (both are unprintable); only the rest is looked at closely.
    if not text.isprintable() and any(
        unicodedata.category(c) == "Cc" or c in _BIDI_OVERRIDES for c in text
    ):
        raise ValueError("contains control characters")
    return text


def _context(info: ValidationInfo) -> tuple[Policy | None, dt.date | None]:
    ctx = info.context or {}
    return ctx.get("policy"), ctx.get("today")


class _Model(BaseModel):
    # Unknown keys are ignored (legacy lines carry more), values are frozen once parsed.
    model_config = ConfigDict(extra="ignore", frozen=True)


class Address(_Model):
    line1: str = Field(min_length=1, max_length=200, json_schema_extra=_FILLED)
    line2: str = Field(default="", max_length=200, json_schema_extra=_TEXT)
    city: str = Field(min_length=1, max_length=100, json_schema_extra=_FILLED)
    state: str = Field(min_length=2, max_length=2)
    postal_code: str = Field(json_schema_extra={"pattern": POSTAL_CODE_PATTERN})

    @field_validator("line1", "line2", "city", mode="before")
    @classmethod
    def _text(cls, value: object) -> object:
        if value is None:
            return ""
        return _clean_text(value) if isinstance(value, str) else value

    @field_validator("state")
    @classmethod
    def _state(cls, value: str, info: ValidationInfo) -> str:
        policy, _ = _context(info)
        value = value.upper()
        if policy is not None and value != policy.residency.state:
            raise ValueError(f"must be {policy.residency.state}")
        return value

    @field_validator("postal_code")
    @classmethod
    def _postal_code(cls, value: str, info: ValidationInfo) -> str:
        value = value.strip()
        if not re.fullmatch(POSTAL_CODE_PATTERN, value):
            raise ValueError("not a postal code (five digits)")
        value = value[:5]
        policy, _ = _context(info)
        if policy is not None and value not in policy.residency.postal_code_set:
            raise ValueError("not in the city's postal codes")
        return value


class EmergencyContact(_Model):
    name: str = Field(min_length=1, max_length=200, json_schema_extra=_FILLED)
    phone: str = Field(default="", max_length=40, json_schema_extra={"pattern": PHONE_PATTERN})
    relationship: str = Field(default="", max_length=60, json_schema_extra=_TEXT)

    @field_validator("name", "relationship", mode="before")
    @classmethod
    def _text(cls, value: object) -> object:
        return _clean_text(value) if isinstance(value, str) else value

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str) -> str:
        if not re.fullmatch(PHONE_PATTERN, value):
            raise ValueError("not a phone number")
        return value


class Document(_Model):
    type: str
    number: str = Field(min_length=1, max_length=64, json_schema_extra=_FILLED)
    issuing_country: str = Field(
        json_schema_extra={"enum": list[JsonValue](sorted(DOCUMENT_COUNTRY_CODES))},
        description="ISO 3166-1 alpha-3 or ICAO code, either case",
    )
    expires: IsoDate | None = None
    mrz: str | None = Field(default=None, max_length=200)
    has_original: bool = True
    # A scanned copy (legacy import, retain mode only), base64.
    copy_b64: str | None = Field(
        default=None, max_length=MAX_COPY_B64_CHARS, json_schema_extra=_BASE64
    )

    @model_validator(mode="before")
    @classmethod
    def _country_of_type(cls, data: Any, info: ValidationInfo) -> Any:
        # A type issued by one country only (the policy says so) needs no country given.
        policy, _ = _context(info)
        if policy is None or not isinstance(data, Mapping):
            return data
        kind = policy.document_type(str(data.get("type", "")))
        if kind is not None and kind.issuing_country is not None:
            return {**data, "issuing_country": kind.issuing_country}
        return data

    @field_validator("number", mode="before")
    @classmethod
    def _number(cls, value: object) -> object:
        return _clean_text(value) if isinstance(value, str) else value

    @field_validator("type")
    @classmethod
    def _known_type(cls, value: str, info: ValidationInfo) -> str:
        policy, _ = _context(info)
        if policy is not None and policy.document_type(value) is None:
            raise ValueError("not a document type the program accepts")
        return value

    @field_validator("issuing_country")
    @classmethod
    def _country(cls, value: str) -> str:
        if not is_document_country(value.upper()):
            raise ValueError("not an ISO 3166-1 alpha-3 country code")
        return value.upper()

    @field_validator("copy_b64")
    @classmethod
    def _copy(cls, value: str | None) -> str | None:
        if value is not None:
            _require_base64(value)
        return value

    @model_validator(mode="after")
    def _expiry_needed(self, info: ValidationInfo) -> Document:
        policy, _ = _context(info)
        kind = policy.document_type(self.type) if policy is not None else None
        if kind is not None and kind.has_expiry and self.expires is None:
            raise ValueError("expires: needed for this document type")
        return self


def _require_base64(value: str) -> None:
    try:
        base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("not base64") from None


class CaretakerDocument(Document):
    """A document the caretaker shows: who they are, or their bond to the applicant (a
    birth certificate naming them, a guardianship order). It counts no points."""

    @field_validator("type")
    @classmethod
    def _known_type(cls, value: str, info: ValidationInfo) -> str:
        policy, _ = _context(info)
        if policy is not None:
            rules = policy.eligibility.caretaker
            if value not in rules.identity_documents and value not in rules.relationship_documents:
                raise ValueError("not a document the program accepts from a caretaker")
        return value


class Caretaker(_Model):
    """Who comes with the applicant, and the proof. No name: the documents prove who the
    caretaker is in front of the clerk, and the card never names a caretaker."""

    relationship: str = Field(max_length=40)
    documents: list[CaretakerDocument] = Field(min_length=1, max_length=6)

    @field_validator("relationship")
    @classmethod
    def _relationship(cls, value: str, info: ValidationInfo) -> str:
        policy, _ = _context(info)
        if policy is not None and value not in policy.eligibility.caretaker.relationships:
            raise ValueError("not one of the program's caretaker relationships")
        return value


class Applicant(_Model):
    # The document says what `_some_name` checks, so a reader of the schema can tell.
    model_config = ConfigDict(
        extra="ignore",
        frozen=True,
        json_schema_extra={
            "anyOf": [
                {"properties": {"given_name": _FILLED}},
                {"properties": {"family_name": _FILLED}},
            ]
        },
    )
    given_name: str = Field(max_length=MAX_NAME_LENGTH, json_schema_extra=_TEXT)
    family_name: str = Field(max_length=MAX_NAME_LENGTH, json_schema_extra=_TEXT)
    date_of_birth: IsoDate
    address: Address
    gender: Literal["F", "M", "X"] | None = None
    language: str | None = None
    veteran: bool = False
    organ_donor: bool = False
    emergency_contact: EmergencyContact | None = None
    caretaker_present: bool = False
    caretaker: Caretaker | None = None
    # No safe address: the card is kept at the centre, suspended, until handed over.
    pickup_at_centre: bool = False
    documents: list[Document] = Field(default_factory=list, max_length=20)
    photo: str | None = Field(
        default=None, max_length=MAX_PHOTO_B64_CHARS, json_schema_extra=_BASE64
    )
    centre: str | None = Field(default=None, max_length=80)
    # Where notices go (both optional; each given address gets each notice), and whether
    # the applicant opted out of all but the legally required ones.
    contact_email: str | None = Field(
        default=None, max_length=MAX_EMAIL_LENGTH, json_schema_extra={"pattern": EMAIL_PATTERN}
    )
    contact_phone: str | None = Field(
        default=None, max_length=MAX_MOBILE_LENGTH, json_schema_extra={"pattern": MOBILE_PATTERN}
    )
    notices_opt_out: bool = False

    @field_validator("contact_email", mode="before")
    @classmethod
    def _email(cls, value: object) -> object:
        # Checked as given (the OpenAPI pattern says the same): no silent trimming.
        if isinstance(value, str) and not re.fullmatch(EMAIL_PATTERN, value):
            raise ValueError("not an email address")
        return value

    @field_validator("contact_phone", mode="before")
    @classmethod
    def _mobile(cls, value: object) -> object:
        if isinstance(value, str):
            if len(value) > MAX_MOBILE_LENGTH or not re.fullmatch(MOBILE_PATTERN, value):
                raise ValueError("not a mobile number (7 to 15 digits, optionally a leading +)")
            # Kept as the gateway wants it: the digits and the leading +, nothing else.
            value = re.sub(MOBILE_SEPARATORS, "", value)
        return value

    @field_validator("given_name", "family_name", mode="before")
    @classmethod
    def _name(cls, value: object) -> object:
        return _clean_text(value) if isinstance(value, str) else value

    @field_validator("date_of_birth")
    @classmethod
    def _possible_age(cls, value: dt.date, info: ValidationInfo) -> dt.date:
        _, today = _context(info)
        if today is not None:
            if value > today:
                raise ValueError("is in the future")
            if age_on(value, today) > MAX_AGE_YEARS:
                raise ValueError(f"gives an age over {MAX_AGE_YEARS}")
        return value

    @field_validator("gender")
    @classmethod
    def _gender(cls, value: str | None, info: ValidationInfo) -> str | None:
        policy, _ = _context(info)
        if value is not None and policy is not None and value not in policy.card.genders:
            raise ValueError("not one of the program's genders")
        return value

    @field_validator("language")
    @classmethod
    def _language(cls, value: str | None, info: ValidationInfo) -> str | None:
        policy, _ = _context(info)
        if value is not None and policy is not None and value not in policy.card.languages:
            raise ValueError("not one of the program's languages (ISO 639-3)")
        return value

    @field_validator("photo")
    @classmethod
    def _photo(cls, value: str | None) -> str | None:
        if value is not None:
            _require_base64(value)
        return value

    @model_validator(mode="after")
    def _some_name(self) -> Applicant:
        # One name is enough (many people have a single name); none is not.
        if not self.given_name and not self.family_name:
            raise ValueError("given_name: a given name or a family name is needed")
        return self

    def age_on(self, today: dt.date) -> int:
        return age_on(self.date_of_birth, today)

    @property
    def with_caretaker(self) -> bool:
        """Came with a caretaker: one whose proof is recorded, or one the clerk ticked."""
        return self.caretaker is not None or self.caretaker_present


def age_on(born: dt.date, today: dt.date) -> int:
    """Whole years completed on `today` (a 29 February birthday turns on 1 March)."""
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


# --- entry points -----------------------------------------------------------------------


def parse_applicant(data: Mapping[str, Any], policy: Policy, today: dt.date) -> Applicant:
    """Validate a decoded applicant object; raise InvalidApplicant listing every problem."""
    if not isinstance(data, Mapping):
        raise InvalidApplicant([("(line)", "not a JSON object")])
    try:
        return Applicant.model_validate(data, context={"policy": policy, "today": today})
    except ValidationError as exc:
        raise InvalidApplicant(field_errors(exc)) from None


def parse_applicant_line(text: str, policy: Policy, today: dt.date) -> Applicant:
    """One line of an intake file (JSON) as an Applicant."""
    try:
        data = json.loads(text)
    except (json.JSONDecodeError, RecursionError):
        raise InvalidApplicant([("(line)", "not valid JSON")]) from None
    return parse_applicant(data, policy, today)


def field_errors(exc: ValidationError) -> list[tuple[str, str]]:
    """Pydantic's errors as (field path, message), values never included."""
    found: list[tuple[str, str]] = []
    for err in exc.errors(include_url=False, include_input=False, include_context=True):
        field = ".".join(str(part) for part in err["loc"])
        message = _message(err["type"], err["msg"], err.get("ctx") or {})
        # Model-level checks name their own field as "field: message".
        if (
            err["type"] == "value_error"
            and ": " in message
            and message.split(": ")[0].isidentifier()
        ):
            sub, message = message.split(": ", 1)
            field = f"{field}.{sub}" if field else sub
        found.append((field or "(line)", message))
    return found


_MESSAGES = {
    "missing": "required",
    "string_type": "must be text",
    "bool_type": "must be true or false",
    "bool_parsing": "must be true or false",
    "list_type": "must be a list",
    "model_type": "must be an object",
    "model_attributes_type": "must be an object",
    "dict_type": "must be an object",
    "date_type": DATE_MESSAGE,
    "date_parsing": DATE_MESSAGE,
    "date_from_datetime_parsing": DATE_MESSAGE,
    "string_pattern_mismatch": "has the wrong format",
}


def _message(kind: str, msg: str, ctx: Mapping[str, Any]) -> str:
    if kind == "value_error":
        return msg.removeprefix("Value error, ")
    if kind in _MESSAGES:
        return _MESSAGES[kind]
    if kind == "string_too_short":
        return "must not be empty" if ctx.get("min_length") == 1 else msg
    if kind == "string_too_long":
        return f"longer than {ctx.get('max_length')} characters"
    if kind == "too_long":
        return f"more than {ctx.get('max_length')} items"
    if kind == "literal_error":
        return f"must be one of {ctx.get('expected')}"
    return "is not valid"
