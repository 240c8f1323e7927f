"""The application lifecycle as pure rules: statuses, moves between them, and types.

Statuses: draft, submitted, flagged, approved, rejected, withdrawn, issued.
Types: new, renewal (from the policy's days before the card's expiry to its months
after), replacement (a live card lost or damaged), update (new details on a live card).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal, get_args

from cityid.errors import BadInput, Refused
from cityid.policy.model import Policy


class ApplicationStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    FLAGGED = "flagged"  # a fraud signal waits for review
    APPROVED = "approved"
    REJECTED = "rejected"  # by a supervisor, or ineligible at intake (nothing stored)
    WITHDRAWN = "withdrawn"
    ISSUED = "issued"


STATUSES: tuple[str, ...] = tuple(ApplicationStatus)
ApplicationType = Literal["new", "renewal", "replacement", "update"]
APPLICATION_TYPES: tuple[str, ...] = get_args(ApplicationType)

# Which statuses each action may start from.
MOVES: dict[str, tuple[str, ...]] = {
    "approved": ("submitted", "flagged"),
    "rejected": ("submitted", "flagged"),
    "withdrawn": ("draft", "submitted", "flagged", "approved"),
    "issued": ("approved",),
}


class WrongStatus(Refused):
    code = "wrong_status"


def check_move(current: str, target: str) -> None:
    allowed = MOVES.get(target, ())
    if current not in allowed:
        raise WrongStatus(f"an application that is {current} cannot become {target}")


@dataclass(frozen=True)
class CardState:
    """What a renewal, replacement or update needs to know of the earlier application."""

    application_id: str
    status: str
    card_expires_on: dt.date | None


def add_months(day: dt.date, months: int) -> dt.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def renewal_window(policy: Policy, card_expires_on: dt.date) -> tuple[dt.date, dt.date]:
    rules = policy.card
    opens = card_expires_on - dt.timedelta(days=rules.renewal_opens_days_before_expiry)
    closes = add_months(card_expires_on, rules.renewal_closes_months_after_expiry)
    return opens, closes


def check_application_type(
    app_type: str, previous: CardState | None, policy: Policy, today: dt.date
) -> None:
    """Refuse a type the earlier application does not allow, in words a clerk can read."""
    if app_type not in APPLICATION_TYPES:
        raise BadInput(f"application_type: must be one of {', '.join(APPLICATION_TYPES)}")
    if app_type == "new":
        if previous is not None:
            raise BadInput("previous_application_id: a new application has none")
        return
    if previous is None:
        raise BadInput(f"previous_application_id: a {app_type} needs the earlier application")
    if previous.status != "issued" or previous.card_expires_on is None:
        raise Refused(f"a {app_type} needs an earlier application whose card was issued")
    expires = previous.card_expires_on
    if app_type == "renewal":
        opens, closes = renewal_window(policy, expires)
        if today < opens:
            raise Refused(
                f"renewal opens {policy.card.renewal_opens_days_before_expiry} days before"
                " the card expires; it is too early"
            )
        if today > closes:
            raise Refused(
                f"renewal closes {policy.card.renewal_closes_months_after_expiry} months after"
                " the card expired; this needs a new application"
            )
        return
    if today > expires:
        raise Refused(f"the card has expired: a {app_type} is not possible; renew instead")


def card_expiry(policy: Policy, age_at_issue: int, issued_on: dt.date) -> dt.date:
    """Adults' cards last the adult validity, younger applicants' the minor validity."""
    rules = policy.card
    years = (
        rules.adult_validity_years if age_at_issue >= rules.adult_from_age
        else rules.minor_validity_years
    )  # fmt: skip
    return add_months(issued_on, 12 * years)
