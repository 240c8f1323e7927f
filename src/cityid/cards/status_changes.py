"""Revoking, suspending and reinstating a card: the stored status changes, an event and
an audit entry are written, and the next status list anyone fetches shows it.
"""

from __future__ import annotations

from typing import Literal

from cityid.audit import log as audit_log
from cityid.cards.records import (
    WrongCardStatus,
    load_card,
    record_event,
    set_status,
)
from cityid.cards.results import CardStatus, StatusChanged
from cityid.errors import BadInput
from cityid.runtime import Runtime
from cityid.staff.actor import Actor
from cityid.staff.permissions import authorize
from cityid.store.uow import UnitOfWork

# Which stored statuses each change may start from, and where it leads.
_CHANGES: dict[str, tuple[tuple[str, ...], str]] = {
    "revoke": (("active", "suspended"), "revoked"),
    "suspend": (("active",), "suspended"),
    "reinstate": (("suspended",), "active"),
}
_EVENT_OF = {"revoke": "revoked", "suspend": "suspended", "reinstate": "reinstated"}


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
    set_status(uow, card, target)
    code = reason_code or f"card_{change}"
    record_event(uow, card.card_id, _EVENT_OF[change], actor, code, reason_text.strip())
    audit_log.append(
        uow, actor, f"card.{change}", [card.card_id], reason=code,
        extra={"from_status": current},
    )  # fmt: skip
    return StatusChanged(card.card_number, CardStatus(target), current)
