"""What the enrollment services answer: an application shown, listed, moved.

Frozen values; the doors turn them into JSON with `cityid.jsonable.to_json`, whose
output is the contract in docs/interface.md: fields are declared in the order of the
JSON keys, and enum values are the strings the JSON carries.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from cityid.enrollment.lifecycle import ApplicationStatus
from cityid.jsonable import OMIT_NONE


@dataclass(frozen=True, slots=True)
class Points:
    identity: int
    residency: int
    total: int


@dataclass(frozen=True, slots=True)
class ApplicantShown:
    """The applicant's decrypted details; `photo` says whether a portrait is held."""

    given_name: str
    family_name: str
    date_of_birth: str
    address: dict[str, Any]
    gender: str | None
    language: str | None
    veteran: bool
    organ_donor: bool
    caretaker_present: bool
    emergency_contact: dict[str, Any] | None
    photo: bool
    pickup_at_centre: bool = False
    contact_email: str | None = None
    contact_phone: str | None = None
    notices_opt_out: bool = False


@dataclass(frozen=True, slots=True)
class DocumentShown:
    """A document as every reader sees it: its type, points, and its copy's state."""

    type: str
    points: int
    copy: str


@dataclass(frozen=True, slots=True)
class DocumentDetail(DocumentShown):
    """A document with its attestation (`application show --documents`)."""

    attestation_id: str
    identity_points: int
    residency_points: int
    issuing_country: str | None
    outcome: str
    verifier_id: str
    verified_at: str


@dataclass(frozen=True, slots=True)
class ApplicationShown:
    """docs/interface.md's `application show` document."""

    application_id: str
    reference: str
    status: ApplicationStatus
    type: str
    centre: str | None
    enrolled_on: str
    previous_application_id: str | None
    applicant: ApplicantShown
    points: Points
    flags: list[dict[str, Any]]
    notes: list[str]
    documents: list[DocumentShown]


@dataclass(frozen=True, slots=True)
class ApplicationSummary:
    """What lists show: no personal data, so no key is opened and nothing is audited."""

    application_id: str
    status: ApplicationStatus
    type: str
    centre: str | None
    enrolled_on: str
    created_at: str
    total_points: int
    flags: list[dict[str, Any]]


@dataclass(frozen=True, slots=True)
class StatusMoved:
    """An application moved by a decision (approve, reject, withdraw)."""

    application_id: str
    status: ApplicationStatus
    previous_status: ApplicationStatus


@dataclass(frozen=True, slots=True)
class MarkedIssued(StatusMoved):
    """Issued: the retention clock is known now (`due_on`)."""

    due_on: str


@dataclass(frozen=True, slots=True, kw_only=True)
class IntakeItem:
    """One line of `enroll`'s output; `line` only when the intake came from a file."""

    line: int | None = field(default=None, metadata=OMIT_NONE)
    application_id: str | None
    status: ApplicationStatus
    flags: list[dict[str, Any]]
    reasons: list[str]
