"""Cards' tables: the cards, their status lists, and each card's history.

A card row holds no personal data beyond its number. The status list a verifier fetches
is built from the cards rows (`status_list`, `status_index`, `status`), so every worker
builds the same list from the database; `card_status_lists` hands out indexes.
Free text (a revocation's reason) lives only in `card_events`, never in the audit log.
"""

from __future__ import annotations

import sqlalchemy as sa

from cityid.store.schema import metadata

CARD_STATUSES = ("active", "revoked", "suspended", "expired", "replaced")

cards = sa.Table(
    "cards",
    metadata,
    sa.Column("card_id", sa.String(32), primary_key=True),
    sa.Column("card_number", sa.String(12), nullable=False, unique=True),
    sa.Column("application_id", sa.String(32), nullable=False, index=True),
    # active | revoked | suspended | expired | replaced ("expired" is also derived on read)
    sa.Column("status", sa.String(16), nullable=False, index=True),
    sa.Column("issued_on", sa.Date, nullable=False),
    sa.Column("expires_on", sa.Date, nullable=False),
    sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("status_list", sa.Integer, nullable=False),
    sa.Column("status_index", sa.Integer, nullable=False),
    sa.Column("signing_key_id", sa.String(64), nullable=False),
    # The card this one replaced (renewal, replacement, update), if any.
    sa.Column("previous_card_id", sa.String(32), nullable=True),
    # Retention: the "card" schedule's cohort (e.g. "2033") and the day it falls due.
    sa.Column("retention_cohort", sa.String(16), nullable=False, index=True),
    sa.Column("due_on", sa.Date, nullable=False, index=True),
    sa.UniqueConstraint("status_list", "status_index", name="uq_cards_status_slot"),
)

card_status_lists = sa.Table(
    "card_status_lists",
    metadata,
    sa.Column("list_number", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("size", sa.Integer, nullable=False),
    sa.Column("bits", sa.Integer, nullable=False),
    # The next index to hand out: bumped by an UPDATE, which takes the row's lock.
    sa.Column("next_index", sa.Integer, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    # The order indexes are handed out in: a random permutation of 0..size-1, 4 bytes
    # each (little-endian), so a card's index does not tell when it was issued.
    sa.Column("slot_order", sa.LargeBinary, nullable=True),
)

card_events = sa.Table(
    "card_events",
    metadata,
    sa.Column("event_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("card_id", sa.String(32), nullable=False, index=True),
    # issued | revoked | suspended | reinstated | replaced | renewed | fee
    sa.Column("event", sa.String(16), nullable=False),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("actor_id", sa.String(64), nullable=False),
    sa.Column("reason_code", sa.String(64), nullable=False),
    # What a supervisor wrote; never copied into the audit log.
    sa.Column("reason_text", sa.Text, nullable=True),
    sa.Column("fee_cents", sa.Integer, nullable=True),
    sa.Column("fee_waived", sa.Boolean, nullable=True),
)
