"""Disclosure: requests, their attached documents, applicant notices.

Revision ID: 0007
Revises: 0004
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "disclosure_requests",
        sa.Column("request_id", sa.String(32), nullable=False),
        sa.Column("received_on", sa.Date, nullable=False),
        sa.Column("respond_by", sa.Date, nullable=False),
        sa.Column("requester_kind", sa.String(32), nullable=False),
        sa.Column("instrument", sa.String(32), nullable=False),
        sa.Column("scope_kind", sa.String(16), nullable=False),
        sa.Column("scope", sa.Text, nullable=False),
        sa.Column("identity_checked", sa.Boolean, nullable=False),
        sa.Column("court_forbids_notice", sa.Boolean, nullable=False),
        sa.Column("docket", sa.String(64), nullable=True),
        sa.Column("cohort_key_id", sa.String(64), nullable=False),
        sa.Column("wrapped_key", sa.LargeBinary, nullable=False),
        sa.Column("s_requester", sa.LargeBinary, nullable=True),
        sa.Column("in_scope", sa.Integer, nullable=False),
        sa.Column("held", sa.Integer, nullable=False),
        sa.Column("proposed_decision", sa.String(24), nullable=False),
        sa.Column("rule", sa.String(64), nullable=False),
        sa.Column("proposed_fields", sa.Text, nullable=False, server_default="[]"),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("decision", sa.String(24), nullable=True),
        sa.Column("granted_fields", sa.Text, nullable=False, server_default="[]"),
        sa.Column("overridden", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("s_decision_reason", sa.LargeBinary, nullable=True),
        sa.Column("filed_by", sa.String(64), nullable=False),
        sa.Column("filed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by", sa.String(64), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("first_released_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("due_on", sa.Date, nullable=True),
        sa.PrimaryKeyConstraint("request_id", name="pk_disclosure_requests"),
    )
    for column in ("received_on", "status", "due_on"):
        op.create_index(f"ix_disclosure_requests_{column}", "disclosure_requests", [column])
    op.create_table(
        "disclosure_documents",
        sa.Column("document_id", sa.String(32), nullable=False),
        sa.Column("request_id", sa.String(32), nullable=False),
        sa.Column("media_type", sa.String(100), nullable=False),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("s_name", sa.LargeBinary, nullable=False),
        sa.Column("s_content", sa.LargeBinary, nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("document_id", name="pk_disclosure_documents"),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["disclosure_requests.request_id"],
            name="fk_disclosure_documents_request_id_disclosure_requests",
            ondelete="CASCADE",
        ),
    )
    op.create_index("ix_disclosure_documents_request_id", "disclosure_documents", ["request_id"])
    op.create_table(
        "disclosure_notices",
        sa.Column("notice_id", sa.String(32), nullable=False),
        sa.Column("request_id", sa.String(32), nullable=False),
        sa.Column("application_id", sa.String(32), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("s_body", sa.LargeBinary, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sent_by", sa.String(64), nullable=True),
        sa.PrimaryKeyConstraint("notice_id", name="pk_disclosure_notices"),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["disclosure_requests.request_id"],
            name="fk_disclosure_notices_request_id_disclosure_requests",
            ondelete="CASCADE",
        ),
    )
    for column in ("request_id", "application_id", "status"):
        op.create_index(f"ix_disclosure_notices_{column}", "disclosure_notices", [column])


def downgrade() -> None:
    op.drop_table("disclosure_notices")
    op.drop_table("disclosure_documents")
    op.drop_table("disclosure_requests")
