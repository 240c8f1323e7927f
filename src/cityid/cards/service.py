"""Card services: issue, read, credential, render, revoke, suspend, reinstate, renew,
replace, and verification against this program's own keys and status lists.

Every function takes the caller's unit of work and appends its audit entries there;
the caller commits. Audit entries name the card by its opaque `card_id`, never by
its number, and carry reason codes only: free text stays in `card_events`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import secrets
from dataclasses import dataclass
from typing import Any, Literal

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from cityid.audit import log as audit_log
from cityid.cards import issuance, status_service
from cityid.cards.credential import encode_qr_text, issue_credential
from cityid.cards.numbers import is_valid_card_number, new_card_number, normalize_card_number
from cityid.cards.render import render_pdf, render_png
from cityid.cards.results import CardEvent, CardShown, CardStatus, Issued, Replaced, StatusChanged
from cityid.cards.status_service import ISSUER_PURPOSE
from cityid.cards.tables import card_events, cards
from cityid.cards.verify import Purpose, VerificationResult, Verifier
from cityid.enrollment import cohorts
from cityid.enrollment import transitions as enrollment_transitions
from cityid.enrollment.lifecycle import WrongStatus, renewal_window
from cityid.enrollment.repository import (
    ApplicationRecord,
    EnrollmentKeys,
    load_row,
    open_bytes,
    open_record,
)
from cityid.errors import BadInput, NotFound, Refused
from cityid.runtime import Runtime
from cityid.staff.actor import Actor
from cityid.staff.permissions import authorize
from cityid.store.uow import UnitOfWork

REPLACEMENT_REASONS = ("lost", "stolen", "damaged")
LIVE_STATUSES = ("active", "suspended")
_NUMBER_ATTEMPTS = 8
# Which stored statuses each change may start from, and where it leads.
_CHANGES: dict[str, tuple[tuple[str, ...], str]] = {
    "revoke": (("active", "suspended"), "revoked"),
    "suspend": (("active",), "suspended"),
    "reinstate": (("suspended",), "active"),
}
_EVENT_OF = {"revoke": "revoked", "suspend": "suspended", "reinstate": "reinstated"}


class CardNotFound(NotFound):
    code = "card_not_found"


class WrongCardStatus(Refused):
    code = "wrong_card_status"


@dataclass(frozen=True)
class Card:
    card_id: str
    card_number: str
    application_id: str
    stored_status: str
    issued_on: dt.date
    expires_on: dt.date
    issued_at: dt.datetime
    status_list: int
    status_index: int
    signing_key_id: str
    previous_card_id: str | None
    retention_cohort: str
    due_on: dt.date

    def status_on(self, today: dt.date) -> CardStatus:
        """ "expired" once past the expiry date, whatever was stored."""
        if self.stored_status in LIVE_STATUSES and today > self.expires_on:
            return CardStatus.EXPIRED
        return CardStatus(self.stored_status)

    def shown(self, today: dt.date) -> CardShown:
        return CardShown(
            card_id=self.card_id,
            card_number=self.card_number,
            application_id=self.application_id,
            status=self.status_on(today),
            issued_on=self.issued_on.isoformat(),
            expires=self.expires_on.isoformat(),
            status_list=self.status_list,
            status_index=self.status_index,
            signing_key_id=self.signing_key_id,
            previous_card_id=self.previous_card_id,
            due_on=self.due_on.isoformat(),
        )


def _card(row: Any) -> Card:
    issued_at = row.issued_at
    if issued_at.tzinfo is None:
        issued_at = issued_at.replace(tzinfo=dt.UTC)
    return Card(
        card_id=row.card_id,
        card_number=row.card_number,
        application_id=row.application_id,
        stored_status=row.status,
        issued_on=row.issued_on,
        expires_on=row.expires_on,
        issued_at=issued_at,
        status_list=row.status_list,
        status_index=row.status_index,
        signing_key_id=row.signing_key_id,
        previous_card_id=row.previous_card_id,
        retention_cohort=row.retention_cohort,
        due_on=row.due_on,
    )


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


# ---- reading ------------------------------------------------------------------------


def load_card(uow: UnitOfWork, card_number: str, *, for_update: bool = False) -> Card:
    number = normalize_card_number(card_number)
    if not is_valid_card_number(number):
        raise BadInput("not a card number (12 digits with a valid check digit)")
    query = sa.select(cards).where(cards.c.card_number == number)
    if for_update and uow.conn.dialect.name == "postgresql":
        query = query.with_for_update()
    row = uow.conn.execute(query).first()
    if row is None:
        raise CardNotFound("no card with that number")
    return _card(row)


def get_card(uow: UnitOfWork, runtime: Runtime, actor: Actor, card_number: str) -> Card:
    """The card's record (no personal data beyond its number, so nothing to decrypt)."""
    authorize(runtime.policy, actor, "card.read")
    return load_card(uow, card_number)


def cards_of_application(uow: UnitOfWork, application_id: str) -> list[Card]:
    rows = uow.conn.execute(
        sa.select(cards).where(cards.c.application_id == application_id).order_by(cards.c.issued_at)
    )
    return [_card(r) for r in rows]


def history(uow: UnitOfWork, runtime: Runtime, actor: Actor, card: Card) -> list[CardEvent]:
    """The card's events, reasons included (staff only: card.read)."""
    authorize(runtime.policy, actor, "card.read")
    rows = uow.conn.execute(
        sa.select(card_events)
        .where(card_events.c.card_id == card.card_id)
        .order_by(card_events.c.event_id)
    )
    return [
        CardEvent(
            event=r.event,
            at=r.at.isoformat(timespec="seconds"),
            actor_id=r.actor_id,
            reason_code=r.reason_code,
            reason=r.reason_text,
            fee_cents=r.fee_cents,
            fee_waived=r.fee_waived,
        )
        for r in rows
    ]


def _open_application(
    uow: UnitOfWork, runtime: Runtime, actor: Actor, application_id: str, reason: str
) -> tuple[ApplicationRecord, bytes | None]:
    """The decrypted application and its portrait, audited as one "application.read"."""
    row = load_row(uow, application_id)
    with EnrollmentKeys.open(runtime.keystore) as keys:
        record = open_record(uow, keys.sealer, row)
        photo = open_bytes(keys.sealer, row, "photo")
    audit_log.append(uow, actor, "application.read", [application_id], reason=reason)
    return record, photo


# ---- the credential -----------------------------------------------------------------


def _credential_text(
    runtime: Runtime, card: Card, record: ApplicationRecord, photo: bytes | None, now: dt.datetime
) -> str:
    policy = runtime.policy
    claims = issuance.card_claims(
        record,
        issuer=policy.program.issuer_uri,
        card_number=card.card_number,
        expires_on=card.expires_on,
        status_index=card.status_index,
        status_uri=status_service.status_list_uri(runtime, card.status_list),
        photo=photo,
    )
    not_before = min(card.issued_at, now)
    expires_at = claims.expires_at
    if policy.card.credential_validity_days is not None:
        expires_at = min(expires_at, now + dt.timedelta(days=policy.card.credential_validity_days))
    claims = dataclasses.replace(claims, not_before=not_before, expires_at=expires_at)
    token = issue_credential(claims, runtime.keystore.signer(ISSUER_PURPOSE), now)
    return encode_qr_text(token)


def credential_qr(
    uow: UnitOfWork, runtime: Runtime, actor: Actor, card_number: str
) -> dict[str, str]:
    """`card qr`: a freshly signed credential from the application's current data."""
    authorize(runtime.policy, actor, "card.read")
    card = load_card(uow, card_number)
    record, photo = _open_application(uow, runtime, actor, card.application_id, "card_credential")
    text = _credential_text(runtime, card, record, photo, _now())
    audit_log.append(uow, actor, "card.credential", [card.card_id], reason="card_qr")
    return {"card_number": card.card_number, "qr": text}


def render(
    uow: UnitOfWork,
    runtime: Runtime,
    actor: Actor,
    card_number: str,
    *,
    kind: Literal["png", "pdf"],
    side: Literal["front", "back"] = "front",
) -> bytes:
    """The printed card: PNG of one side, or the two-page PDF for the card printer."""
    authorize(runtime.policy, actor, "card.read")
    card = load_card(uow, card_number)
    if card.status_on(runtime.today()) not in LIVE_STATUSES:
        raise WrongCardStatus(f"a {card.status_on(runtime.today())} card is not printed")
    record, photo = _open_application(uow, runtime, actor, card.application_id, "card_print")
    face = issuance.card_face(
        record,
        program_name=runtime.policy.program.name,
        card_number=card.card_number,
        issued_on=card.issued_on,
        expires_on=card.expires_on,
        qr_text=_credential_text(runtime, card, record, photo, _now()),
        photo=photo,
    )
    audit_log.append(uow, actor, "card.print", [card.card_id], reason=f"card_print:{kind}")
    return render_pdf(face) if kind == "pdf" else render_png(face, side)


# ---- issuing ------------------------------------------------------------------------


def _insert_card(
    uow: UnitOfWork,
    runtime: Runtime,
    actor: Actor,
    application_id: str,
    *,
    issued_on: dt.date,
    expires_on: dt.date,
    previous_card_id: str | None,
) -> Card:
    policy = runtime.policy
    slot = status_service.allocate(uow, policy.card.status_list_size)
    due_on = cohorts.due_after_card(policy, "card", expires_on)
    stamp = _now()
    values: dict[str, Any] = {
        "card_id": f"card-{secrets.token_hex(10)}",
        "application_id": application_id,
        "status": "active",
        "issued_on": issued_on,
        "expires_on": expires_on,
        "issued_at": stamp,
        "updated_at": stamp,
        "status_list": slot.list_number,
        "status_index": slot.index,
        "signing_key_id": runtime.keystore.signer(ISSUER_PURPOSE).key_id,
        "previous_card_id": previous_card_id,
        "retention_cohort": cohorts.period_of(due_on, policy.schedule_for("card")),
        "due_on": due_on,
    }
    for _attempt in range(_NUMBER_ATTEMPTS):
        values["card_number"] = new_card_number()
        try:
            with uow.conn.begin_nested():
                uow.conn.execute(cards.insert().values(**values))
            break
        except IntegrityError:
            continue  # that number is taken: draw again
    else:  # pragma: no cover - 10^10 numbers; eight collisions in a row is a broken RNG
        raise Refused("could not draw a free card number")
    _event(uow, values["card_id"], "issued", actor, "card_issued")
    row = uow.conn.execute(sa.select(cards).where(cards.c.card_id == values["card_id"])).one()
    return _card(row)


def _event(
    uow: UnitOfWork,
    card_id: str,
    event: str,
    actor: Actor,
    reason_code: str,
    reason_text: str | None = None,
    *,
    fee_cents: int | None = None,
    fee_waived: bool | None = None,
) -> None:
    uow.conn.execute(
        card_events.insert().values(
            card_id=card_id,
            event=event,
            at=_now(),
            actor_id=actor.user_id,
            reason_code=reason_code,
            reason_text=reason_text or None,
            fee_cents=fee_cents,
            fee_waived=fee_waived,
        )
    )


def _set_status(uow: UnitOfWork, card: Card, status: str) -> None:
    uow.conn.execute(
        cards.update()
        .where(cards.c.card_id == card.card_id)
        .values(status=status, updated_at=_now())
    )


def _live_card_of(uow: UnitOfWork, application_id: str | None) -> Card | None:
    if application_id is None:
        return None
    live = [
        c for c in cards_of_application(uow, application_id) if c.stored_status in LIVE_STATUSES
    ]
    return live[-1] if live else None


def issue(
    uow: UnitOfWork,
    runtime: Runtime,
    actor: Actor,
    application_id: str,
    *,
    today: dt.date | None = None,
) -> Issued:
    """Issue the card of an approved application (new, renewal, replacement or update).

    A renewal's card runs for a fresh term by the age rule; an update or replacement
    keeps the earlier card's expiry. The earlier card, if still live, stops working:
    "replaced" (renewal, update) or "revoked" (replacement: it may be in a thief's hands).
    """
    authorize(runtime.policy, actor, "card.issue")
    today = today or runtime.today()
    row = load_row(uow, application_id, for_update=True)
    if row.status != "approved":
        raise WrongStatus(f"an application that is {row.status} cannot be issued a card")
    record, _photo = _open_application(uow, runtime, actor, application_id, "card_issue")
    previous = _live_card_of(uow, row.previous_application_id)
    if row.app_type == "renewal" and previous is not None:
        opens, closes = renewal_window(runtime.policy, previous.expires_on)
        if not opens <= today <= closes:
            raise Refused("the card is outside its renewal window")
    if row.app_type in ("update", "replacement") and previous is not None:
        expires_on = previous.expires_on
    else:
        expires_on = issuance.expiry_for(runtime.policy, record.date_of_birth, today)
    card = _insert_card(
        uow, runtime, actor, application_id, issued_on=today, expires_on=expires_on,
        previous_card_id=previous.card_id if previous else None,
    )  # fmt: skip
    if previous is not None:
        ending = "revoked" if row.app_type == "replacement" else "replaced"
        _set_status(uow, previous, ending)
        _event(uow, previous.card_id, ending, actor, f"superseded:{row.app_type}")
    # Enrollment moves the application to "issued" and starts its retention clock.
    enrollment_transitions.mark_issued(uow, runtime, actor, application_id, expires_on)
    audit_log.append(
        uow,
        actor,
        "card.issue",
        [card.card_id, application_id, *([previous.card_id] if previous else [])],
        reason=f"card_issue:{row.app_type}",
        extra={"status_list": card.status_list, "status_index": card.status_index},
    )
    return _issued(card)


def _issued(card: Card) -> Issued:
    """INTERFACE.md's `card issue` shape, plus the ids a caller may want."""
    return Issued(
        card.card_number,
        card.application_id,
        card.expires_on.isoformat(),
        card.status_index,
        card.status_list,
        card.card_id,
    )


def change_status(
    uow: UnitOfWork,
    runtime: Runtime,
    actor: Actor,
    card_number: str,
    change: Literal["revoke", "suspend", "reinstate"],
    reason_text: str,
    *,
    reason_code: str | None = None,
) -> StatusChanged:
    """Revoke, suspend or reinstate; shows in the next status list anyone fetches."""
    authorize(runtime.policy, actor, "card.manage")
    if not reason_text.strip():
        raise BadInput("reason: say why")
    starts, target = _CHANGES[change]
    card = load_card(uow, card_number, for_update=True)
    current = card.status_on(runtime.today())
    if current not in starts:
        raise WrongCardStatus(f"a {current} card cannot be {change}d here")
    _set_status(uow, card, target)
    code = reason_code or f"card_{change}"
    _event(uow, card.card_id, _EVENT_OF[change], actor, code, reason_text.strip())
    audit_log.append(
        uow, actor, f"card.{change}", [card.card_id], reason=code,
        extra={"from_status": current},
    )  # fmt: skip
    return StatusChanged(card.card_number, CardStatus(target), current)


def replace(
    uow: UnitOfWork,
    runtime: Runtime,
    actor: Actor,
    card_number: str,
    *,
    reason: str,
    note: str | None = None,
    fee_waived: bool = False,
) -> Replaced:
    """A lost, stolen or damaged card: a new card (new number, same data and expiry);
    the old one is revoked. The policy's fee is recorded, or waived for hardship."""
    authorize(runtime.policy, actor, "card.manage")
    if reason not in REPLACEMENT_REASONS:
        raise BadInput(f"reason: one of {', '.join(REPLACEMENT_REASONS)}")
    rules = runtime.policy.card
    if fee_waived and not rules.replacement_fee_waivable_for_hardship:
        raise Refused("the policy does not allow waiving the replacement fee")
    old = load_card(uow, card_number, for_update=True)
    today = runtime.today()
    if old.status_on(today) not in LIVE_STATUSES:
        raise WrongCardStatus(
            f"a {old.status_on(today)} card cannot be replaced; renew or apply instead"
        )
    new = _insert_card(
        uow, runtime, actor, old.application_id, issued_on=today, expires_on=old.expires_on,
        previous_card_id=old.card_id,
    )  # fmt: skip
    _set_status(uow, old, "revoked")
    _event(uow, old.card_id, "revoked", actor, f"replacement:{reason}", note)
    fee = 0 if fee_waived else rules.replacement_fee_cents
    _event(uow, new.card_id, "fee", actor, "replacement_fee", fee_cents=fee, fee_waived=fee_waived)
    audit_log.append(
        uow, actor, "card.replace", [new.card_id, old.card_id, old.application_id],
        reason=f"replacement:{reason}", extra={"fee_cents": fee, "fee_waived": int(fee_waived)},
    )  # fmt: skip
    issued = _issued(new)
    return Replaced(
        issued.card_number, issued.application_id, issued.expires, issued.status_index,
        issued.status_list, issued.card_id, replaces=old.card_number, fee_cents=fee,
        fee_waived=fee_waived,
    )  # fmt: skip


def renew(
    uow: UnitOfWork, runtime: Runtime, actor: Actor, card_number: str, application_id: str
) -> Issued:
    """Renew a card from its approved renewal application (inside the renewal window)."""
    authorize(runtime.policy, actor, "card.issue")
    card = load_card(uow, card_number)
    row = load_row(uow, application_id)
    if row.app_type != "renewal" or row.previous_application_id != card.application_id:
        raise Refused("that application is not a renewal of this card's application")
    opens, closes = renewal_window(runtime.policy, card.expires_on)
    today = runtime.today()
    if today < opens:
        raise Refused(f"renewal opens on {opens.isoformat()}")
    if today > closes:
        raise Refused("renewal closed; this needs a new application")
    return issue(uow, runtime, actor, application_id, today=today)


# ---- verifying with this program's own keys and lists -------------------------------


def local_verifier(
    runtime: Runtime,
    uow: UnitOfWork,
    now: dt.datetime,
    *,
    with_status: bool = True,
    require_status: bool = True,
) -> Verifier:
    """A Verifier trusting the keystore's issuer keys (active and retired) and today's
    signed status lists from the database: the same checks an offline verifier makes.
    A card no list covers is `status_unknown` unless `require_status` is False."""
    keys = [(k.key_id, k.public_key) for k in runtime.keystore.public_keys(ISSUER_PURPOSE)]
    tokens = (
        [
            status_service.signed_token(runtime, uow, n, now=now)
            for n in status_service.list_numbers(uow)
        ]
        if with_status
        else []
    )
    return Verifier(keys, tokens, now=now, require_status=require_status)


def verify_here(
    runtime: Runtime, uow: UnitOfWork, qr: str, purpose: Purpose, now: dt.datetime | None = None
) -> VerificationResult:
    now = now or _now()
    return local_verifier(runtime, uow, now).verify(qr, now=now, purpose=purpose)
