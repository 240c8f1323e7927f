"""The city's rules: eligibility, retention, disclosure, permissions (pure, no I/O but loading)."""

from cityid.policy.loader import default_policy_text, load_policy, parse_policy
from cityid.policy.model import Policy

__all__ = ["Policy", "default_policy_text", "load_policy", "parse_policy"]
