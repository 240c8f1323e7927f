"""Counsel's decision on a disclosure request: confirm the proposal or override it.

An override needs a written reason (sealed in the request's row). A grant on a personal
scope creates the notices owed to the applicants, unless a court forbids notice.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import Any

from cityid.audit import log as audit_log
from cityid.crypto import RecordSealer
from cityid.disclosure import notices
from cityid.disclosure.holdings import holdings
from cityid.disclosure.requests import (
    GRANTING,
    MAX_REASON_CHARS,
    RECORD_CLASS,
    load_request,
    now,
    sealed_key,
)
from cityid.disclosure.results import Decided
from cityid.disclosure.rules import (
    DECISIONS,
    Decision,
    check_fields,
)
from cityid.disclosure.scope import Scope, parse_scope
from cityid.disclosure.tables import disclosure_requests
from cityid.enrollment.cohorts import add_years
from cityid.errors import BadInput, Refused
from cityid.runtime import Runtime
from cityid.staff.actor import Actor
from cityid.staff.permissions import authorize
from cityid.store.uow import UnitOfWork


def decide(
    uow: UnitOfWork,
    runtime: Runtime,
    actor: Actor,
    request_id: str,
    *,
    override: str | None = None,
    reason: str | None = None,
    fields: Sequence[str] | None = None,
    today: dt.date | None = None,
) -> Decided:
    """Counsel confirms the proposal, or overrides it with a written reason.

    An override may grant named fields only (`fields`): for judicial process, the fields
    the instrument names, or fewer.
    """
    authorize(runtime.policy, actor, "disclosure.decide")
    row = load_request(uow, request_id, for_update=True)
    if row.status != "open":
        raise Refused(f"request {request_id} was already decided ({row.decision})")
    reason = (reason or "").strip() or None
    if reason is not None and len(reason) > MAX_REASON_CHARS:
        raise BadInput(f"the reason is at most {MAX_REASON_CHARS} characters")
    scope = parse_scope(row.scope)
    proposed_fields: list[str] = json.loads(row.proposed_fields)
    decision, granted = _decision(row, scope, override, reason, fields, proposed_fields)
    in_scope, held = row.in_scope, row.held
    if decision in GRANTING and scope.kind == "personal":
        found = holdings(uow, runtime.keystore, scope)
        in_scope, held = found.in_scope, found.held_count
        if held == 0:
            raise Refused("nothing in the request's scope is held: the answer is no_records")
    overridden = decision != row.proposed_decision or (
        decision in GRANTING and sorted(granted) != sorted(proposed_fields)
    )
    if overridden and reason is None:
        raise BadInput("an override needs a written reason (--reason)")
    stamp = now()
    decided_on = today or runtime.today()
    schedule = runtime.policy.schedule_for(RECORD_CLASS)
    due_on = add_years(decided_on, schedule.keep_years) if schedule is not None else None
    with RecordSealer(runtime.keystore) as sealer:
        sealed_reason = (
            sealer.seal_field(sealed_key(row), request_id, "decision_reason", reason.encode())
            if reason
            else None
        )
        uow.conn.execute(
            disclosure_requests.update()
            .where(disclosure_requests.c.request_id == request_id)
            .values(
                status="decided",
                decision=decision,
                granted_fields=json.dumps(granted),
                overridden=overridden,
                s_decision_reason=sealed_reason,
                decided_by=actor.user_id,
                decided_at=stamp,
                in_scope=in_scope,
                held=held,
                due_on=due_on,
            )
        )
        audit_log.append(
            uow,
            actor,
            "disclosure.decide",
            [request_id],
            reason="counsel_override" if overridden else "counsel_confirmed",
            reason_ref=row.rule,
            extra={"decision": decision, "proposed": row.proposed_decision, "fields": granted},
        )
        created = 0
        if decision in GRANTING and scope.kind == "personal" and _notify(runtime, row):
            created = notices.create_for_request(
                uow, runtime, actor, sealer, row, scope, granted, decided_on
            )
    return Decided(request_id, decision, row.rule, overridden, granted, created)


def _decision(
    row: Any,
    scope: Scope,
    override: str | None,
    reason: str | None,
    fields: Sequence[str] | None,
    proposed_fields: list[str],
) -> tuple[Decision, list[str]]:
    if override is None:
        if fields:
            raise BadInput("--fields goes with --override (a grant of named fields)")
        return Decision(row.proposed_decision), proposed_fields
    if override not in DECISIONS:
        raise BadInput(f"the decision must be one of {', '.join(DECISIONS)}")
    if reason is None:
        raise BadInput("an override needs a written reason (--reason)")
    if override not in GRANTING or scope.kind == "aggregate":
        if fields:
            raise BadInput("fields are granted only with granted or partially_granted")
        return Decision(override), []
    chosen = list(dict.fromkeys(fields or []))
    if not chosen:
        raise BadInput("a grant names the fields it releases (--fields a,b)")
    unknown = check_fields(chosen)
    if unknown:
        raise BadInput(f"unknown fields: {', '.join(unknown)}")
    if scope.fields:
        beyond = [f for f in chosen if f not in scope.fields]
        if beyond:
            raise BadInput(f"the request did not name these fields: {', '.join(beyond)}")
    return Decision(override), chosen


def _notify(runtime: Runtime, row: Any) -> bool:
    if row.court_forbids_notice:
        return False
    rule = next((r for r in runtime.policy.disclosure.rules if r.id == row.rule), None)
    return True if rule is None else rule.notify_applicant
