"""Accountability: staff centres, supervisors' access exceptions, insider alerts.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("staff_users") as batch:
        batch.add_column(sa.Column("centre", sa.String(80), nullable=True))
    op.create_table(
        "access_exceptions",
        sa.Column("exception_id", sa.String(32), primary_key=True),
        sa.Column("staff_id", sa.String(36), nullable=False, index=True),
        sa.Column("application_id", sa.String(32), nullable=False, index=True),
        sa.Column("reason", sa.String(64), nullable=False),
        sa.Column("granted_by", sa.String(36), nullable=False),
        sa.Column("granted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "insider_alerts",
        sa.Column("alert_id", sa.String(32), primary_key=True),
        sa.Column("rule", sa.String(32), nullable=False),
        sa.Column("staff_id", sa.String(36), nullable=False, index=True),
        sa.Column("window_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("window_end", sa.DateTime(timezone=True), nullable=False),
        sa.Column("count", sa.Integer, nullable=False),
        sa.Column("entries", sa.Text, nullable=False),
        sa.Column("status", sa.String(16), nullable=False, index=True),
        sa.Column("outcome", sa.String(32), nullable=True),
        sa.Column("closed_by", sa.String(36), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("raised_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("rule", "staff_id", "window_start", name="uq_insider_alert_window"),
    )


def downgrade() -> None:
    op.drop_table("insider_alerts")
    op.drop_table("access_exceptions")
    with op.batch_alter_table("staff_users") as batch:
        batch.drop_column("centre")
