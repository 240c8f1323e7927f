"""Card production: print batches, their cards, and their events.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "production_batches",
        sa.Column("batch_id", sa.String(32), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
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
        sa.PrimaryKeyConstraint("batch_id", name="pk_production_batches"),
    )
    op.create_index("ix_production_batches_status", "production_batches", ["status"])
    op.create_table(
        "production_items",
        sa.Column("card_id", sa.String(32), nullable=False),
        sa.Column("batch_id", sa.String(32), nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("delivery", sa.String(8), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("waiting_since", sa.Date, nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("card_id", name="pk_production_items"),
    )
    for column in ("batch_id", "state"):
        op.create_index(f"ix_production_items_{column}", "production_items", [column])
    op.create_table(
        "production_events",
        sa.Column("event_id", sa.Integer, autoincrement=True, nullable=False),
        sa.Column("batch_id", sa.String(32), nullable=False),
        sa.Column("card_id", sa.String(32), nullable=True),
        sa.Column("event", sa.String(16), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.String(64), nullable=False),
        sa.Column("reason_text", sa.Text, nullable=True),
        sa.PrimaryKeyConstraint("event_id", name="pk_production_events"),
    )
    op.create_index("ix_production_events_batch_id", "production_events", ["batch_id"])


def downgrade() -> None:
    op.drop_table("production_events")
    op.drop_table("production_items")
    op.drop_table("production_batches")
