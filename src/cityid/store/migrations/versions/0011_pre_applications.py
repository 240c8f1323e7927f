"""Applications started online: a reference and a document list, nothing personal.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "pre_applications",
        sa.Column("reference", sa.String(16), primary_key=True),
        sa.Column("documents", sa.Text, nullable=False),
        sa.Column("language", sa.String(16), nullable=True),
        sa.Column("started_on", sa.Date, nullable=False),
        sa.Column("expires_on", sa.Date, nullable=False),
    )
    op.create_index("ix_pre_applications_expires_on", "pre_applications", ["expires_on"])


def downgrade() -> None:
    op.drop_index("ix_pre_applications_expires_on", table_name="pre_applications")
    op.drop_table("pre_applications")
