"""Notices: the outbox, one-time codes, and an index for the renewal notices.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "notice_outbox",
        sa.Column("notice_id", sa.String(32), primary_key=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("channel", sa.String(8), nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("subject_id", sa.String(40), nullable=True),
        sa.Column("dedupe_key", sa.String(160), nullable=True, unique=True),
        sa.Column("legally_required", sa.Boolean, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_error", sa.String(64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cohort_key_id", sa.String(64), nullable=True),
        sa.Column("wrapped_key", sa.LargeBinary, nullable=True),
        sa.Column("s_payload", sa.LargeBinary, nullable=True),
    )
    op.create_index("ix_notice_outbox_subject_id", "notice_outbox", ["subject_id"])
    op.create_index("ix_notice_outbox_due", "notice_outbox", ["status", "next_attempt_at"])
    op.create_table(
        "one_time_codes",
        sa.Column("code_id", sa.String(32), primary_key=True),
        sa.Column("purpose", sa.String(32), nullable=False),
        sa.Column("subject_id", sa.String(40), nullable=False),
        sa.Column("salt", sa.LargeBinary, nullable=False),
        sa.Column("code_hash", sa.LargeBinary, nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_one_time_codes_subject_id", "one_time_codes", ["subject_id"])
    op.create_index("ix_applications_card_expires_on", "applications", ["card_expires_on"])


def downgrade() -> None:
    op.drop_index("ix_applications_card_expires_on", table_name="applications")
    op.drop_index("ix_one_time_codes_subject_id", table_name="one_time_codes")
    op.drop_table("one_time_codes")
    op.drop_index("ix_notice_outbox_due", table_name="notice_outbox")
    op.drop_index("ix_notice_outbox_subject_id", table_name="notice_outbox")
    op.drop_table("notice_outbox")
