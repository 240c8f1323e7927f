"""The read guard: purpose first, then scope (role, centre, review queue, exception),
and for searches the cap and the per-staffer rate.

Bound to enrollment's `READ_GUARD` port by the composition root. Every refusal is a
`LoggedRefusal`: its entry ("access.refused", the reason code, the application id) is
written by the door after the refused request rolls back.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from cityid.accountability import centres, exceptions
from cityid.accountability.purposes import Purpose, PurposeProblem, parse_purpose
from cityid.accountability.scope import REFUSAL_MESSAGES, ScopeFacts, decide
from cityid.audit import log as audit_log
from cityid.audit.refusals import LoggedRefusal
from cityid.audit.tables import audit_entries
from cityid.enrollment.access import Grant, RecordFacts
from cityid.matching.tables import review_items
from cityid.runtime import Runtime
from cityid.staff.actor import Actor
from cityid.store.uow import UnitOfWork

SEARCH_ACTION = "application.search"


class AccessGuard:
    """Implements `enrollment.access.ReadGuard` with the policy's accountability rules."""

    def check_open(
        self,
        uow: UnitOfWork,
        runtime: Runtime,
        actor: Actor,
        record: RecordFacts,
        purpose: str | None,
    ) -> Grant:
        wanted = _purpose(runtime, actor, purpose, (record.application_id,))
        centre = centres.centre_of(uow, actor.user_id)
        facts = ScopeFacts(
            role=actor.role or "system",
            staff_centre=centre,
            record_centre=record.centre,
            record_created_at=record.created_at,
            in_review_queue=in_review_queue(uow, record.application_id),
            now=audit_log.now(),
        )
        decision = decide(facts, runtime.policy.accountability)
        extra = _who(actor, centre)
        if not decision.allowed:
            exception_id = exceptions.active(uow, actor.user_id, record.application_id)
            if exception_id is None:
                raise LoggedRefusal(
                    REFUSAL_MESSAGES[decision.rule],
                    actor=actor,
                    action="access.refused",
                    targets=(record.application_id,),
                    reason=decision.rule,
                    code="out_of_scope",
                )
            extra["exception"] = exception_id
        return Grant(wanted.code, wanted.reference, extra)

    def check_search(
        self, uow: UnitOfWork, runtime: Runtime, actor: Actor, purpose: str | None
    ) -> tuple[Grant, int]:
        rules = runtime.policy.accountability
        wanted = _purpose(runtime, actor, purpose, ())
        since = audit_log.now() - dt.timedelta(hours=1)
        recent = uow.conn.execute(
            sa.select(sa.func.count())
            .select_from(audit_entries)
            .where(
                audit_entries.c.actor == actor.user_id,
                audit_entries.c.action == SEARCH_ACTION,
                audit_entries.c.at > since,
            )
        ).scalar_one()
        if recent >= rules.searches_per_hour:
            raise LoggedRefusal(
                f"at most {rules.searches_per_hour} searches an hour; try again later",
                actor=actor,
                action="access.refused",
                targets=(),
                reason="search_rate",
                code="rate_limited",
                http_status=429,
            )
        centre = centres.centre_of(uow, actor.user_id)
        return Grant(wanted.code, wanted.reference, _who(actor, centre)), rules.search_max_results


def in_review_queue(uow: UnitOfWork, application_id: str) -> bool:
    """True when an open review item names the application (on either side)."""
    return (
        uow.conn.execute(
            sa.select(review_items.c.item_id)
            .where(
                review_items.c.status == "open",
                sa.or_(
                    review_items.c.application_id == application_id,
                    review_items.c.other_application_id == application_id,
                ),
            )
            .limit(1)
        ).first()
        is not None
    )


def _purpose(runtime: Runtime, actor: Actor, text: str | None, targets: tuple[str, ...]) -> Purpose:
    try:
        return parse_purpose(text, runtime.policy.accountability)
    except PurposeProblem as problem:
        raise LoggedRefusal(
            problem.message,
            actor=actor,
            action="access.refused",
            targets=targets,
            reason=problem.code,
            code=problem.code,
        ) from None


def _who(actor: Actor, centre: str | None) -> dict[str, str | int]:
    """The reader's role and office for the entry: never their name."""
    who: dict[str, str | int] = {"role": actor.role or "system"}
    if centre:
        who["office"] = centre
    return who
