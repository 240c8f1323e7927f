"""Sealing and writing a new application: its row, its attestations, its copies.

The row is written as "draft" under a fresh data key in the cohort of its enrollment
month; every personal field is sealed before it reaches the database. The caller
(`service.intake`) screens it and sets its status in the same unit of work.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from cityid.crypto import SealedKey
from cityid.enrollment import cohorts
from cityid.enrollment.applicant import Applicant
from cityid.enrollment.document_token import document_token
from cityid.enrollment.eligibility import EligibilityDecision
from cityid.enrollment.photo import ProcessedPhoto
from cityid.enrollment.repository import (
    EnrollmentKeys,
    address_key,
    blind_index,
    document_token_purpose,
    new_id,
    new_reference,
    now,
    personal_fields,
)
from cityid.enrollment.tables import applications, document_attestations, document_copies
from cityid.runtime import Runtime
from cityid.staff.actor import Actor
from cityid.store.uow import UnitOfWork
from cityid.vocabulary import ADDRESS_KEY_PURPOSE, BLIND_INDEX_PURPOSE

CARETAKER_POSITIONS = 100  # a caretaker's first document sits at this position


@dataclass(frozen=True)
class Written:
    """A draft application just written: what intake needs to finish it."""

    application_id: str
    reference: str
    sealed: SealedKey  # its data key, for the sealed history
    copies_retained: int


def write_application(
    uow: UnitOfWork,
    runtime: Runtime,
    actor: Actor,
    applicant: Applicant,
    decision: EligibilityDecision,
    photo: ProcessedPhoto | None,
    keys: EnrollmentKeys,
    today: dt.date,
    *,
    application_type: str,
    previous_application_id: str | None,
    centre: str | None,
) -> Written:
    """The application row (status "draft", personal fields sealed) and its attestations."""
    application_id = new_id("app")
    reference = new_reference()
    sealed = keys.sealer.new_record_key(
        "application", cohorts.application_period(today), application_id
    )
    blind = keys.hasher(BLIND_INDEX_PURPOSE)
    stamp = now()
    uow.conn.execute(
        applications.insert().values(
            application_id=application_id,
            reference=reference,
            status="draft",
            app_type=application_type,
            previous_application_id=previous_application_id,
            centre=centre,
            clerk_id=actor.user_id,
            created_at=stamp,
            updated_at=stamp,
            enrolled_on=today,
            cohort_key_id=sealed.cohort_key_id,
            wrapped_key=sealed.wrapped,
            due_on=None,
            blind_index=blind_index(
                blind, applicant.family_name, applicant.given_name, applicant.date_of_birth
            ),
            blind_key_id=blind.key_id,
            address_key=address_key(keys.hasher(ADDRESS_KEY_PURPOSE), applicant),
            identity_points=decision.identity_points,
            residency_points=decision.residency_points,
            total_points=decision.total_points,
            notes=json.dumps(decision.notes),
            **_sealed_columns(keys, sealed, application_id, applicant, photo),
        )
    )
    retained = _attest_documents(
        uow, runtime, actor, application_id, applicant, decision, keys, today
    )
    return Written(application_id, reference, sealed, retained)


def _sealed_columns(
    keys: EnrollmentKeys,
    sealed: SealedKey,
    application_id: str,
    applicant: Applicant,
    photo: ProcessedPhoto | None,
) -> dict[str, bytes | None]:
    """Every personal field (and the photo) sealed under the application's data key."""
    plain = personal_fields(applicant)
    if photo is not None:
        plain["photo"] = photo.portrait_jpeg
        plain["face"] = photo.face_webp
    return {
        f"s_{name}": None if value is None else keys.sealer.seal_field(
            sealed, application_id, name, value
        )
        for name, value in plain.items()
    }  # fmt: skip


def _attest_documents(
    uow: UnitOfWork,
    runtime: Runtime,
    actor: Actor,
    application_id: str,
    applicant: Applicant,
    decision: EligibilityDecision,
    keys: EnrollmentKeys,
    today: dt.date,
) -> int:
    """One attestation per document presented, the caretaker's too (holder "caretaker",
    no points); in retain mode, a sealed copy if given.

    In verify-and-discard mode the copy (and the number) go no further than this frame.
    """
    policy = runtime.policy
    retain = policy.retention.mode_on(today) == "retain"
    token_hasher = keys.hasher(document_token_purpose())
    failed = {f.index for f in decision.mrz_failures}
    stamp = now()
    rows: list[dict[str, Any]] = []
    copies: list[dict[str, Any]] = []
    carer = applicant.caretaker
    shown = [
        ("applicant", p, d)
        for p, d in zip(decision.document_points, applicant.documents, strict=True)
    ]
    if carer is not None:  # the caretaker's proof: the same attestations and copy rules
        shown += [
            ("caretaker", p, d)
            for p, d in zip(decision.caretaker_documents, carer.documents, strict=True)
        ]
    for holder, points, doc in shown:
        attestation_id = new_id("att")
        kind = policy.document_type(doc.type)
        keep_copy = retain and doc.copy_b64 is not None
        failed_mrz = holder == "applicant" and points.index in failed
        rows.append(
            {
                "attestation_id": attestation_id,
                "application_id": application_id,
                # The caretaker's documents follow the applicant's (at most 20 of those).
                "position": points.index + (0 if holder == "applicant" else CARETAKER_POSITIONS),
                "doc_type": doc.type,
                "issuing_country": doc.issuing_country,
                "identity_points": points.identity_points,
                "residency_points": points.residency_points,
                "points": points.points,
                "outcome": "mrz_failed" if failed_mrz
                else ("counted" if points.counted else "not_counted"),
                "mrz_checked": bool(kind is not None and kind.mrz != "none" and doc.mrz),
                "verifier_id": actor.user_id,
                "verified_at": stamp,
                "token": document_token(
                    token_hasher, doc.type, doc.issuing_country, doc.number
                ).hex(),
                "token_key_id": token_hasher.key_id,
                "copy_status": "retained" if keep_copy else "not_retained",
                "due_on": None,
                "holder": holder,
            }
        )  # fmt: skip
        if keep_copy:
            assert doc.copy_b64 is not None
            copies.append(
                _sealed_copy(runtime, keys, attestation_id, application_id, doc.copy_b64, today)
            )
    if rows:
        uow.conn.execute(document_attestations.insert(), rows)
    if copies:
        uow.conn.execute(document_copies.insert(), copies)
    return len(copies)


def _sealed_copy(
    runtime: Runtime,
    keys: EnrollmentKeys,
    attestation_id: str,
    application_id: str,
    copy_b64: str,
    today: dt.date,
) -> dict[str, Any]:
    """A document copy in its own cohort: record class document_copy, period of its due date."""
    due_on = cohorts.document_copy_due(runtime.policy, today)
    copy_id = new_id("doc")
    sealed = keys.sealer.new_record_key(
        "document_copy", cohorts.document_copy_period(runtime.policy, due_on), copy_id
    )
    image = base64.b64decode(copy_b64)
    return {
        "copy_id": copy_id,
        "attestation_id": attestation_id,
        "application_id": application_id,
        "enrolled_on": today,
        "cohort_key_id": sealed.cohort_key_id,
        "wrapped_key": sealed.wrapped,
        "due_on": due_on,
        "s_image": keys.sealer.seal_field(sealed, copy_id, "image", image),
        "created_at": now(),
    }
