"""Print batches: the queue, cutting a batch, exporting it for the print partner, and
its moves (printed, mailed, delivered). At "mailed" each holder is told: their card is
in the post, or ready for pickup at their centre (the notices outbox).

Invariants: a card is in at most one batch; a batch is exported once (a second export
is refused and changes nothing) unless a supervisor re-exports it with a reason, which
is logged; the print data leaves only in the export, never stored here. Every step
appends one audit entry naming the batch (opaque ids and counts only).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Literal

import sqlalchemy as sa

from cityid.audit import log as audit_log
from cityid.cards import service as cards
from cityid.cards.records import LIVE_STATUSES, card_from_row
from cityid.cards.tables import cards as cards_table
from cityid.errors import BadInput, Refused
from cityid.notices.kinds import NoticeKind
from cityid.production import manifest as manifests
from cityid.production.notices import tell_holders
from cityid.production.records import (
    AWAITING_PICKUP,
    WrongBatchStatus,
    batch_of,
    batch_row,
    item_counts,
    now,
    record_event,
    set_items,
    waiting_query,
)
from cityid.production.results import (
    Batch,
    BatchItem,
    BatchShown,
    BatchStatus,
    Exported,
    ItemState,
    Moved,
    Queue,
)
from cityid.production.sheets import render_sheets
from cityid.production.tables import production_batches, production_items
from cityid.runtime import Runtime
from cityid.staff.actor import Actor
from cityid.staff.permissions import authorize
from cityid.store.uow import UnitOfWork
from cityid.vocabulary import ISSUER_PURPOSE

Step = Literal["printed", "mailed", "delivered"]
# Each step: the batch status it needs, and which items move to which state.
_STEPS: dict[str, tuple[str, dict[tuple[str, str], str]]] = {
    "printed": ("exported", {("mail", "in_batch"): "printed", ("pickup", "in_batch"): "printed"}),
    "mailed": ("printed", {("mail", "printed"): "mailed", ("pickup", "printed"): "at_centre"}),
    "delivered": ("mailed", {("mail", "mailed"): "delivered"}),
}


class AlreadyExported(Refused):
    code = "already_exported"


def queue(uow: UnitOfWork, runtime: Runtime, actor: Actor) -> Queue:
    """How many issued cards wait for a batch, by mail and for pickup."""
    authorize(runtime.policy, actor, "production.read")
    rows = uow.conn.execute(waiting_query(runtime.today())).all()
    pickup = sum(1 for r in rows if r.status == "suspended")
    return Queue(waiting=len(rows), by_mail=len(rows) - pickup, for_pickup=pickup)


def cut(uow: UnitOfWork, runtime: Runtime, actor: Actor, *, limit: int | None = None) -> Batch:
    """A new batch of the oldest waiting cards (at most the policy's batch size)."""
    authorize(runtime.policy, actor, "production.manage")
    most = runtime.policy.production.max_batch_cards
    if limit is not None and not 1 <= limit <= most:
        raise BadInput(f"limit: between 1 and {most}")
    rows = uow.conn.execute(waiting_query(runtime.today()).limit(limit or most)).all()
    if not rows:
        raise Refused("no cards are waiting for production", code="queue_empty")
    batch_id = f"pb-{secrets.token_hex(8)}"
    stamp = now()
    uow.conn.execute(
        production_batches.insert().values(
            batch_id=batch_id, status="cut", cards=len(rows), cut_by=actor.user_id,
            cut_at=stamp, exports=0, updated_at=stamp,
        )
    )  # fmt: skip
    uow.conn.execute(
        production_items.insert(),
        [
            {"card_id": r.card_id, "batch_id": batch_id, "position": i,
             "delivery": "pickup" if r.reason_code == AWAITING_PICKUP else "mail",
             "state": "in_batch", "waiting_since": None, "updated_at": stamp}
            for i, r in enumerate(rows)
        ],
    )  # fmt: skip
    record_event(uow, batch_id, "cut", actor)
    audit_log.append(
        uow, actor, "production.cut", [batch_id], reason="production", extra={"cards": len(rows)}
    )
    return _batch(uow, batch_id)


def _batch(uow: UnitOfWork, batch_id: str) -> Batch:
    return batch_of(batch_row(uow, batch_id), item_counts(uow, [batch_id])[batch_id])


def list_batches(
    uow: UnitOfWork, runtime: Runtime, actor: Actor, *, limit: int = 50
) -> list[Batch]:
    """The newest batches first."""
    authorize(runtime.policy, actor, "production.read")
    rows = uow.conn.execute(
        sa.select(production_batches)
        .order_by(production_batches.c.cut_at.desc(), production_batches.c.batch_id)
        .limit(limit)
    ).all()
    counts = item_counts(uow, [r.batch_id for r in rows])
    return [batch_of(r, counts[r.batch_id]) for r in rows]


def show(uow: UnitOfWork, runtime: Runtime, actor: Actor, batch_id: str) -> BatchShown:
    """A batch and its cards (numbers, delivery, state: no personal data)."""
    authorize(runtime.policy, actor, "production.read")
    batch = _batch(uow, batch_id)
    rows = uow.conn.execute(
        sa.select(
            cards_table.c.card_number, production_items.c.delivery, production_items.c.state,
            production_items.c.waiting_since,
        )
        .join(cards_table, cards_table.c.card_id == production_items.c.card_id)
        .where(production_items.c.batch_id == batch_id)
        .order_by(production_items.c.position)
    )  # fmt: skip
    items = [
        BatchItem(r.card_number, r.delivery, ItemState(r.state), r.waiting_since) for r in rows
    ]
    return BatchShown(batch, items)


def _deliver_to(
    record_address: dict[str, str], centre: str | None, delivery: str
) -> dict[str, str]:
    if delivery == "pickup":
        return {"centre": centre or "enrollment centre"}
    return {
        k: record_address.get(k, "") for k in ("line1", "line2", "city", "state", "postal_code")
    }


def _manifest_cards(
    uow: UnitOfWork, runtime: Runtime, actor: Actor, batch_id: str
) -> list[manifests.ManifestCard]:
    rows = uow.conn.execute(
        sa.select(cards_table, production_items.c.delivery)
        .join(production_items, production_items.c.card_id == cards_table.c.card_id)
        .where(production_items.c.batch_id == batch_id)
        .order_by(production_items.c.position)
    ).all()
    found = []
    today = runtime.today()
    for row in rows:
        card = card_from_row(row)
        if card.status_on(today) not in LIVE_STATUSES:
            continue  # revoked or replaced since the cut: not printed
        face, record = cards.face_for_print(uow, runtime, actor, card, reason="card_production")
        deliver_to = _deliver_to(record.address, record.centre, row.delivery)
        found.append(manifests.ManifestCard(face, row.delivery, deliver_to))
    return found


def export(
    uow: UnitOfWork,
    runtime: Runtime,
    actor: Actor,
    batch_id: str,
    *,
    again: bool = False,
    reason: str | None = None,
) -> Exported:
    """The batch for the print partner: PDF sheets and a manifest signed by the issuer key.

    Once only: a second export raises AlreadyExported and changes nothing, unless
    `again` (a supervisor's re-export, with a reason kept in the batch's events)."""
    if again:
        authorize(runtime.policy, actor, "production.reexport")
        if not (reason or "").strip():
            raise BadInput("reason: say why the batch is exported again")
    else:
        authorize(runtime.policy, actor, "production.manage")
    row = batch_row(uow, batch_id, for_update=True)
    if row.exports and not again:
        when = row.exported_at.date().isoformat() if row.exported_at else "earlier"
        raise AlreadyExported(
            f"print batch {batch_id} was exported on {when}; nothing was changed. "
            "A supervisor may export it again, with a reason."
        )
    if again and not row.exports:
        raise Refused(f"print batch {batch_id} has not been exported yet", code="not_exported")
    items = _manifest_cards(uow, runtime, actor, batch_id)
    if not items:
        raise Refused(
            f"no card of print batch {batch_id} can still be printed", code="nothing_to_print"
        )
    number = row.exports + 1
    sheets = render_sheets([i.face for i in items], title=f"Print batch {batch_id}")
    signer = runtime.keystore.signer(ISSUER_PURPOSE)
    policy = runtime.policy
    document = manifests.manifest_bytes(
        batch_id=batch_id, program=policy.program.name, issuer=policy.program.issuer_uri,
        created_at=now(), cards=items, sheets=sheets, export_number=number,
    )  # fmt: skip
    signature = manifests.sign_manifest(document, signer)
    digests = (hashlib.sha256(document).hexdigest(), hashlib.sha256(sheets).hexdigest())
    uow.conn.execute(
        production_batches.update()
        .where(production_batches.c.batch_id == batch_id)
        .values(
            status="exported" if row.status == "cut" else row.status, exports=number,
            exported_at=now(), manifest_sha256=digests[0], sheets_sha256=digests[1],
            updated_at=now(),
        )
    )  # fmt: skip
    event = "reexported" if again else "exported"
    record_event(uow, batch_id, event, actor, reason_text=(reason or "").strip() or None)
    audit_log.append(
        uow, actor, f"production.{'reexport' if again else 'export'}", [batch_id],
        reason="production_reexport" if again else "production",
        extra={"cards": len(items), "export": number, "manifest_sha256": digests[0]},
    )  # fmt: skip
    return Exported(
        batch_id=batch_id, cards=len(items), export_number=number, manifest=document,
        signature=signature, sheets=sheets, manifest_sha256=digests[0],
        sheets_sha256=digests[1], key_id=signer.key_id,
    )  # fmt: skip


def _card_ids(uow: UnitOfWork, batch_id: str, delivery: str, state: str) -> list[str]:
    items = production_items.c
    found = uow.conn.execute(
        sa.select(items.card_id).where(
            items.batch_id == batch_id, items.delivery == delivery, items.state == state
        )
    )
    return [str(card_id) for card_id in found.scalars()]


def move(
    uow: UnitOfWork,
    runtime: Runtime,
    actor: Actor,
    batch_id: str,
    step: Step,
    *,
    on: dt.date | None = None,
) -> Moved:
    """The print partner printed the batch, mailed it (pickup cards go to their centre
    and begin to wait there), or the post delivered it."""
    authorize(runtime.policy, actor, "production.manage")
    if step not in _STEPS:
        raise BadInput("step: printed, mailed or delivered")
    needs, moves = _STEPS[step]
    row = batch_row(uow, batch_id, for_update=True)
    if row.status != needs:
        raise WrongBatchStatus(
            f"print batch {batch_id} is {row.status}; it can be marked {step} once it is {needs}"
        )
    day = on or runtime.today()
    items = production_items.c
    moved: dict[str, list[str]] = {}
    for (delivery, start), target in moves.items():
        moved[target] = _card_ids(uow, batch_id, delivery, start)
        waiting = {"waiting_since": day} if target == "at_centre" else {}
        set_items(
            uow,
            sa.and_(items.batch_id == batch_id, items.delivery == delivery, items.state == start),
            state=target,
            **waiting,
        )
    uow.conn.execute(
        production_batches.update()
        .where(production_batches.c.batch_id == batch_id)
        .values({"status": step, f"{step}_on": day, "updated_at": now()})
    )
    record_event(uow, batch_id, step, actor)
    if step == "mailed":
        tell_holders(uow, runtime, actor, moved.get("mailed", []), NoticeKind.CARD_MAILED)
        ready = moved.get("at_centre", [])
        tell_holders(uow, runtime, actor, ready, NoticeKind.CARD_READY_FOR_PICKUP)
    counts = item_counts(uow, [batch_id])[batch_id]
    audit_log.append(
        uow, actor, f"production.{step}", [batch_id], reason="production", extra=counts
    )
    return Moved(batch_id, BatchStatus(step), counts)
