"""Moving an application along its lifecycle: approve, reject, withdraw, mark issued.

Each move checks the caller's permission and the move itself (`lifecycle.MOVES`), locks
the row, records the new status in the sealed history and appends its audit entry in
the caller's unit of work; the caller commits.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from cityid.audit import log as audit_log
from cityid.crypto import SealedKey
from cityid.enrollment import cohorts
from cityid.enrollment.contact import notify_applicant
from cityid.enrollment.lifecycle import ApplicationStatus, check_move
from cityid.enrollment.repository import (
    EnrollmentKeys,
    add_history,
    load_row,
    now,
    sealed_key_of,
)
from cityid.enrollment.results import MarkedIssued, StatusMoved
from cityid.enrollment.tables import applications, document_attestations
from cityid.notices.kinds import NoticeKind
from cityid.runtime import Runtime
from cityid.staff.actor import Actor
from cityid.staff.permissions import authorize
from cityid.store.uow import UnitOfWork


def _move(
    uow: UnitOfWork,
    runtime: Runtime,
    actor: Actor,
    application_id: str,
    target: str,
    permission: str,
    reason_code: str,
    reason_text: str | None,
    **values: Any,
) -> StatusMoved:
    authorize(runtime.policy, actor, permission)
    row = load_row(uow, application_id, for_update=True)
    check_move(row.status, target)
    uow.conn.execute(
        applications.update()
        .where(applications.c.application_id == application_id)
        .values(status=target, updated_at=now(), **values)
    )
    with EnrollmentKeys.open(runtime.keystore) as keys:
        add_history(
            uow, keys.sealer, row, application_id, target, actor.user_id, reason_code, reason_text
        )
    audit_log.append(
        uow,
        actor,
        f"application.{_ACTION[target]}",
        [application_id],
        reason=reason_code,
        extra={"from_status": row.status},
    )
    return StatusMoved(application_id, ApplicationStatus(target), ApplicationStatus(row.status))


_ACTION = {"approved": "approve", "rejected": "reject", "withdrawn": "withdraw", "issued": "issue"}


def _tell_decision(
    uow: UnitOfWork, runtime: Runtime, actor: Actor, moved: StatusMoved, outcome: str
) -> StatusMoved:
    """The decision notice, queued with the decision (legally required: sent despite an
    opt-out; nothing is queued when there is no contact on file)."""
    reference = load_row(uow, moved.application_id).reference
    notify_applicant(
        uow, runtime, actor, moved.application_id, NoticeKind.DECISION,
        {"reference": reference, "outcome": outcome},
    )  # fmt: skip
    return moved


def approve(
    uow: UnitOfWork, runtime: Runtime, actor: Actor, application_id: str, reason: str | None = None
) -> StatusMoved:
    moved = _move(
        uow, runtime, actor, application_id, "approved", "application.decide",
        "supervisor_decision", reason,
    )  # fmt: skip
    return _tell_decision(uow, runtime, actor, moved, "approved")


def reject(
    uow: UnitOfWork, runtime: Runtime, actor: Actor, application_id: str, reason: str | None = None
) -> StatusMoved:
    """Rejected applications fall due at once: retention keeps only what the rules allow."""
    moved = _move(
        uow, runtime, actor, application_id, "rejected", "application.decide",
        "supervisor_decision", reason, due_on=runtime.today(),
    )  # fmt: skip
    return _tell_decision(uow, runtime, actor, moved, "rejected")


def withdraw(
    uow: UnitOfWork, runtime: Runtime, actor: Actor, application_id: str, reason: str | None = None
) -> StatusMoved:
    """A withdrawn application falls due at once; retention erases it (re-keying its cohort)."""
    return _move(
        uow, runtime, actor, application_id, "withdrawn", "application.withdraw",
        "applicant_withdrew", reason, due_on=runtime.today(),
    )  # fmt: skip


def mark_issued(
    uow: UnitOfWork,
    runtime: Runtime,
    actor: Actor,
    application_id: str,
    card_expires_on: dt.date,
) -> MarkedIssued:
    """For the card service: the card is issued, so the retention clock is known now.

    The application's data key moves to the cohort of the month it falls due (card
    expiry + the schedule's keep period); its attestations get the same due date.
    """
    authorize(runtime.policy, actor, "card.issue")
    policy = runtime.policy
    due_on = cohorts.due_after_card(policy, "application", card_expires_on)
    row = load_row(uow, application_id, for_update=True)
    check_move(row.status, "issued")
    schedule = policy.schedule_for("application")
    with EnrollmentKeys.open(runtime.keystore) as keys:
        new_cohort = runtime.keystore.ensure_cohort_key(
            "application", cohorts.period_of(due_on, schedule)
        )
        moved: SealedKey = keys.sealer.rewrap(sealed_key_of(row), application_id, new_cohort)
    result = _move(
        uow, runtime, actor, application_id, "issued", "card.issue", "card_issued", None,
        card_expires_on=card_expires_on, due_on=due_on,
        cohort_key_id=moved.cohort_key_id, wrapped_key=moved.wrapped,
    )  # fmt: skip
    uow.conn.execute(
        document_attestations.update()
        .where(document_attestations.c.application_id == application_id)
        .values(due_on=cohorts.due_after_card(policy, "document_attestation", card_expires_on))
    )
    return MarkedIssued(
        result.application_id, result.status, result.previous_status, due_on.isoformat()
    )
