"""The console's navigation: each role sees the rooms its permissions open."""

from __future__ import annotations

from dataclasses import dataclass

from cityid.policy import Policy
from cityid.staff.actor import Actor
from cityid.staff.permissions import is_allowed


@dataclass(frozen=True)
class NavItem:
    label: str
    href: str
    permission: str


# Later issues add their rooms here; an item shows only if the role may use it.
NAV_ITEMS: list[NavItem] = [
    NavItem("Home", "/console/", ""),
    NavItem("Enrollment desk", "/console/enrollment/", "application.create"),
    NavItem("Appointments", "/console/appointments/", "appointment.read"),
    NavItem("Decisions", "/console/enrollment/queue", "application.decide"),
    NavItem("Find application", "/console/applications/search", "application.read"),
    NavItem("Cards", "/console/cards/", "card.read"),
    NavItem("Card production", "/console/production/", "production.read"),
    NavItem("Card pickup", "/console/production/pickup", "card.pickup"),
    NavItem("Review queue", "/console/review/", "review.read"),
    NavItem("Disclosure requests", "/console/disclosure/", "disclosure.read"),
    NavItem("Retention", "/console/retention/", "retention.read"),
    NavItem("Legal holds", "/console/retention/holds", "hold.read"),
    NavItem("Dashboard", "/console/dashboard/", "report.read"),
    NavItem("Audit log", "/console/audit/", "audit.read"),
    NavItem("Staff", "/console/staff/", "staff.manage"),
    NavItem("Two-step sign-in", "/console/second-factor", ""),
    NavItem("Insider alerts", "/console/accountability/alerts", "access.alerts"),
    NavItem("Access exceptions", "/console/accountability/exceptions", "access.exception"),
    NavItem("Access report", "/console/accountability/report", "access.report"),
]


def navigation_for(policy: Policy, actor: Actor) -> list[NavItem]:
    return [
        item
        for item in NAV_ITEMS
        if not item.permission or is_allowed(policy, actor, item.permission)
    ]
