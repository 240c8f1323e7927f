"""Staff accounts: TOTP second factor, recovery codes, sign-in throttle, session idle time.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("staff_users") as batch:
        batch.add_column(sa.Column("totp_key_id", sa.String(100), nullable=True))
        batch.add_column(sa.Column("totp_wrapped_key", sa.LargeBinary, nullable=True))
        batch.add_column(sa.Column("totp_secret", sa.LargeBinary, nullable=True))
        batch.add_column(sa.Column("totp_enabled_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("totp_last_step", sa.BigInteger, nullable=True))
    with op.batch_alter_table("staff_sessions") as batch:
        batch.add_column(sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("stage", sa.String(16), nullable=False, server_default="full"))
    op.create_table(
        "staff_recovery_codes",
        sa.Column("code_id", sa.String(36), primary_key=True),
        sa.Column("user_id", sa.String(36), sa.ForeignKey("staff_users.user_id"), nullable=False),
        sa.Column("code_hash", sa.String(255), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_staff_recovery_codes_user", "staff_recovery_codes", ["user_id"])
    op.create_table(
        "staff_login_failures",
        sa.Column("key_hash", sa.String(64), primary_key=True),
        sa.Column("user_id", sa.String(36), nullable=True),
        sa.Column("failures", sa.Integer, nullable=False),
        sa.Column("first_failed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_staff_login_failures_user", "staff_login_failures", ["user_id"])


def downgrade() -> None:
    op.drop_index("ix_staff_login_failures_user", table_name="staff_login_failures")
    op.drop_table("staff_login_failures")
    op.drop_index("ix_staff_recovery_codes_user", table_name="staff_recovery_codes")
    op.drop_table("staff_recovery_codes")
    with op.batch_alter_table("staff_sessions") as batch:
        batch.drop_column("stage")
        batch.drop_column("last_seen_at")
    with op.batch_alter_table("staff_users") as batch:
        for column in (
            "totp_last_step",
            "totp_enabled_at",
            "totp_secret",
            "totp_wrapped_key",
            "totp_key_id",
        ):
            batch.drop_column(column)
