"""The disclosure rule engine (pure): the policy's rules table proposes a decision.

The first rule of `policy.disclosure.rules` that matches the requester kind, the legal
instrument and the kind of scope (personal data or aggregate statistics) decides; a rule
that needs the applicant's identity checked matches only once it is. When no rule
matches, the policy's default (deny) answers, named "default-deny".

"No records held" is the answer only where the rules would let something out: a refusal
never looks, because "we hold nothing on this person" would itself tell a requester
who is (or is not) an applicant.

Nothing here knows of the database or the web: facts in, a proposal out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

from cityid.policy.model import DisclosureRule, Policy


class Decision(StrEnum):
    """The answer to a disclosure request (proposed by the engine, decided by counsel)."""

    GRANTED = "granted"
    PARTIALLY_GRANTED = "partially_granted"
    DENIED = "denied"
    NO_RECORDS = "no_records"


DECISIONS: tuple[Decision, ...] = tuple(Decision)
ScopeKind = Literal["personal", "aggregate"]
DEFAULT_RULE_ID = "default-deny"

# What a release may carry about an application, by name. Requests and grants name these.
RELEASABLE_FIELDS: tuple[str, ...] = (
    "given_name",
    "family_name",
    "date_of_birth",
    "address",
    "gender",
    "language",
    "emergency_contact",
    "veteran",
    "organ_donor",
    "photo",
    "status",
    "enrolled_on",
    "centre",
    "documents",
)


@dataclass(frozen=True)
class RequestFacts:
    """What the engine needs to know about a request; counts come from the store."""

    requester_kind: str
    instrument: str
    scope_kind: ScopeKind
    fields: Sequence[str] = ()  # the fields the request names (empty: it names none)
    identity_checked: bool = False
    in_scope: int = 0  # applications the scope names or covers
    held: int = 0  # of those, how many are held (exist, not destroyed)


@dataclass(frozen=True)
class Proposal:
    decision: Decision
    rule: str
    description: str
    counsel_review: bool
    notify_applicant: bool
    fields: tuple[str, ...] = ()  # granted fields (personal scope only)
    notes: tuple[str, ...] = ()


def rule_matches(rule: DisclosureRule, facts: RequestFacts) -> bool:
    if facts.requester_kind not in rule.requester_kinds:
        return False
    if facts.instrument not in rule.instruments:
        return False
    if rule.scope != "any" and rule.scope != facts.scope_kind:
        return False
    return facts.identity_checked or not rule.requires_identity_check


def first_matching_rule(
    rules: Sequence[DisclosureRule], facts: RequestFacts
) -> DisclosureRule | None:
    return next((rule for rule in rules if rule_matches(rule, facts)), None)


def propose(policy: Policy, facts: RequestFacts) -> Proposal:
    """The engine's proposal for one request. Counsel confirms or overrides it."""
    rule = first_matching_rule(policy.disclosure.rules, facts)
    if rule is None:
        notes: tuple[str, ...] = ()
        if facts.requester_kind == "applicant" and not facts.identity_checked:
            notes = ("the applicant's identity has not been checked",)
        return Proposal(
            decision=Decision.DENIED,
            rule=DEFAULT_RULE_ID,
            description="No rule allows this request; the policy's default is to refuse.",
            counsel_review=False,
            notify_applicant=False,
            notes=notes,
        )
    if rule.decision == "deny":
        return _from_rule(rule, Decision.DENIED)
    if facts.scope_kind == "aggregate":
        return _from_rule(rule, Decision.GRANTED)
    if facts.held == 0:
        notes = ("nothing in scope is held (never kept, or destroyed)",)
        return _from_rule(rule, Decision.NO_RECORDS, notes=notes)
    named = tuple(f for f in RELEASABLE_FIELDS if f in set(facts.fields))
    if rule.decision == "counsel_review" and not named:
        # Third parties get only the fields their instrument names; none named, none given.
        return _from_rule(rule, Decision.DENIED, notes=("the instrument names no fields",))
    missing = facts.in_scope - facts.held
    return _from_rule(
        rule,
        Decision.PARTIALLY_GRANTED if missing else Decision.GRANTED,
        fields=named or RELEASABLE_FIELDS,
        notes=(f"{missing} of {facts.in_scope} not held",) if missing else (),
    )


def _from_rule(
    rule: DisclosureRule,
    decision: Decision,
    *,
    fields: tuple[str, ...] = (),
    notes: tuple[str, ...] = (),
) -> Proposal:
    return Proposal(
        decision=decision,
        rule=rule.id,
        description=rule.description,
        counsel_review=rule.decision == "counsel_review",
        notify_applicant=rule.notify_applicant,
        fields=fields,
        notes=notes,
    )


def check_fields(names: Sequence[str]) -> list[str]:
    """The names that are not releasable fields (empty when all are)."""
    return [name for name in names if name not in RELEASABLE_FIELDS]
