"""A card reported lost or stolen: by the resident at /me/ (card number, date of birth
and a one-time code sent to the contact on file) or at a desk. Also the card's status,
shown to the resident the same way.

Invariants:
- the card is suspended on the status list in the same transaction as the report, so
  the next list any verifier fetches shows it; a `card_reported_lost` notice (legally
  required) goes to the contact on file with it;
- an unknown number and a wrong date of birth get the same answer, and nothing is sent;
- no code, no change: a wrong or replayed code changes nothing but the code's attempt
  count (`cityid.notices.codes`);
- the audit log names the card by its opaque id and the application by its id only.

A replacement follows `replace` (cards.issuing): the policy's fee (waivable for
hardship) and the card's own expiry; inside the renewal window a renewal is the better
answer, which `replacement_terms` says.
"""

from __future__ import annotations

import datetime as dt
import hmac
from dataclasses import dataclass

from cityid.audit import log as audit_log
from cityid.cards.records import Card, CardNotFound, load_card, record_event, set_status
from cityid.cards.results import CardStatus
from cityid.crypto import KeyDestroyed
from cityid.enrollment.contact import issue_code_to_contact, notify_applicant
from cityid.enrollment.lifecycle import renewal_window
from cityid.enrollment.lookup import APPLICANT_SELF
from cityid.enrollment.repository import EnrollmentKeys, load_row, open_text
from cityid.errors import BadInput, NotFound, Refused
from cityid.notices.codes import CodeChecked, CodeIssued, CodePurpose, check_code
from cityid.notices.kinds import NoticeKind
from cityid.runtime import Runtime
from cityid.staff.actor import Actor
from cityid.staff.permissions import authorize
from cityid.store.uow import UnitOfWork

NOT_FOUND = "no card with that number and date of birth"
LOST_REASONS = ("lost", "stolen")


@dataclass(frozen=True)
class ReplacementTerms:
    fee_cents: int
    fee_waivable: bool
    renew_instead: bool  # inside the renewal window: renew rather than replace
    expires: str


@dataclass(frozen=True)
class LostCardReported:
    card_id: str
    status: CardStatus
    previous_status: CardStatus
    replacement: ReplacementTerms


@dataclass(frozen=True)
class CardState:
    """What a resident sees of their own card: its status and dates, nothing more."""

    status: CardStatus
    expires: str
    application_status: str
    renewal_opens: str


@dataclass(frozen=True)
class Confirmed:
    """The outcome of a code check; `reported` or `state` is set when the code was right."""

    check: CodeChecked
    reported: LostCardReported | None = None
    state: CardState | None = None


def _resident_card(uow: UnitOfWork, runtime: Runtime, card_number: str, born: dt.date) -> Card:
    """The card, if the date of birth is its holder's; the same NotFound otherwise."""
    try:
        card = load_card(uow, card_number, for_update=True)
    except (CardNotFound, BadInput):
        raise NotFound(NOT_FOUND) from None
    row = load_row(uow, card.application_id)
    try:
        with EnrollmentKeys.open(runtime.keystore) as keys:
            on_file = open_text(keys.sealer, row, "date_of_birth") or ""
    except KeyDestroyed:
        raise NotFound(NOT_FOUND) from None
    audit_log.append(
        uow, APPLICANT_SELF, "card.self_service", [card.card_id, card.application_id],
        reason="date_of_birth_check",
    )  # fmt: skip
    if not hmac.compare_digest(on_file.encode(), born.isoformat().encode()):
        raise NotFound(NOT_FOUND)
    return card


def send_code(
    uow: UnitOfWork,
    runtime: Runtime,
    card_number: str,
    date_of_birth: dt.date,
    purpose: CodePurpose,
) -> CodeIssued:
    """Step one at /me/: a one-time code to the card's contact on file.

    For a lost report the card must still be active (any other status is refused with
    a clear message: the card cannot be used already).
    """
    card = _resident_card(uow, runtime, card_number, date_of_birth)
    if purpose is CodePurpose.LOST_CARD and card.status_on(runtime.today()) != "active":
        raise Refused("this card is already not usable (suspended, revoked or expired)")
    return issue_code_to_contact(uow, runtime, APPLICANT_SELF, card.application_id, purpose)


def confirm(
    uow: UnitOfWork,
    runtime: Runtime,
    card_number: str,
    date_of_birth: dt.date,
    code_id: str,
    code: str,
    purpose: CodePurpose,
) -> Confirmed:
    """Step two at /me/: check the code; when right, report the card lost or show it."""
    card = _resident_card(uow, runtime, card_number, date_of_birth)
    checked = check_code(
        uow, runtime, APPLICANT_SELF, code_id, code, purpose=purpose,
        subject_id=card.application_id,
    )  # fmt: skip
    if not checked.ok:
        return Confirmed(checked)
    if purpose is CodePurpose.LOST_CARD:
        return Confirmed(checked, reported=_suspend(uow, runtime, APPLICANT_SELF, card, "lost"))
    return Confirmed(checked, state=card_state(uow, runtime, card))


def report_at_desk(
    uow: UnitOfWork, runtime: Runtime, actor: Actor, card_number: str, reason: str
) -> LostCardReported:
    """A clerk or supervisor takes the report in person (they checked the holder's ID)."""
    authorize(runtime.policy, actor, "card.report_lost")
    if reason not in LOST_REASONS:
        raise BadInput(f"reason: one of {', '.join(LOST_REASONS)}")
    card = load_card(uow, card_number, for_update=True)
    return _suspend(uow, runtime, actor, card, reason)


def _suspend(
    uow: UnitOfWork, runtime: Runtime, actor: Actor, card: Card, reason: str
) -> LostCardReported:
    today = runtime.today()
    current = card.status_on(today)
    if current != "active":
        raise Refused(f"a {current} card cannot be reported {reason}: it is not usable already")
    set_status(uow, card, "suspended")
    where = "desk" if actor.role else "resident"
    code = f"reported_{reason}_{where}"
    record_event(uow, card.card_id, "suspended", actor, code)
    audit_log.append(
        uow, actor, "card.report_lost", [card.card_id, card.application_id], reason=code,
        extra={"from_status": current},
    )  # fmt: skip
    notify_applicant(
        uow, runtime, actor, card.application_id, NoticeKind.CARD_REPORTED_LOST,
        {"date": today.isoformat()},
    )  # fmt: skip
    return LostCardReported(
        card.card_id, CardStatus.SUSPENDED, current, replacement_terms(runtime, card)
    )


def replacement_terms(runtime: Runtime, card: Card) -> ReplacementTerms:
    rules = runtime.policy.card
    opens, _closes = renewal_window(runtime.policy, card.expires_on)
    return ReplacementTerms(
        fee_cents=rules.replacement_fee_cents,
        fee_waivable=rules.replacement_fee_waivable_for_hardship,
        renew_instead=runtime.today() >= opens,
        expires=card.expires_on.isoformat(),
    )


def card_state(uow: UnitOfWork, runtime: Runtime, card: Card) -> CardState:
    opens, _closes = renewal_window(runtime.policy, card.expires_on)
    return CardState(
        status=card.status_on(runtime.today()),
        expires=card.expires_on.isoformat(),
        application_status=load_row(uow, card.application_id).status,
        renewal_opens=opens.isoformat(),
    )
