"""Centres, appointment slots and bookings; who holds each document (applicant or caretaker).

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "centres",
        sa.Column("centre_id", sa.String(40), primary_key=True),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("borough", sa.String(60), nullable=False),
        sa.Column("address", sa.String(200), nullable=False),
        sa.Column("hours", sa.Text, nullable=False),
        sa.Column("languages", sa.Text, nullable=False),
        sa.Column("accessibility", sa.String(300), nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "appointment_slots",
        sa.Column("slot_id", sa.String(48), primary_key=True),
        sa.Column(
            "centre_id",
            sa.String(40),
            sa.ForeignKey("centres.centre_id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("minutes", sa.Integer, nullable=False),
        sa.Column("capacity", sa.Integer, nullable=False),
        sa.Column("booked", sa.Integer, nullable=False),
        sa.UniqueConstraint("centre_id", "starts_at", name="uq_appointment_slots_centre_start"),
    )
    op.create_index("ix_appointment_slots_day", "appointment_slots", ["day"])
    op.create_table(
        "bookings",
        sa.Column("booking_id", sa.String(48), primary_key=True),
        sa.Column("reference", sa.String(16), nullable=False),
        sa.Column(
            "slot_id",
            sa.String(48),
            sa.ForeignKey("appointment_slots.slot_id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("person_token", sa.String(64), nullable=True),
        sa.Column("manage_token", sa.String(64), nullable=False),
        sa.Column("hash_key_id", sa.String(64), nullable=False),
        sa.Column("cohort_key_id", sa.String(64), nullable=False),
        sa.Column("wrapped_key", sa.LargeBinary, nullable=False),
        sa.Column("s_name", sa.LargeBinary, nullable=False),
        sa.Column("s_contact", sa.LargeBinary, nullable=True),
        sa.Column("language", sa.String(16), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("checked_in_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("served_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reminded_at", sa.DateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("reference", name="uq_bookings_reference"),
        sa.UniqueConstraint("person_token", name="uq_bookings_person_token"),
    )
    op.create_index("ix_bookings_slot_id", "bookings", ["slot_id"])
    with op.batch_alter_table("document_attestations") as batch:
        batch.add_column(
            sa.Column("holder", sa.String(16), nullable=False, server_default="applicant")
        )


def downgrade() -> None:
    with op.batch_alter_table("document_attestations") as batch:
        batch.drop_column("holder")
    op.drop_index("ix_bookings_slot_id", table_name="bookings")
    op.drop_table("bookings")
    op.drop_index("ix_appointment_slots_day", table_name="appointment_slots")
    op.drop_table("appointment_slots")
    op.drop_table("centres")
