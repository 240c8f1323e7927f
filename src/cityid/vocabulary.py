"""The names scripts rely on (../shared/INTERFACE.md): record classes, roles, requesters.

They are a contract; add freely, never rename.
"""

from __future__ import annotations

from typing import Literal, get_args

RecordClass = Literal[
    "application",
    "document_attestation",
    "document_copy",
    "photo",
    "card",
    "match_encoding",
    "disclosure_request",
    "audit_entry",
]
RECORD_CLASSES: tuple[str, ...] = get_args(RecordClass)

Role = Literal[
    "clerk", "supervisor", "investigator", "records_officer", "counsel", "auditor", "admin"
]
ROLES: tuple[str, ...] = get_args(Role)

RequesterKind = Literal[
    "applicant",
    "representative",
    "local_police",
    "federal_law_enforcement",
    "other_agency",
    "court",
    "public",
]
REQUESTER_KINDS: tuple[str, ...] = get_args(RequesterKind)

Instrument = Literal[
    "none",
    "administrative_subpoena",
    "judicial_subpoena",
    "judicial_warrant",
    "court_order",
    "written_consent",
]
INSTRUMENTS: tuple[str, ...] = get_args(Instrument)

DocumentMode = Literal["verify-and-discard", "retain"]
