"""One permission table, in the policy, decides who may do what; every door asks here."""

from __future__ import annotations

from cityid.errors import Forbidden
from cityid.policy import Policy
from cityid.staff.actor import Actor

# What `system` (no person, a scheduled job) may do: never approve, decide or hold.
SYSTEM_PERMISSIONS = frozenset({"retention.plan", "retention.execute", "audit.read", "keys.read"})


def is_allowed(policy: Policy, actor: Actor, permission: str) -> bool:
    if actor.role is None:
        return permission in SYSTEM_PERMISSIONS
    return actor.role in policy.roles_for(permission)


def authorize(policy: Policy, actor: Actor, permission: str) -> None:
    if not is_allowed(policy, actor, permission):
        who = actor.role or "system"
        raise Forbidden(f"the {who} role may not do {permission}")
