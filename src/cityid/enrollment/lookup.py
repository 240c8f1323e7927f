"""Finding and reading applications without scanning plaintext.

By application id; by exact name and date of birth through the keyed blind index; and,
for the applicant, by reference and date of birth. Every read of personal data appends
an audit entry ("application.read", "application.search", "application.status_check").

Every staff read names a purpose and passes the read guard (`access.READ_GUARD`, the
accountability rules) first; the purpose is the entry's reason code.
"""

from __future__ import annotations

import datetime as dt
import hmac
from collections.abc import Sequence

import sqlalchemy as sa

from cityid.audit import log as audit_log
from cityid.crypto import KeyDestroyed
from cityid.enrollment import access
from cityid.enrollment.lifecycle import ApplicationStatus
from cityid.enrollment.repository import (
    ApplicationRecord,
    EnrollmentKeys,
    blind_index,
    load_row,
    normalise_reference,
    open_bytes,
    open_record,
    open_text,
    summaries,
    summary,
)
from cityid.enrollment.results import (
    ApplicationShown,
    ApplicationSummary,
    DocumentDetail,
    DocumentShown,
    Points,
)
from cityid.enrollment.tables import applications
from cityid.errors import NotFound
from cityid.runtime import Runtime
from cityid.staff.actor import Actor
from cityid.staff.permissions import authorize
from cityid.store.uow import UnitOfWork
from cityid.vocabulary import BLIND_INDEX_PURPOSE

# Who the audit log names when an applicant checks their own status (no staff account).
APPLICANT_SELF = Actor(user_id="applicant-self", username="applicant-self", role=None)
QUEUE_STATUSES = ("flagged", "submitted")


def open_application(
    uow: UnitOfWork,
    runtime: Runtime,
    actor: Actor,
    application_id: str,
    *,
    purpose: str | None,
    view: str | None = None,
) -> ApplicationRecord:
    """The decrypted application for an authorized actor with a purpose the read guard
    accepts; audited as "application.read" with the purpose as its reason.

    Raises `KeyDestroyed` (code "destroyed") when the record's cohort key is gone.
    """
    authorize(runtime.policy, actor, "application.read")
    row = load_row(uow, application_id)
    grant = access.guard(runtime).check_open(uow, runtime, actor, access.facts(row), purpose)
    with EnrollmentKeys.open(runtime.keystore) as keys:
        record = open_record(uow, keys.sealer, row)
    _append_read(uow, actor, application_id, grant, view)
    return record


def _append_read(
    uow: UnitOfWork, actor: Actor, application_id: str, grant: access.Grant, view: str | None
) -> None:
    extra: dict[str, str | int] = dict(grant.extra)
    if view:
        extra["view"] = view
    audit_log.append(
        uow,
        actor,
        "application.read",
        [application_id],
        reason=grant.purpose,
        reason_ref=grant.reference,
        extra=extra,
    )


def show(
    uow: UnitOfWork,
    runtime: Runtime,
    actor: Actor,
    application_id: str,
    *,
    purpose: str | None,
    documents: bool = False,
) -> ApplicationShown:
    """INTERFACE.md's `application show` document; with `documents`, each attestation."""
    record = open_application(uow, runtime, actor, application_id, purpose=purpose)
    docs: list[DocumentShown] = [
        DocumentDetail(
            type=doc.type,
            points=doc.points,
            copy=doc.copy,
            attestation_id=doc.attestation_id,
            identity_points=doc.identity_points,
            residency_points=doc.residency_points,
            issuing_country=doc.issuing_country,
            outcome=doc.outcome,
            verifier_id=doc.verifier_id,
            verified_at=_utc(doc.verified_at).isoformat(timespec="seconds"),
        )
        if documents
        else DocumentShown(doc.type, doc.points, doc.copy)
        for doc in record.documents
    ]
    return ApplicationShown(
        application_id=record.application_id,
        reference=record.reference,
        status=ApplicationStatus(record.status),
        type=record.app_type,
        centre=record.centre,
        enrolled_on=record.enrolled_on.isoformat(),
        previous_application_id=record.previous_application_id,
        applicant=record.applicant_shown(),
        points=Points(record.identity_points, record.residency_points, record.total_points),
        flags=record.flags,
        notes=record.notes,
        documents=docs,
    )


def photo(
    uow: UnitOfWork,
    runtime: Runtime,
    actor: Actor,
    application_id: str,
    *,
    purpose: str | None,
    face: bool = False,
) -> bytes | None:
    """The sealed portrait (JPEG) or the small face (WebP); audited as a read."""
    authorize(runtime.policy, actor, "application.read")
    row = load_row(uow, application_id)
    grant = access.guard(runtime).check_open(uow, runtime, actor, access.facts(row), purpose)
    with EnrollmentKeys.open(runtime.keystore) as keys:
        data = open_bytes(keys.sealer, row, "face" if face else "photo")
    _append_read(uow, actor, application_id, grant, "face" if face else "portrait")
    return data


def search(
    uow: UnitOfWork,
    runtime: Runtime,
    actor: Actor,
    family_name: str,
    given_name: str,
    date_of_birth: dt.date,
    *,
    purpose: str | None,
) -> list[ApplicationSummary]:
    """Applications with exactly this (normalised) name and date of birth, at most the
    policy's cap (the guard also rate-limits searches per staffer)."""
    authorize(runtime.policy, actor, "application.read")
    grant, cap = access.guard(runtime).check_search(uow, runtime, actor, purpose)
    with EnrollmentKeys.open(runtime.keystore) as keys:
        wanted = blind_index(
            keys.hasher(BLIND_INDEX_PURPOSE), family_name, given_name, date_of_birth
        )
    rows = uow.conn.execute(
        sa.select(applications)
        .where(applications.c.blind_index == wanted)
        .order_by(applications.c.created_at)
        .limit(cap + 1)
    ).all()
    found = summaries(rows[:cap])
    extra: dict[str, str | int] = {**grant.extra, "found": len(found)}
    if len(rows) > cap:
        extra["capped"] = cap
    audit_log.append(
        uow,
        actor,
        "application.search",
        [r.application_id for r in found],
        reason=grant.purpose,
        reason_ref=grant.reference,
        extra=extra,
    )
    return found


def get_summary(
    uow: UnitOfWork, runtime: Runtime, actor: Actor, application_id: str
) -> ApplicationSummary:
    """Status and points, no personal data (so nothing to audit)."""
    authorize(runtime.policy, actor, "application.read")
    return summary(load_row(uow, application_id))


def queue(
    uow: UnitOfWork,
    runtime: Runtime,
    actor: Actor,
    statuses: Sequence[str] = QUEUE_STATUSES,
    limit: int = 100,
) -> list[ApplicationSummary]:
    """The supervisor's queue: flagged first, then submitted, oldest first."""
    authorize(runtime.policy, actor, "application.decide")
    order = sa.case((applications.c.status == "flagged", 0), else_=1)
    rows = uow.conn.execute(
        sa.select(applications)
        .where(applications.c.status.in_(list(statuses)))
        .order_by(order, applications.c.created_at)
        .limit(limit)
    ).all()
    return summaries(rows)


def status_check(
    uow: UnitOfWork, runtime: Runtime, reference: str, date_of_birth: dt.date
) -> dict[str, str]:
    """An applicant's own check: reference and date of birth give the status, nothing else.

    A wrong date of birth answers exactly like an unknown reference. The caller (the web
    door) rate-limits it.
    """
    not_found = NotFound("no application with that reference and date of birth")
    row = uow.conn.execute(
        sa.select(applications).where(applications.c.reference == normalise_reference(reference))
    ).first()
    if row is None:
        raise not_found
    try:
        with EnrollmentKeys.open(runtime.keystore) as keys:
            born = open_text(keys.sealer, row, "date_of_birth") or ""
    except KeyDestroyed:
        raise not_found from None
    audit_log.append(
        uow, APPLICANT_SELF, "application.status_check", [row.application_id], reason="applicant"
    )
    if not hmac.compare_digest(born.encode(), date_of_birth.isoformat().encode()):
        raise not_found
    return {"reference": row.reference, "status": row.status}


def _utc(moment: dt.datetime) -> dt.datetime:
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment
