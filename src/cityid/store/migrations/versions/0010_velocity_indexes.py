"""Composite indexes for the velocity signals (clerk, address) by time.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-22
"""

from __future__ import annotations

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_applications_clerk_recent", "applications", ["clerk_id", "created_at"])
    op.create_index("ix_applications_address_recent", "applications", ["address_key", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_applications_address_recent", table_name="applications")
    op.drop_index("ix_applications_clerk_recent", table_name="applications")
