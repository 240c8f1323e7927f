"""Matching: stored encodings, their sequence head, the investigators' review queue.

Revision ID: 0008
Revises: 0004
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    head = op.create_table(
        "match_head",
        sa.Column("id", sa.Integer, autoincrement=False, nullable=False),
        sa.Column("seq", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_match_head"),
    )
    op.bulk_insert(head, [{"id": 1, "seq": 0}])
    op.create_table(
        "match_encodings",
        sa.Column("application_id", sa.String(32), nullable=False),
        sa.Column("bits", sa.LargeBinary, nullable=True),
        sa.Column("blocks", sa.LargeBinary, nullable=False),
        sa.Column("seq", sa.BigInteger, nullable=False),
        sa.Column("key_id", sa.String(64), nullable=False),
        sa.Column("removed", sa.Boolean, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("application_id", name="pk_match_encodings"),
        sa.UniqueConstraint("seq", name="uq_match_encodings_seq"),
    )
    op.create_index("ix_match_encodings_key_id", "match_encodings", ["key_id"])
    op.create_table(
        "review_items",
        sa.Column("item_id", sa.String(32), nullable=False),
        sa.Column("application_id", sa.String(32), nullable=False),
        sa.Column("other_application_id", sa.String(32), nullable=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("score", sa.Float, nullable=True),
        sa.Column("reasons", sa.Text, nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("decision", sa.String(16), nullable=True),
        sa.Column("decided_by", sa.String(64), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("item_id", name="pk_review_items"),
        sa.UniqueConstraint(
            "application_id", "other_application_id", "kind", name="uq_review_items_pair_kind"
        ),
    )
    for column in ("application_id", "other_application_id", "status", "created_at"):
        op.create_index(f"ix_review_items_{column}", "review_items", [column])


def downgrade() -> None:
    for column in ("application_id", "other_application_id", "status", "created_at"):
        op.drop_index(f"ix_review_items_{column}", table_name="review_items")
    op.drop_table("review_items")
    op.drop_index("ix_match_encodings_key_id", table_name="match_encodings")
    op.drop_table("match_encodings")
    op.drop_table("match_head")
