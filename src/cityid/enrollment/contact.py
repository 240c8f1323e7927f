"""The contact on file: where an application's notices go, and queueing one for it.

`notify_applicant` is what a service calls when it changes something the applicant
should hear about (a booking, a decision, a card mailed): it opens the application's
sealed language and contact, and queues the notice in the caller's unit of work. The
addresses never leave this call except sealed in the outbox row.
"""

from __future__ import annotations

import datetime as dt
import json

from cityid.crypto import KeyDestroyed
from cityid.enrollment.repository import EnrollmentKeys, load_row, open_text
from cityid.notices.codes import (
    CodeChecked,
    CodeIssued,
    CodePurpose,
    check_code,
    issue_code,
)
from cityid.notices.kinds import NoticeKind, Suppressed
from cityid.notices.outbox import Queued, Recipient, TemplateParams, enqueue
from cityid.runtime import Runtime
from cityid.staff.actor import Actor
from cityid.store.uow import UnitOfWork


def recipient_of(uow: UnitOfWork, runtime: Runtime, application_id: str) -> Recipient | None:
    """The application's contact on file and language; None when its key is destroyed.

    Raises `NotFound` for an unknown application.
    """
    row = load_row(uow, application_id)
    try:
        with EnrollmentKeys.open(runtime.keystore) as keys:
            options = json.loads(open_text(keys.sealer, row, "options") or "{}")
            language = open_text(keys.sealer, row, "language")
    except KeyDestroyed:
        return None
    return Recipient(
        email=options.get("contact_email") or None,
        phone=options.get("contact_phone") or None,
        language=language,
        opted_out=bool(options.get("notices_opt_out")),
    )


def notify_applicant(
    uow: UnitOfWork,
    runtime: Runtime,
    actor: Actor,
    application_id: str,
    kind: NoticeKind,
    params: TemplateParams,
    *,
    dedupe: str | None = None,
    not_before: dt.datetime | None = None,
) -> Queued:
    """Queue `kind` to the application's contact on file, in the caller's transaction."""
    recipient = recipient_of(uow, runtime, application_id) or Recipient()
    return enqueue(
        uow, runtime, actor, kind, recipient,
        subject_id=application_id, params=params, dedupe=dedupe, not_before=not_before,
    )  # fmt: skip


def issue_code_to_contact(
    uow: UnitOfWork,
    runtime: Runtime,
    actor: Actor,
    application_id: str,
    purpose: CodePurpose,
) -> CodeIssued:
    """A one-time code for `application_id`, sent to its contact on file.

    Raises `NoContactOnFile` (also for a record whose keys are destroyed) and
    `TooManyCodes`; check what the person types with `check_code`.
    """
    recipient = recipient_of(uow, runtime, application_id) or Recipient()
    return issue_code(uow, runtime, actor, recipient, purpose=purpose, subject_id=application_id)


__all__ = [
    "CodeChecked",
    "CodeIssued",
    "CodePurpose",
    "NoticeKind",
    "Queued",
    "Recipient",
    "Suppressed",
    "check_code",
    "issue_code_to_contact",
    "notify_applicant",
    "recipient_of",
]
