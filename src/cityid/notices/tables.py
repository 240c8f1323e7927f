"""The outbox and the one-time codes.

An outbox row holds no address in the clear: the recipient's address and the template
parameters are sealed together (`s_payload`) under the row's own data key (record class
`notice`, cohort of the month it was queued). Once a row is sent or given up its payload,
wrapped key and subject id are set to NULL, so a delivered notice keeps only its kind,
language, channel, status and times. A one-time code is kept only as a scrypt hash with its salt.
"""

from __future__ import annotations

import sqlalchemy as sa

from cityid.store.schema import metadata

notice_outbox = sa.Table(
    "notice_outbox",
    metadata,
    sa.Column("notice_id", sa.String(32), primary_key=True),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("channel", sa.String(8), nullable=False),
    sa.Column("language", sa.String(8), nullable=False),
    # The opaque id the notice is about (an application id), for the audit log and dedupe.
    sa.Column("subject_id", sa.String(40), nullable=True, index=True),
    # One notice per (kind, subject, occasion): a renewal at 60 days is queued once.
    sa.Column("dedupe_key", sa.String(160), nullable=True, unique=True),
    sa.Column("legally_required", sa.Boolean, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("last_error", sa.String(64), nullable=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("cohort_key_id", sa.String(64), nullable=True),
    sa.Column("wrapped_key", sa.LargeBinary, nullable=True),
    sa.Column("s_payload", sa.LargeBinary, nullable=True),
    sa.Index("ix_notice_outbox_due", "status", "next_attempt_at"),
)

one_time_codes = sa.Table(
    "one_time_codes",
    metadata,
    sa.Column("code_id", sa.String(32), primary_key=True),
    sa.Column("purpose", sa.String(32), nullable=False),
    sa.Column("subject_id", sa.String(40), nullable=False, index=True),
    sa.Column("salt", sa.LargeBinary, nullable=False),
    sa.Column("code_hash", sa.LargeBinary, nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    # active | used | locked
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
)
