"""Scope by role and centre: which applications a reader may open (pure).

- A supervisor opens any application.
- A clerk opens applications of their own centre within the policy's days after intake
  (a clerk with no centre, only applications taken with no centre).
- An investigator opens what is in the review queue (an open review item names it).
- Any other role, or a reader outside their scope, needs a supervisor's exception.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from cityid.policy.model import Accountability


@dataclass(frozen=True)
class ScopeFacts:
    """What the rule needs to know about one read."""

    role: str
    staff_centre: str | None
    record_centre: str | None
    record_created_at: dt.datetime
    in_review_queue: bool
    now: dt.datetime


@dataclass(frozen=True)
class ScopeDecision:
    allowed: bool
    rule: str  # a code: why it was allowed or refused


def decide(facts: ScopeFacts, rules: Accountability) -> ScopeDecision:
    """Whether the role's own scope covers the record (exceptions are checked apart)."""
    if facts.role == "supervisor":
        return ScopeDecision(True, "supervisor")
    if facts.role == "clerk":
        # No centre on either side is a centre of its own (a central desk): a clerk with
        # no centre opens only applications taken with none.
        if facts.record_centre != facts.staff_centre:
            return ScopeDecision(False, "other_centre")
        limit = dt.timedelta(days=rules.clerk_days_after_intake)
        if facts.now - facts.record_created_at > limit:
            return ScopeDecision(False, "past_intake_days")
        return ScopeDecision(True, "own_centre")
    if facts.role == "investigator":
        if facts.in_review_queue:
            return ScopeDecision(True, "review_queue")
        return ScopeDecision(False, "not_in_review_queue")
    return ScopeDecision(False, "role_has_no_scope")


REFUSAL_MESSAGES = {
    "other_centre": "this application was taken at another centre; ask a supervisor",
    "past_intake_days": "this application is older than a clerk may open; ask a supervisor",
    "not_in_review_queue": "this application is not in the review queue",
    "role_has_no_scope": "your role opens applications only with a supervisor's exception",
}
