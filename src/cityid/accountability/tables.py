"""Supervisors' access exceptions and the insider alerts raised over the audit log."""

from __future__ import annotations

import sqlalchemy as sa

from cityid.store.schema import metadata

access_exceptions = sa.Table(
    "access_exceptions",
    metadata,
    sa.Column("exception_id", sa.String(32), primary_key=True),
    sa.Column("staff_id", sa.String(36), nullable=False, index=True),
    sa.Column("application_id", sa.String(32), nullable=False, index=True),
    sa.Column("reason", sa.String(64), nullable=False),
    sa.Column("granted_by", sa.String(36), nullable=False),
    sa.Column("granted_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
)

insider_alerts = sa.Table(
    "insider_alerts",
    metadata,
    sa.Column("alert_id", sa.String(32), primary_key=True),
    sa.Column("rule", sa.String(32), nullable=False),
    sa.Column("staff_id", sa.String(36), nullable=False, index=True),
    sa.Column("window_start", sa.DateTime(timezone=True), nullable=False),
    sa.Column("window_end", sa.DateTime(timezone=True), nullable=False),
    sa.Column("count", sa.Integer, nullable=False),
    sa.Column("entries", sa.Text, nullable=False),  # JSON list of audit log indexes
    sa.Column("status", sa.String(16), nullable=False, index=True),  # open | closed
    sa.Column("outcome", sa.String(32), nullable=True),
    sa.Column("closed_by", sa.String(36), nullable=True),
    sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("raised_at", sa.DateTime(timezone=True), nullable=False),
    sa.UniqueConstraint("rule", "staff_id", "window_start", name="uq_insider_alert_window"),
)
