"""Witnesses of the audit log and their cosignatures on checkpoints.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_witnesses",
        sa.Column("name", sa.String(128), primary_key=True),
        sa.Column("url", sa.String(500), nullable=False),
        sa.Column("vkey", sa.String(500), nullable=False, unique=True),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "audit_cosignatures",
        sa.Column(
            "checkpoint_id",
            sa.Integer,
            sa.ForeignKey("audit_checkpoints.checkpoint_id"),
            primary_key=True,
        ),
        sa.Column(
            "witness", sa.String(128), sa.ForeignKey("audit_witnesses.name"), primary_key=True
        ),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("line", sa.Text, nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_audit_cosignatures_witness_size", "audit_cosignatures", ["witness", "size"])


def downgrade() -> None:
    op.drop_index("ix_audit_cosignatures_witness_size", table_name="audit_cosignatures")
    op.drop_table("audit_cosignatures")
    op.drop_table("audit_witnesses")
