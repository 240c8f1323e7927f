"""Reading and writing enrollment rows: sealing personal fields, keyed hashes, records.

Services call these inside their unit of work; nothing here commits or audits.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from cityid.crypto import KeyedHasher, Keystore, RecordSealer, SealedKey
from cityid.enrollment.applicant import Applicant
from cityid.enrollment.lifecycle import ApplicationStatus
from cityid.enrollment.normalise import dob_key, normalise_address, normalise_name
from cityid.enrollment.results import ApplicantShown, ApplicationSummary
from cityid.enrollment.tables import (
    application_history,
    applications,
    document_attestations,
    document_copies,
)
from cityid.errors import NotFound
from cityid.store.uow import UnitOfWork
from cityid.vocabulary import DOCUMENT_TOKEN_PURPOSE

_BLIND_DOMAIN = b"cityid/blind-index/v1\x00"
_ADDRESS_DOMAIN = b"cityid/address-key/v1\x00"
# Crockford's base32: no I, L, O or U, so a reference read aloud is not misheard.
_REFERENCE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def new_id(prefix: str) -> str:
    """An opaque record id: the second it was made (hex), then 64 random bits.

    Ids made later sort later, so a bulk import appends to the indexes keyed by id and a
    disposition, which walks records in id order, finds neighbours on the same pages;
    with random ids each of a million rows costs a page of its own. The second says
    nothing new: every record keeps the moment it was made beside it anyway.
    """
    return f"{prefix}-{int(time.time()):08x}{secrets.token_hex(8)}"


def new_reference() -> str:
    """Ten random base32 characters (50 bits) as "XXXXX-XXXXX"."""
    bits = secrets.randbits(50)
    chars = "".join(_REFERENCE_ALPHABET[(bits >> (5 * i)) & 31] for i in range(10))
    return f"{chars[:5]}-{chars[5:]}"


def normalise_reference(text: str) -> str:
    plain = text.strip().upper().replace("-", "").replace(" ", "")
    plain = plain.translate(str.maketrans("OIL", "011"))
    return f"{plain[:5]}-{plain[5:]}" if len(plain) == 10 else plain


# --- keys for one operation ---------------------------------------------------------------


@dataclass
class EnrollmentKeys:
    """The sealer and keyed hashers one operation (a request, a whole batch) reuses."""

    keystore: Keystore
    sealer: RecordSealer
    _hashers: dict[str, KeyedHasher] = field(default_factory=dict)

    @classmethod
    def open(cls, keystore: Keystore) -> EnrollmentKeys:
        return cls(keystore=keystore, sealer=RecordSealer(keystore))

    def hasher(self, purpose: str) -> KeyedHasher:
        found = self._hashers.get(purpose)
        if found is None:
            found = self._hashers[purpose] = self.keystore.keyed_hasher(purpose)
        return found

    def close(self) -> None:
        self.sealer.close()
        self._hashers.clear()

    def __enter__(self) -> EnrollmentKeys:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def blind_index(
    hasher: KeyedHasher,
    family_name: str,
    given_name: str,
    born: dt.date,
    *,
    domain: bytes = _BLIND_DOMAIN,
) -> str:
    """Keyed hash of the normalised names and date of birth: equal only for exact matches.

    Another room's index of the same person (a booking's) passes its own `domain`, so its
    hashes can never be matched against the applications' blind index.
    """
    message = "\x1f".join((normalise_name(family_name), normalise_name(given_name), dob_key(born)))
    return hasher.digest(domain + message.encode("utf-8")).hex()


def address_key(hasher: KeyedHasher, applicant: Applicant) -> str:
    address = applicant.address
    key = normalise_address(address.line1, address.line2, address.postal_code).key
    return hasher.digest(_ADDRESS_DOMAIN + key.encode("utf-8")).hex()


def document_token_purpose() -> str:
    return DOCUMENT_TOKEN_PURPOSE


# --- the sealed fields of an application --------------------------------------------------


def personal_fields(applicant: Applicant) -> dict[str, bytes | None]:
    """Each personal field as the bytes to seal (None: the applicant gave none)."""
    contact = applicant.emergency_contact
    options = {
        "gender": applicant.gender,
        "veteran": applicant.veteran,
        "organ_donor": applicant.organ_donor,
        "caretaker_present": applicant.with_caretaker,
        # The bond, never the caretaker's name: the documents proved who they are.
        "caretaker_relationship": (
            None if applicant.caretaker is None else applicant.caretaker.relationship
        ),
        "pickup_at_centre": applicant.pickup_at_centre,
        # Where notices go: sealed with the options (older records simply lack them).
        "contact_email": applicant.contact_email,
        "contact_phone": applicant.contact_phone,
        "notices_opt_out": applicant.notices_opt_out,
    }
    return {
        "given_name": applicant.given_name.encode(),
        "family_name": applicant.family_name.encode(),
        "date_of_birth": applicant.date_of_birth.isoformat().encode(),
        "address": _json(applicant.address.model_dump()),
        "contact": None if contact is None else _json(contact.model_dump()),
        "options": _json(options),
        "language": None if applicant.language is None else applicant.language.encode(),
    }


def _json(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, sort_keys=True).encode()


def sealed_key_of(row: Any) -> SealedKey:
    return SealedKey(row.cohort_key_id, bytes(row.wrapped_key))


def open_text(sealer: RecordSealer, row: Any, name: str) -> str | None:
    blob = getattr(row, f"s_{name}")
    if blob is None:
        return None
    return sealer.open_field(sealed_key_of(row), row.application_id, name, bytes(blob)).decode()


def open_bytes(sealer: RecordSealer, row: Any, name: str) -> bytes | None:
    blob = getattr(row, f"s_{name}")
    if blob is None:
        return None
    return sealer.open_field(sealed_key_of(row), row.application_id, name, bytes(blob))


@dataclass(frozen=True)
class DocumentView:
    attestation_id: str
    type: str
    points: int
    identity_points: int
    residency_points: int
    issuing_country: str
    outcome: str
    verifier_id: str
    verified_at: dt.datetime
    copy: str  # retained | not_retained | destroyed


@dataclass(frozen=True)
class ApplicationRecord:
    """An application opened for an authorized reader: personal fields in the clear."""

    application_id: str
    reference: str
    status: str
    app_type: str
    centre: str | None
    enrolled_on: dt.date
    created_at: dt.datetime
    given_name: str
    family_name: str
    date_of_birth: dt.date
    address: dict[str, str]
    gender: str | None
    language: str | None
    veteran: bool
    organ_donor: bool
    caretaker_present: bool
    emergency_contact: dict[str, str] | None
    has_photo: bool
    identity_points: int
    residency_points: int
    total_points: int
    flags: list[dict[str, Any]]
    notes: list[str]
    documents: list[DocumentView]
    previous_application_id: str | None = None
    card_expires_on: dt.date | None = None
    pickup_at_centre: bool = False
    contact_email: str | None = None
    contact_phone: str | None = None
    notices_opt_out: bool = False

    def applicant_shown(self) -> ApplicantShown:
        return ApplicantShown(
            given_name=self.given_name,
            family_name=self.family_name,
            date_of_birth=self.date_of_birth.isoformat(),
            address=self.address,
            gender=self.gender,
            language=self.language,
            veteran=self.veteran,
            organ_donor=self.organ_donor,
            caretaker_present=self.caretaker_present,
            emergency_contact=self.emergency_contact,
            photo=self.has_photo,
            pickup_at_centre=self.pickup_at_centre,
            contact_email=self.contact_email,
            contact_phone=self.contact_phone,
            notices_opt_out=self.notices_opt_out,
        )


def load_row(uow: UnitOfWork, application_id: str, *, for_update: bool = False) -> Any:
    query = sa.select(applications).where(applications.c.application_id == application_id)
    if for_update and uow.conn.dialect.name == "postgresql":
        query = query.with_for_update()
    row = uow.conn.execute(query).first()
    if row is None:
        raise NotFound(f"no application {application_id}")
    return row


def load_documents(uow: UnitOfWork, application_id: str) -> list[DocumentView]:
    copies = sa.select(document_copies.c.attestation_id).where(
        document_copies.c.application_id == application_id
    )
    held = {r.attestation_id for r in uow.conn.execute(copies)}
    rows = uow.conn.execute(
        sa.select(document_attestations)
        .where(document_attestations.c.application_id == application_id)
        .order_by(document_attestations.c.position)
    )
    views = []
    for row in rows:
        if row.attestation_id in held:
            copy = "retained"
        elif row.copy_status == "retained":
            copy = "destroyed"  # retained once, its copy row has since been destroyed
        else:
            copy = row.copy_status
        views.append(
            DocumentView(
                attestation_id=row.attestation_id,
                type=row.doc_type,
                points=row.points,
                identity_points=row.identity_points,
                residency_points=row.residency_points,
                issuing_country=row.issuing_country,
                outcome=row.outcome,
                verifier_id=row.verifier_id,
                verified_at=row.verified_at,
                copy=copy,
            )
        )
    return views


def open_record(uow: UnitOfWork, sealer: RecordSealer, row: Any) -> ApplicationRecord:
    """Decrypt an application row. `KeyDestroyed` if its cohort key is gone."""
    options = json.loads(open_text(sealer, row, "options") or "{}")
    contact = open_text(sealer, row, "contact")
    return ApplicationRecord(
        application_id=row.application_id,
        reference=row.reference,
        status=row.status,
        app_type=row.app_type,
        centre=row.centre,
        enrolled_on=row.enrolled_on,
        created_at=row.created_at,
        given_name=open_text(sealer, row, "given_name") or "",
        family_name=open_text(sealer, row, "family_name") or "",
        date_of_birth=dt.date.fromisoformat(open_text(sealer, row, "date_of_birth") or ""),
        address=json.loads(open_text(sealer, row, "address") or "{}"),
        gender=options.get("gender"),
        language=open_text(sealer, row, "language"),
        veteran=bool(options.get("veteran")),
        organ_donor=bool(options.get("organ_donor")),
        caretaker_present=bool(options.get("caretaker_present")),
        emergency_contact=None if contact is None else json.loads(contact),
        has_photo=row.s_photo is not None,
        identity_points=row.identity_points,
        residency_points=row.residency_points,
        total_points=row.total_points,
        flags=json.loads(row.flags),
        notes=json.loads(row.notes),
        documents=load_documents(uow, row.application_id),
        previous_application_id=row.previous_application_id,
        card_expires_on=row.card_expires_on,
        pickup_at_centre=bool(options.get("pickup_at_centre")),
        contact_email=options.get("contact_email"),
        contact_phone=options.get("contact_phone"),
        notices_opt_out=bool(options.get("notices_opt_out")),
    )


def add_history(
    uow: UnitOfWork,
    sealer: RecordSealer,
    row_or_key: Any,
    application_id: str,
    status: str,
    actor_id: str,
    reason_code: str,
    reason_text: str | None = None,
) -> None:
    sealed_reason = None
    if reason_text:
        key = row_or_key if isinstance(row_or_key, SealedKey) else sealed_key_of(row_or_key)
        # One field name per history row would need its id first; the time makes it unique.
        sealed_reason = sealer.seal_field(
            key, application_id, "history_reason", reason_text.encode()
        )
    uow.conn.execute(
        application_history.insert().values(
            application_id=application_id,
            status=status,
            at=now(),
            actor_id=actor_id,
            reason_code=reason_code,
            s_reason=sealed_reason,
        )
    )


def summaries(rows: Sequence[Any]) -> list[ApplicationSummary]:
    """What lists show: no personal data, so no key is opened and nothing is audited."""
    return [summary(row) for row in rows]


def summary(row: Any) -> ApplicationSummary:
    return ApplicationSummary(
        application_id=row.application_id,
        status=ApplicationStatus(row.status),
        type=row.app_type,
        centre=row.centre,
        enrolled_on=row.enrolled_on.isoformat(),
        created_at=_utc(row.created_at).isoformat(timespec="seconds"),
        total_points=row.total_points,
        flags=json.loads(row.flags),
    )


def _utc(moment: dt.datetime) -> dt.datetime:
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment
