"""The city's rules as data: the policy model and its loader (pure, no I/O but loading).

The rules that judge applicants (eligibility) live next to the applicant types, in
`cityid.enrollment.eligibility`; this package knows no domain.
"""

from cityid.policy.loader import default_policy_text, load_policy, parse_policy
from cityid.policy.model import Policy

__all__ = ["Policy", "default_policy_text", "load_policy", "parse_policy"]
