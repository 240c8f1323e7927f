"""Card services: read, credential, render, and verification against this program's own
keys and status lists. Issuing (issue, renew, replace) is in `issuing`, revoke, suspend
and reinstate in `status_changes`, the stored record in `records`: import each name from
the module that owns it.

Every function takes the caller's unit of work and appends its audit entries there;
the caller commits. Audit entries name the card by its opaque `card_id`, never by
its number, and carry reason codes only: free text stays in `card_events`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Literal

import sqlalchemy as sa

from cityid.audit import log as audit_log
from cityid.cards import issuance, status_service
from cityid.cards.credential import encode_qr_text, issue_credential
from cityid.cards.records import LIVE_STATUSES, Card, WrongCardStatus, load_card, open_application
from cityid.cards.records import now as _now
from cityid.cards.render import CardFace, render_pdf, render_png
from cityid.cards.results import CardEvent
from cityid.cards.status_service import ISSUER_PURPOSE
from cityid.cards.tables import card_events
from cityid.cards.verify import Purpose, VerificationResult, Verifier
from cityid.enrollment.repository import ApplicationRecord
from cityid.runtime import Runtime
from cityid.staff.actor import Actor
from cityid.staff.permissions import authorize
from cityid.store.uow import UnitOfWork

__all__ = [
    "credential_qr",
    "face_for_print",
    "get_card",
    "history",
    "local_verifier",
    "render",
    "verify_here",
]


# ---- reading ------------------------------------------------------------------------


def get_card(uow: UnitOfWork, runtime: Runtime, actor: Actor, card_number: str) -> Card:
    """The card's record (no personal data beyond its number, so nothing to decrypt)."""
    authorize(runtime.policy, actor, "card.read")
    return load_card(uow, card_number)


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
    record, photo = open_application(uow, runtime, actor, card.application_id, "card_credential")
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
    record, photo = open_application(uow, runtime, actor, card.application_id, "card_print")
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


def face_for_print(
    uow: UnitOfWork, runtime: Runtime, actor: Actor, card: Card, *, reason: str
) -> tuple[CardFace, ApplicationRecord]:
    """What a print batch prints for one card, with the application it came from.

    For card production, which has checked its own permission: the application read
    is audited here ("application.read" with `reason`), the print by the caller."""
    record, photo = open_application(uow, runtime, actor, card.application_id, reason)
    face = issuance.card_face(
        record,
        program_name=runtime.policy.program.name,
        card_number=card.card_number,
        issued_on=card.issued_on,
        expires_on=card.expires_on,
        qr_text=_credential_text(runtime, card, record, photo, _now()),
        photo=photo,
    )
    return face, record


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
