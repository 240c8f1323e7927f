"""The city's rules as a typed, validated model of the policy file (TOML).

Every rule a city would tune lives here, with IDNYC's as the shipped default
(`default_policy.toml`). Nothing in the rest of the code hard-codes these numbers.
"""

from __future__ import annotations

import datetime as dt
import inspect
import re
from collections.abc import Mapping
from functools import cached_property
from typing import Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from cityid.vocabulary import (
    INSTRUMENTS,
    RECORD_CLASSES,
    REQUESTER_KINDS,
    ROLES,
    DocumentMode,
    Instrument,
    RecordClass,
    RequesterKind,
    Role,
)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Self:
        # A copy with changed fields must not keep look-ups cached from the original.
        copied = super().model_copy(update=update, deep=deep)
        for name, member in inspect.getmembers(type(self)):
            if isinstance(member, cached_property):
                copied.__dict__.pop(name, None)
        return copied


# host[:port][/path...]: no scheme, no trailing slash, no spaces or '+'.
_ORIGIN = re.compile(
    r"[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?(?::[0-9]{1,5})?"
    r"(?:/[A-Za-z0-9._~%!$&'()*,;=:@-]+)*"
)


class Program(_Strict):
    name: str = Field(min_length=1)
    issuer_uri: str = Field(min_length=1, description="CWT `iss` of every card")
    public_base_url: str = "http://127.0.0.1:8000"
    timezone: str = "America/New_York"
    # Where a holder turns when a verifier refuses their card (the /verify page says it).
    help_phone: str = Field(default="311", min_length=1, max_length=40)
    checkpoint_origin: str = Field(
        min_length=1,
        description="C2SP checkpoint origin line: the log's URL prefix without a scheme",
    )

    @field_validator("checkpoint_origin")
    @classmethod
    def _origin_is_a_url_prefix(cls, value: str) -> str:
        # c2sp.org/tlog-tiles: the scheme-less URL prefix with no trailing slash; it is
        # also the note key name, so no spaces or '+'.
        if not _ORIGIN.fullmatch(value):
            raise ValueError(
                "checkpoint_origin is the log's URL prefix without a scheme or trailing "
                "slash, for example 'id.nyc.example/cityid/log'"
            )
        return value


class CaretakerDocumentKind(_Strict):
    """A document that proves a caretaker's relationship and gives the applicant no points
    (a guardianship order); documents that do give points are named by their type code."""

    code: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: str
    has_expiry: bool = False


class CaretakerRules(_Strict):
    """Who applies with a caretaker, and what proves the caretaker's identity and bond.

    Applicants from `eligibility.min_age` through `required_through_age` must; adults
    (from `adult_from_age`) may when `adults_may_have_one`; anyone between may.
    """

    required_through_age: int = Field(default=13, ge=0, le=120)
    adult_from_age: int = Field(default=18, ge=0, le=120)
    adults_may_have_one: bool = True
    relationships: list[str] = Field(
        default=["parent", "legal_guardian", "foster_parent", "caregiver"], min_length=1
    )
    # Document type codes (of `document_types`) that prove the caretaker's identity.
    identity_documents: list[str] = [
        "us_passport", "foreign_passport", "us_passport_card", "nys_driver_license",
        "nys_dmv_id", "permanent_resident_card", "employment_authorization",
        "foreign_national_id", "consular_id", "us_military_id",
    ]  # fmt: skip
    # Codes of `document_types` or of `relationship_document_kinds` that prove the bond.
    relationship_documents: list[str] = [
        "us_birth_certificate", "foreign_birth_certificate", "guardianship_order",
        "foster_care_letter", "caregiver_authorization",
    ]  # fmt: skip
    relationship_document_kinds: list[CaretakerDocumentKind] = [
        CaretakerDocumentKind(code="guardianship_order", name="Court order of guardianship"),
        CaretakerDocumentKind(
            code="foster_care_letter", name="Foster care placement letter from the agency"
        ),
        CaretakerDocumentKind(
            code="caregiver_authorization",
            name="Signed caregiver authorization or power of attorney",
        ),
    ]


class Eligibility(_Strict):
    min_age: int = Field(ge=0, le=120)
    min_points_total: int = Field(ge=1)
    min_identity_points: int = Field(ge=0)
    min_residency_points: int = Field(ge=0)
    require_photo_document: bool = True
    photo_exemption_max_age_with_caretaker: int = Field(ge=0, le=120)
    require_date_of_birth_document: bool = True
    originals_only: bool = True
    expired_passport_grace_years: int = Field(ge=0)
    expired_passport_identity_points: int = Field(ge=0)
    # Documents that satisfy every requirement on their own when they carry a city address.
    sufficient_alone_with_city_address: list[str] = []
    caretaker: CaretakerRules = Field(default_factory=lambda: CaretakerRules())


class DocumentType(_Strict):
    code: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: str
    category: Literal["identity", "residency", "both"]
    identity_points: int = Field(ge=0, le=10)
    residency_points: int = Field(ge=0, le=10)
    has_photo: bool = False
    has_date_of_birth: bool = False
    mrz: Literal["none", "td1", "td2", "td3"] = "none"
    machine_readable_passport: bool = False
    has_expiry: bool = True
    # Set when every document of this type comes from one country (a U.S. passport, a
    # utility bill in the city): the desk does not ask, intake fills it in.
    issuing_country: str | None = Field(default=None, pattern=r"^[A-Z]{3}$")

    @model_validator(mode="after")
    def _points_match_category(self) -> DocumentType:
        if self.category == "identity" and self.residency_points:
            raise ValueError("an identity-only document cannot give residency points")
        if self.category == "residency" and self.identity_points:
            raise ValueError("a residency-only document cannot give identity points")
        return self


class Residency(_Strict):
    city_name: str
    state: str = Field(min_length=2, max_length=2)
    postal_codes: list[str] = Field(min_length=1)

    @field_validator("postal_codes")
    @classmethod
    def _five_digits(cls, codes: list[str]) -> list[str]:
        bad = [c for c in codes if not (len(c) == 5 and c.isdigit())]
        if bad:
            raise ValueError(f"postal codes must be five digits; {len(bad)} are not")
        return codes

    @cached_property
    def postal_code_set(self) -> frozenset[str]:
        """The codes as a set, for residency checks on every intake."""
        return frozenset(self.postal_codes)


class Card(_Strict):
    adult_from_age: int = Field(ge=0)
    adult_validity_years: int = Field(ge=1)
    minor_validity_years: int = Field(ge=1)
    renewal_opens_days_before_expiry: int = Field(ge=0)
    renewal_closes_months_after_expiry: int = Field(ge=0)
    replacement_fee_cents: int = Field(ge=0)
    replacement_fee_waivable_for_hardship: bool = True
    genders: list[Literal["F", "M", "X"]]
    languages: list[str] = Field(min_length=1, description="ISO 639-3 codes")
    status_list_size: int = Field(ge=1024, description="cards per status list")
    status_list_ttl_seconds: int = Field(ge=60)
    credential_validity_days: int | None = Field(
        default=None, description="None: the credential expires with the card"
    )

    @field_validator("languages")
    @classmethod
    def _iso639_3(cls, langs: list[str]) -> list[str]:
        bad = [code for code in langs if not (len(code) == 3 and code.isalpha() and code.islower())]
        if bad:
            raise ValueError(f"languages must be ISO 639-3 codes; not: {', '.join(bad)}")
        return langs


class Production(_Strict):
    """Card production: print batches, and cards kept at a centre for pickup."""

    # A card kept for pickup (chosen at intake, or returned by the post) and not
    # collected within this many days is revoked and its application erased.
    uncollected_after_days: int = Field(default=90, ge=1)
    max_batch_cards: int = Field(default=500, ge=1, description="cards per print batch")


class ModeChange(_Strict):
    effective: dt.date
    mode: DocumentMode
    reason: str = ""


class RetentionSchedule(_Strict):
    record_class: RecordClass
    from_event: Literal["enrollment", "issuance", "card_expiry", "fixed_date", "decision"]
    keep_days: int = Field(default=0, ge=0)
    keep_years: int = Field(default=0, ge=0)
    fixed_date: dt.date | None = None
    cohort_period: Literal["month", "year"] = "month"

    @model_validator(mode="after")
    def _fixed_date_needed(self) -> RetentionSchedule:
        if self.from_event == "fixed_date" and self.fixed_date is None:
            raise ValueError("from_event = 'fixed_date' needs fixed_date")
        return self


class Retention(_Strict):
    document_mode: DocumentMode
    mode_changes: list[ModeChange] = []
    schedules: list[RetentionSchedule]
    keystore_backup_retention_days: int = Field(ge=0)
    disposition_chunk_size: int = Field(ge=1)

    @model_validator(mode="after")
    def _one_schedule_per_class(self) -> Retention:
        seen: set[str] = set()
        for schedule in self.schedules:
            if schedule.record_class in seen:
                raise ValueError(f"two schedules for record class {schedule.record_class}")
            seen.add(schedule.record_class)
        return self

    def mode_on(self, day: dt.date) -> DocumentMode:
        """The document mode in force on `day`: the latest change on or before it."""
        mode: DocumentMode = self.document_mode
        for change in sorted(self.mode_changes, key=lambda c: c.effective):
            if change.effective <= day:
                mode = change.mode
        return mode


class DisclosureRule(_Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9_.-]*$")
    description: str
    requester_kinds: list[RequesterKind] = Field(min_length=1)
    instruments: list[Instrument] = Field(min_length=1)
    scope: Literal["personal", "aggregate", "any"] = "any"
    requires_identity_check: bool = False
    decision: Literal["grant", "deny", "counsel_review"]
    notify_applicant: bool = True


class Disclosure(_Strict):
    rules: list[DisclosureRule] = Field(min_length=1)
    default_decision: Literal["deny"] = "deny"
    response_days: int = Field(ge=1)


class Security(_Strict):
    password_min_length: int = Field(ge=8)
    lockout_after_failures: int = Field(ge=1)
    lockout_minutes: int = Field(ge=1)
    session_minutes: int = Field(ge=1)  # absolute: a session ends this long after sign-in
    api_token_days: int = Field(ge=1)
    # Defaults let a data dir made before these keys existed still load.
    session_idle_minutes: int = Field(default=30, ge=1)
    throttle_failures_per_address: int = Field(default=20, ge=1)
    throttle_minutes: int = Field(default=15, ge=1)
    second_factor_required_roles: list[str] = Field(
        default_factory=lambda: ["admin", "counsel", "records_officer"]
    )
    recovery_codes: int = Field(default=10, ge=1, le=50)
    max_request_body_bytes: int = Field(default=26_214_400, ge=65_536)


class Matching(_Strict):
    duplicate_threshold: float = Field(gt=0, le=1)
    # Four field segments, each XOR-folded from twice its size: a multiple of 512 bits.
    bloom_bits: int = Field(ge=512, multiple_of=512)
    bloom_hashes: int = Field(ge=1, le=64)
    address_window_days: int = Field(ge=1)
    address_max_applications: int = Field(ge=1)
    clerk_window_minutes: int = Field(ge=1)
    clerk_max_applications: int = Field(ge=1)
    # The intake channels whose pace is one clerk's (enrollment.screening.IntakeChannel).
    clerk_velocity_channels: list[Literal["desk", "api", "batch"]] = ["desk", "api"]


class Appointments(_Strict):
    """Centres' appointment books: slot length and size, how far ahead, reminders."""

    slot_minutes: int = Field(default=20, ge=5, le=240)
    slot_capacity: int = Field(default=2, ge=1, le=50, description="people per slot")
    book_ahead_days: int = Field(default=28, ge=1, le=366)
    # Centres' weekly hours, when a centre is added without its own.
    default_hours: dict[str, list[str]] = {
        "mon": ["09:00", "17:00"], "tue": ["09:00", "17:00"], "wed": ["09:00", "17:00"],
        "thu": ["09:00", "17:00"], "fri": ["09:00", "17:00"],
    }  # fmt: skip


class AccessAlerts(_Strict):
    """Thresholds of the insider-alert rules over the audit log (accountability/alert_rules)."""

    max_reads_per_hour: int = Field(default=120, ge=1)
    shift_start_hour: int = Field(default=7, ge=0, le=23)
    shift_end_hour: int = Field(default=20, ge=1, le=24)
    off_shift_min_reads: int = Field(default=5, ge=1)
    other_centre_min_reads: int = Field(default=5, ge=1)
    no_task_min_reads: int = Field(default=20, ge=1)
    searches_without_intake: int = Field(default=15, ge=1)
    search_intake_minutes: int = Field(default=30, ge=1)
    not_found_per_hour: int = Field(default=10, ge=1)
    max_entries_per_alert: int = Field(default=200, ge=1)


class Accountability(_Strict):
    """Why and how far staff may read a person's record (accountability/)."""

    # Each read names one of these purposes; it is the audit entry's reason code.
    purposes: list[str] = Field(
        default=["intake", "review_of_flag", "desk_request", "disclosure_request", "audit"],
        min_length=1,
    )
    # Purposes that must name a reference (the disclosure request's id).
    purposes_with_reference: list[str] = Field(default=["disclosure_request"])
    # Purposes that stand for a task of their own (no open application task needed).
    purposes_without_task: list[str] = Field(
        default=["desk_request", "disclosure_request", "audit"]
    )
    clerk_days_after_intake: int = Field(default=30, ge=0)
    search_max_results: int = Field(default=10, ge=1)
    searches_per_hour: int = Field(default=60, ge=1)
    exception_max_hours: int = Field(default=8, ge=1)
    alerts: AccessAlerts = Field(default_factory=AccessAlerts)

    @model_validator(mode="after")
    def _known_purposes(self) -> Accountability:
        unknown = sorted(
            set(self.purposes_with_reference + self.purposes_without_task) - set(self.purposes)
        )
        if unknown:
            raise ValueError(f"accountability names unknown purposes: {', '.join(unknown)}")
        bad = [p for p in self.purposes if not re.fullmatch(r"[a-z][a-z0-9_]{0,39}", p)]
        if bad:
            raise ValueError("accountability purposes are lower-case codes (a-z, 0-9, _)")
        return self


class Notices(_Strict):
    """Notices to applicants and one-time codes: what the law requires, retries, codes."""

    # Sent even to a resident who opted out (their own decision, a disclosure, a code they
    # asked for, a card reported lost).
    legally_required: list[str] = [
        "decision", "disclosure", "one_time_code", "card_reported_lost",
    ]  # fmt: skip
    renewal_days_before_expiry: list[int] = [60, 30]
    reminder_days_before: int = Field(default=1, ge=0)
    max_attempts: int = Field(default=8, ge=1)
    retry_first_seconds: int = Field(default=60, ge=1)
    retry_max_seconds: int = Field(default=6 * 3600, ge=1)
    one_time_code_minutes: int = Field(default=10, ge=1, le=60)
    one_time_code_max_attempts: int = Field(default=3, ge=1, le=10)
    one_time_code_digits: int = Field(default=6, ge=6, le=10)
    one_time_codes_per_hour: int = Field(default=5, ge=1)


class Policy(_Strict):
    """The whole policy file. Cross-references are checked here, once, at start-up."""

    version: int = Field(ge=1)
    program: Program
    eligibility: Eligibility
    document_types: list[DocumentType] = Field(min_length=1)
    residency: Residency
    card: Card
    production: Production = Production()
    retention: Retention
    disclosure: Disclosure
    security: Security
    matching: Matching
    appointments: Appointments = Field(default_factory=lambda: Appointments())
    notices: Notices = Notices()
    permissions: dict[str, list[Role]] = Field(min_length=1)
    accountability: Accountability = Field(default_factory=Accountability)

    @model_validator(mode="after")
    def _cross_references(self) -> Policy:
        codes = [d.code for d in self.document_types]
        dupes = sorted({c for c in codes if codes.count(c) > 1})
        if dupes:
            raise ValueError(f"document type codes repeat: {', '.join(dupes)}")
        unknown = [c for c in self.eligibility.sufficient_alone_with_city_address if c not in codes]
        if unknown:
            raise ValueError(
                "eligibility.sufficient_alone_with_city_address names unknown document types: "
                + ", ".join(unknown)
            )
        self._caretaker_references(codes)
        rule_ids = [r.id for r in self.disclosure.rules]
        if len(set(rule_ids)) != len(rule_ids):
            raise ValueError("disclosure rule ids repeat")
        return self

    def _caretaker_references(self, codes: list[str]) -> None:
        rules = self.eligibility.caretaker
        kinds = [k.code for k in rules.relationship_document_kinds]
        unknown = [c for c in rules.identity_documents if c not in codes]
        unknown += [c for c in rules.relationship_documents if c not in codes and c not in kinds]
        if unknown:
            raise ValueError(
                "eligibility.caretaker names unknown document types: " + ", ".join(unknown)
            )

    def caretaker_document_name(self, code: str) -> str | None:
        """The name of a document a caretaker may show (a type, or a relationship kind)."""
        kind = self.document_type(code)
        if kind is not None:
            return kind.name
        found = (k for k in self.eligibility.caretaker.relationship_document_kinds)
        return next((k.name for k in found if k.code == code), None)

    def document_type(self, code: str) -> DocumentType | None:
        return self._document_types_by_code.get(code)

    @cached_property
    def _document_types_by_code(self) -> dict[str, DocumentType]:
        return {d.code: d for d in self.document_types}

    def schedule_for(self, record_class: str) -> RetentionSchedule | None:
        return next((s for s in self.retention.schedules if s.record_class == record_class), None)

    def roles_for(self, permission: str) -> frozenset[str]:
        return frozenset(self.permissions.get(permission, ()))


__all__ = [
    "INSTRUMENTS",
    "RECORD_CLASSES",
    "REQUESTER_KINDS",
    "ROLES",
    "Policy",
]
