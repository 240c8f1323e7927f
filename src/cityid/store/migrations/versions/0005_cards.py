"""Cards: cards, status list allocation, card events.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "cards",
        sa.Column("card_id", sa.String(32), nullable=False),
        sa.Column("card_number", sa.String(12), nullable=False),
        sa.Column("application_id", sa.String(32), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("issued_on", sa.Date, nullable=False),
        sa.Column("expires_on", sa.Date, nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status_list", sa.Integer, nullable=False),
        sa.Column("status_index", sa.Integer, nullable=False),
        sa.Column("signing_key_id", sa.String(64), nullable=False),
        sa.Column("previous_card_id", sa.String(32), nullable=True),
        sa.Column("retention_cohort", sa.String(16), nullable=False),
        sa.Column("due_on", sa.Date, nullable=False),
        sa.PrimaryKeyConstraint("card_id", name="pk_cards"),
        sa.UniqueConstraint("card_number", name="uq_cards_card_number"),
        sa.UniqueConstraint("status_list", "status_index", name="uq_cards_status_slot"),
    )
    for column in ("application_id", "status", "retention_cohort", "due_on"):
        op.create_index(f"ix_cards_{column}", "cards", [column])
    op.create_table(
        "card_status_lists",
        sa.Column("list_number", sa.Integer, autoincrement=False, nullable=False),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("bits", sa.Integer, nullable=False),
        sa.Column("next_index", sa.Integer, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("list_number", name="pk_card_status_lists"),
    )
    op.create_table(
        "card_events",
        sa.Column("event_id", sa.Integer, autoincrement=True, nullable=False),
        sa.Column("card_id", sa.String(32), nullable=False),
        sa.Column("event", sa.String(16), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.String(64), nullable=False),
        sa.Column("reason_code", sa.String(64), nullable=False),
        sa.Column("reason_text", sa.Text, nullable=True),
        sa.Column("fee_cents", sa.Integer, nullable=True),
        sa.Column("fee_waived", sa.Boolean, nullable=True),
        sa.PrimaryKeyConstraint("event_id", name="pk_card_events"),
    )
    op.create_index("ix_card_events_card_id", "card_events", ["card_id"])


def downgrade() -> None:
    op.drop_table("card_events")
    op.drop_table("card_status_lists")
    op.drop_table("cards")
