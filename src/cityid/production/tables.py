"""Production's tables: print batches, the cards in each, and what happened to them.

No personal data is stored here: a batch item names its card by `card_id` and says how
it travels (`mail` or `pickup`); the print data is read from the sealed application at
export time and leaves only in the signed manifest and the PDF sheets. Free text (a
supervisor's reason for a re-export) lives in `production_events`, never in the audit log.
"""

from __future__ import annotations

import sqlalchemy as sa

from cityid.store.schema import metadata

# cut -> exported -> printed -> mailed -> delivered
BATCH_STATUSES = ("cut", "exported", "printed", "mailed", "delivered")
# in_batch -> printed -> mailed -> delivered | returned -> collected | uncollected
# in_batch -> printed -> at_centre (pickup) -> collected | uncollected
ITEM_STATES = (
    "in_batch", "printed", "mailed", "delivered", "returned", "at_centre", "collected",
    "uncollected",
)  # fmt: skip

production_batches = sa.Table(
    "production_batches",
    metadata,
    sa.Column("batch_id", sa.String(32), primary_key=True),
    sa.Column("status", sa.String(16), nullable=False, index=True),
    sa.Column("cards", sa.Integer, nullable=False),
    sa.Column("cut_by", sa.String(64), nullable=False),
    sa.Column("cut_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("exports", sa.Integer, nullable=False),
    sa.Column("exported_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("manifest_sha256", sa.String(64), nullable=True),
    sa.Column("sheets_sha256", sa.String(64), nullable=True),
    sa.Column("printed_on", sa.Date, nullable=True),
    sa.Column("mailed_on", sa.Date, nullable=True),
    sa.Column("delivered_on", sa.Date, nullable=True),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
)

production_items = sa.Table(
    "production_items",
    metadata,
    # A card is printed in one batch only (a reprint is a replacement card).
    sa.Column("card_id", sa.String(32), primary_key=True),
    sa.Column("batch_id", sa.String(32), nullable=False, index=True),
    sa.Column("position", sa.Integer, nullable=False),
    sa.Column("delivery", sa.String(8), nullable=False),  # mail | pickup
    sa.Column("state", sa.String(16), nullable=False, index=True),
    # The day the card began to wait at the centre (pickup or returned mail).
    sa.Column("waiting_since", sa.Date, nullable=True),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
)

production_events = sa.Table(
    "production_events",
    metadata,
    sa.Column("event_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("batch_id", sa.String(32), nullable=False, index=True),
    sa.Column("card_id", sa.String(32), nullable=True),
    # cut | exported | reexported | printed | mailed | delivered | returned | collected |
    # pickup_refused | uncollected
    sa.Column("event", sa.String(16), nullable=False),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("actor_id", sa.String(64), nullable=False),
    # What a supervisor wrote (a re-export's reason); never copied into the audit log.
    sa.Column("reason_text", sa.Text, nullable=True),
)
