"""One permission table, in the policy, decides who may do what; every door asks here."""

from __future__ import annotations

from cityid.errors import Forbidden
from cityid.policy import Policy
from cityid.staff.actor import Actor

# What `system` (no person, a scheduled job) may do: never approve, decide or hold.
SYSTEM_PERMISSIONS = frozenset(
    {
        "retention.plan",
        "retention.execute",
        "audit.read",
        "keys.read",
        "notices.run",
        "appointment.purge",
        "appointment.remind",
    }
)


# What each permission lets a person do, as the end of "Your role cannot ...".
_WORDS = {
    "application.create": "take applications in at the desk",
    "application.read": "open applications",
    "application.decide": "decide applications (the decisions queue)",
    "application.withdraw": "withdraw applications",
    "card.issue": "issue cards",
    "card.manage": "revoke, suspend or replace cards",
    "card.read": "look up cards",
    "review.read": "open the review queue",
    "review.decide": "decide review items",
    "hold.read": "see legal holds",
    "hold.place": "place legal holds",
    "hold.release": "release legal holds",
    "retention.plan": "plan disposition batches",
    "retention.approve": "approve destruction",
    "retention.execute": "carry out destruction",
    "retention.read": "see disposition batches",
    "disclosure.file": "log disclosure requests",
    "disclosure.decide": "decide disclosure requests",
    "disclosure.read": "see disclosure requests",
    "disclosure.release": "release disclosure packages",
    "audit.read": "read the audit log",
    "report.read": "see reports",
    "staff.manage": "manage staff accounts",
    "keys.manage": "manage keys",
    "keys.read": "see keys",
    "import.legacy": "import the backlog",
    "policy.change": "change the policy",
}


def refusal(actor: Actor, permission: str) -> str:
    """The refusal in words: "Your role (clerk) cannot open the review queue."."""
    what = _WORDS.get(permission, f"do this ({permission})")
    if actor.role is None:
        return f"The system account cannot {what}."
    return f"Your role ({actor.role}) cannot {what}."


def is_allowed(policy: Policy, actor: Actor, permission: str) -> bool:
    if actor.role is None:
        return permission in SYSTEM_PERMISSIONS
    return actor.role in policy.roles_for(permission)


def authorize(policy: Policy, actor: Actor, permission: str) -> None:
    if not is_allowed(policy, actor, permission):
        raise Forbidden(refusal(actor, permission))
