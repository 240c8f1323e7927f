"""The two approvals a batch needs before anything is destroyed: a records officer's and
counsel's, by two different people. The system never approves."""

from __future__ import annotations

from cityid.audit import log as audit_log
from cityid.errors import Forbidden, Refused
from cityid.retention.disposition.batches import APPROVER_ROLES, approvals, batch_row, now
from cityid.retention.results import Approved, BatchStatus
from cityid.retention.tables import disposition_approvals, disposition_batches
from cityid.runtime import Runtime
from cityid.staff.actor import Actor
from cityid.staff.permissions import authorize
from cityid.store.uow import UnitOfWork


def approve(uow: UnitOfWork, runtime: Runtime, actor: Actor, batch_id: str) -> Approved:
    """One of the two approvals: a records officer's and counsel's, by two people."""
    if actor.is_system:
        raise Forbidden("a disposition is approved by people, never by the system")
    authorize(runtime.policy, actor, "retention.approve")
    if actor.role not in APPROVER_ROLES:
        raise Forbidden("approvals come from a records officer and from counsel")
    batch = batch_row(uow, batch_id, for_update=True)
    if batch.status != "planned":
        raise Refused(f"batch {batch_id} is {batch.status}, not awaiting approval")
    given = approvals(uow, batch_id)
    if any(a.actor_id == actor.user_id for a in given):
        raise Refused(
            "the same person cannot approve twice: a second, different approver is needed",
            code="same_approver",
        )
    if any(a.role == actor.role for a in given):
        other = "counsel" if actor.role == "records_officer" else "a records officer"
        raise Refused(f"the second approval must come from {other}", code="same_role")
    uow.conn.execute(
        disposition_approvals.insert().values(
            batch_id=batch_id, actor_id=actor.user_id, role=actor.role, at=now()
        )
    )
    done = len(given) + 1 >= len(APPROVER_ROLES)
    status = BatchStatus.APPROVED if done else BatchStatus.PLANNED
    if done:
        uow.conn.execute(
            disposition_batches.update()
            .where(disposition_batches.c.batch_id == batch_id)
            .values(status="approved")
        )
    audit_log.append(
        uow, actor, "retention.approve", [batch_id], reason="two_person_rule",
        extra={"approvals": len(given) + 1},
    )  # fmt: skip
    return Approved(batch_id, status, [a.actor_id for a in given] + [actor.user_id])
