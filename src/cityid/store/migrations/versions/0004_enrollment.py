"""Enrollment: applications, status history, document attestations and copies.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

SEALED_FIELDS = (
    "given_name", "family_name", "date_of_birth", "address", "contact", "options",
    "language", "photo", "face",
)  # fmt: skip


def _index(table: str, *columns: str, unique: bool = False) -> None:
    for column in columns:
        op.create_index(f"ix_{table}_{column}", table, [column], unique=unique)


def _applications() -> None:
    op.create_table(
        "applications",
        sa.Column("application_id", sa.String(32), primary_key=True),
        sa.Column("reference", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("app_type", sa.String(16), nullable=False),
        sa.Column("previous_application_id", sa.String(32), nullable=True),
        sa.Column("centre", sa.String(80), nullable=True),
        sa.Column("clerk_id", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("enrolled_on", sa.Date, nullable=False),
        sa.Column("cohort_key_id", sa.String(64), nullable=False),
        sa.Column("wrapped_key", sa.LargeBinary, nullable=False),
        sa.Column("due_on", sa.Date, nullable=True),
        sa.Column("card_expires_on", sa.Date, nullable=True),
        *(sa.Column(f"s_{name}", sa.LargeBinary, nullable=True) for name in SEALED_FIELDS),
        sa.Column("blind_index", sa.String(64), nullable=False),
        sa.Column("blind_key_id", sa.String(64), nullable=False),
        sa.Column("address_key", sa.String(64), nullable=False),
        sa.Column("identity_points", sa.Integer, nullable=False),
        sa.Column("residency_points", sa.Integer, nullable=False),
        sa.Column("total_points", sa.Integer, nullable=False),
        sa.Column("notes", sa.Text, nullable=False, server_default="[]"),
        sa.Column("flags", sa.Text, nullable=False, server_default="[]"),
        sa.UniqueConstraint("reference", name="uq_applications_reference"),
    )
    _index(
        "applications", "status", "previous_application_id", "clerk_id", "created_at",
        "enrolled_on", "cohort_key_id", "due_on", "blind_index", "address_key",
    )  # fmt: skip


def _application_history() -> None:
    op.create_table(
        "application_history",
        sa.Column("history_id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "application_id",
            sa.String(32),
            sa.ForeignKey(
                "applications.application_id",
                name="fk_application_history_application_id_applications",
                ondelete="CASCADE",
            ),
            nullable=False,
        ),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.String(64), nullable=False),
        sa.Column("reason_code", sa.String(64), nullable=False),
        sa.Column("s_reason", sa.LargeBinary, nullable=True),
    )
    _index("application_history", "application_id")


def _document_attestations() -> None:
    op.create_table(
        "document_attestations",
        sa.Column("attestation_id", sa.String(32), primary_key=True),
        sa.Column(
            "application_id",
            sa.String(32),
            sa.ForeignKey(
                "applications.application_id",
                name="fk_document_attestations_application_id_applications",
                ondelete="CASCADE",
            ),
            nullable=False,
        ),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("doc_type", sa.String(64), nullable=False),
        sa.Column("issuing_country", sa.String(3), nullable=False),
        sa.Column("identity_points", sa.Integer, nullable=False),
        sa.Column("residency_points", sa.Integer, nullable=False),
        sa.Column("points", sa.Integer, nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("mrz_checked", sa.Boolean, nullable=False),
        sa.Column("verifier_id", sa.String(64), nullable=False),
        sa.Column("verified_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("token", sa.String(64), nullable=False),
        sa.Column("token_key_id", sa.String(64), nullable=False),
        sa.Column("copy_status", sa.String(16), nullable=False),
        sa.Column("due_on", sa.Date, nullable=True),
    )
    _index("document_attestations", "application_id", "token", "due_on")


def _document_copies() -> None:
    op.create_table(
        "document_copies",
        sa.Column("copy_id", sa.String(32), primary_key=True),
        sa.Column(
            "attestation_id",
            sa.String(32),
            sa.ForeignKey(
                "document_attestations.attestation_id",
                name="fk_document_copies_attestation_id_document_attestations",
                ondelete="CASCADE",
            ),
            nullable=False,
        ),
        sa.Column("application_id", sa.String(32), nullable=False),
        sa.Column("enrolled_on", sa.Date, nullable=False),
        sa.Column("cohort_key_id", sa.String(64), nullable=False),
        sa.Column("wrapped_key", sa.LargeBinary, nullable=False),
        sa.Column("due_on", sa.Date, nullable=False),
        sa.Column("s_image", sa.LargeBinary, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("attestation_id", name="uq_document_copies_attestation_id"),
    )
    _index("document_copies", "application_id", "cohort_key_id", "due_on")


def _policy_mode_changes() -> None:
    op.create_table(
        "policy_mode_changes",
        sa.Column("effective", sa.Date, primary_key=True),
        sa.Column("mode", sa.String(32), primary_key=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("audit_index", sa.BigInteger, nullable=False),
    )


def upgrade() -> None:
    _applications()
    _application_history()
    _document_attestations()
    _document_copies()
    _policy_mode_changes()


def downgrade() -> None:
    op.drop_table("policy_mode_changes")
    op.drop_table("document_copies")
    op.drop_table("document_attestations")
    op.drop_table("application_history")
    op.drop_table("applications")
