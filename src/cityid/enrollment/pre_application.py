"""Applications started online: a reference number and the documents to bring.

Someone at /apply/ chooses the documents they have and gets a reference to show at a
centre, where a clerk looks it up and starts the real application with them. Nothing
about who they are is asked for or kept: only the document types, the page's language
and the dates. A reference is deleted when the desk takes in the application it started;
one never used lapses after VALID_DAYS and is deleted the next time anyone starts one.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

import sqlalchemy as sa

from cityid.audit import log as audit_log
from cityid.enrollment.lookup import APPLICANT_SELF
from cityid.enrollment.repository import new_reference, normalise_reference
from cityid.enrollment.tables import pre_applications
from cityid.errors import BadInput, NotFound
from cityid.policy.model import DocumentType, Policy
from cityid.runtime import Runtime
from cityid.staff.actor import Actor
from cityid.staff.permissions import authorize
from cityid.store.uow import UnitOfWork

VALID_DAYS = 90
MAX_DOCUMENTS = 20


@dataclass(frozen=True)
class PreApplication:
    reference: str
    documents: list[DocumentType]
    language: str | None
    started_on: dt.date
    expires_on: dt.date


def _chosen(policy: Policy, codes: list[str]) -> list[DocumentType]:
    if len(codes) > MAX_DOCUMENTS:
        raise BadInput(f"documents: choose at most {MAX_DOCUMENTS}")
    chosen: list[DocumentType] = []
    for code in dict.fromkeys(codes):  # each once, in the order chosen
        kind = policy.document_type(code)
        if kind is None:
            raise BadInput("documents: unknown document type")
        chosen.append(kind)
    return chosen


def start(
    uow: UnitOfWork, runtime: Runtime, codes: list[str], language: str | None, today: dt.date
) -> PreApplication:
    """A new reference for these documents. Caller commits."""
    chosen = _chosen(runtime.policy, codes)
    uow.conn.execute(pre_applications.delete().where(pre_applications.c.expires_on < today))
    made = PreApplication(
        reference=new_reference(),
        documents=chosen,
        language=language,
        started_on=today,
        expires_on=today + dt.timedelta(days=VALID_DAYS),
    )
    uow.conn.execute(
        pre_applications.insert().values(
            reference=made.reference,
            documents=json.dumps([kind.code for kind in chosen]),
            language=language,
            started_on=today,
            expires_on=made.expires_on,
        )
    )
    audit_log.append(
        uow, APPLICANT_SELF, "pre_application.start", [f"pre:{made.reference}"],
        reason="online", extra={"documents": len(chosen)},
    )  # fmt: skip
    return made


def find(
    uow: UnitOfWork, runtime: Runtime, actor: Actor, reference: str, today: dt.date
) -> PreApplication:
    """The pre-application behind a reference, for the clerk at the desk."""
    authorize(runtime.policy, actor, "application.create")
    wanted = normalise_reference(reference)
    row = uow.conn.execute(
        sa.select(pre_applications).where(pre_applications.c.reference == wanted)
    ).first()
    if row is None or row.expires_on < today:
        raise NotFound("no application was started online with that reference (or it lapsed)")
    audit_log.append(uow, actor, "pre_application.read", [f"pre:{row.reference}"], reason="desk")
    kinds = [runtime.policy.document_type(code) for code in json.loads(row.documents)]
    return PreApplication(
        reference=row.reference,
        documents=[kind for kind in kinds if kind is not None],
        language=row.language,
        started_on=row.started_on,
        expires_on=row.expires_on,
    )


def close(uow: UnitOfWork, runtime: Runtime, actor: Actor, reference: str) -> bool:
    """The desk took the application in: the reference has served, so it goes now
    rather than in 90 days. False if it was gone already."""
    authorize(runtime.policy, actor, "application.create")
    wanted = normalise_reference(reference)
    gone = uow.conn.execute(
        pre_applications.delete().where(pre_applications.c.reference == wanted)
    ).rowcount
    if gone:
        audit_log.append(
            uow, actor, "pre_application.close", [f"pre:{wanted}"], reason="application_started"
        )
    return bool(gone)
