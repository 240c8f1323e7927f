"""Appointments' tables: centres, their released slots, and bookings.

A booking keeps the least that works: its slot, a reference, a keyed hash of the
person (normalised name and date of birth: "one future booking each" without a list of
names), a keyed hash of reference and date of birth (to manage it), the name sealed under
a data key of its day's cohort, and the times of check-in and intake. No documents. It
is deleted with its slot once the day has passed (`service.purge`).
"""

from __future__ import annotations

import sqlalchemy as sa

from cityid.store.schema import metadata

centres = sa.Table(
    "centres",
    metadata,
    sa.Column("centre_id", sa.String(40), primary_key=True),
    sa.Column("name", sa.String(120), nullable=False),
    sa.Column("borough", sa.String(60), nullable=False),
    sa.Column("address", sa.String(200), nullable=False),
    sa.Column("hours", sa.Text, nullable=False),  # JSON {"mon": ["09:00", "17:00"], ...}
    sa.Column("languages", sa.Text, nullable=False),  # JSON list of language codes
    sa.Column("accessibility", sa.String(300), nullable=False),
    sa.Column("active", sa.Boolean, nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
)

appointment_slots = sa.Table(
    "appointment_slots",
    metadata,
    sa.Column("slot_id", sa.String(48), primary_key=True),
    sa.Column(
        "centre_id",
        sa.String(40),
        sa.ForeignKey("centres.centre_id", ondelete="CASCADE"),
        nullable=False,
    ),
    sa.Column("day", sa.Date, nullable=False, index=True),  # the centre's local date
    sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("minutes", sa.Integer, nullable=False),
    sa.Column("capacity", sa.Integer, nullable=False),
    sa.Column("booked", sa.Integer, nullable=False),  # kept with the bookings, never above
    sa.UniqueConstraint("centre_id", "starts_at", name="uq_appointment_slots_centre_start"),
)

bookings = sa.Table(
    "bookings",
    metadata,
    sa.Column("booking_id", sa.String(48), primary_key=True),
    sa.Column("reference", sa.String(16), nullable=False, unique=True),
    sa.Column(
        "slot_id",
        sa.String(48),
        sa.ForeignKey("appointment_slots.slot_id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    # Set while the booking is still to come, cleared when it is used or its day passes:
    # unique, so two bookings racing for one person cannot both be stored.
    sa.Column("person_token", sa.String(64), nullable=True, unique=True),
    sa.Column("manage_token", sa.String(64), nullable=False),
    sa.Column("hash_key_id", sa.String(64), nullable=False),
    sa.Column("cohort_key_id", sa.String(64), nullable=False),
    sa.Column("wrapped_key", sa.LargeBinary, nullable=False),
    sa.Column("s_name", sa.LargeBinary, nullable=False),
    sa.Column("s_contact", sa.LargeBinary, nullable=True),
    sa.Column("language", sa.String(16), nullable=True),
    sa.Column("status", sa.String(16), nullable=False),  # booked | checked_in | served
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("checked_in_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("served_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("reminded_at", sa.DateTime(timezone=True), nullable=True),
)
