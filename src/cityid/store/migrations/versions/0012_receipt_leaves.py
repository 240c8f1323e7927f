"""Destruction receipts as leaves of their chunk's entry: position and leaf text.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Rows of earlier batches keep both empty: their entries name the application itself.
    op.add_column("destruction_receipts", sa.Column("position", sa.Integer, nullable=True))
    op.add_column("destruction_receipts", sa.Column("leaf", sa.String(200), nullable=True))
    op.create_index(
        "ix_destruction_receipts_chunk", "destruction_receipts", ["audit_index", "position"]
    )


def downgrade() -> None:
    op.drop_index("ix_destruction_receipts_chunk", table_name="destruction_receipts")
    with op.batch_alter_table("destruction_receipts") as batch:
        batch.drop_column("leaf")
        batch.drop_column("position")
