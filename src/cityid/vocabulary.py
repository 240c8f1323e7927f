"""The kernel's vocabulary: names scripts rely on (../shared/INTERFACE.md) and names
every room shares: record classes, roles, requesters, instruments, key purposes.

Each name is defined here once and imported everywhere else (this module imports
nothing of cityid). They are a contract; add freely, never rename.
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
    "clerk", "supervisor", "investigator", "records_officer", "counsel", "auditor", "admin",
    "production",
]  # fmt: skip
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

# Key purposes: what each keystore key is for. Defined here once; every room that names a
# key (the keystore, init, key administration, cards, audit, enrollment, matching) uses
# these names, never its own spelling of the string.
SigningPurpose = Literal["card-issuer", "audit-checkpoint"]
SIGNING_PURPOSES: tuple[str, ...] = get_args(SigningPurpose)
ISSUER_PURPOSE: SigningPurpose = "card-issuer"  # signs credentials and status lists
CHECKPOINT_PURPOSE: SigningPurpose = "audit-checkpoint"  # signs the log's checkpoints

KeyedHashPurpose = Literal["blind-index", "document-token", "match", "address-key"]
BLIND_INDEX_PURPOSE: KeyedHashPurpose = "blind-index"  # finds an applicant by name and birth
DOCUMENT_TOKEN_PURPOSE: KeyedHashPurpose = "document-token"  # noqa: S105 (a key name)
MATCH_PURPOSE: KeyedHashPurpose = "match"  # the Bloom encodings of the 1:N search
ADDRESS_KEY_PURPOSE: KeyedHashPurpose = "address-key"  # counts applications per address
# The keyed-hash keys `cityid init` makes and `keys rotate keyed-hash` rotates together;
# the address key is made on first use and rotated by name.
KEYED_HASH_PURPOSES: tuple[KeyedHashPurpose, ...] = (
    BLIND_INDEX_PURPOSE,
    DOCUMENT_TOKEN_PURPOSE,
    MATCH_PURPOSE,
)
