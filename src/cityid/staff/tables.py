"""Staff accounts, console sessions and API tokens."""

from __future__ import annotations

import sqlalchemy as sa

from cityid.store.schema import metadata

staff_users = sa.Table(
    "staff_users",
    metadata,
    sa.Column("user_id", sa.String(36), primary_key=True),
    sa.Column("username", sa.String(64), nullable=False, unique=True),
    sa.Column("role", sa.String(32), nullable=False),
    sa.Column("password_hash", sa.String(255), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("failed_logins", sa.Integer, nullable=False, server_default="0"),
    sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
    sa.Column("disabled", sa.Boolean, nullable=False, server_default=sa.false()),
    # The TOTP secret, sealed like a record field: its own data key wrapped by a cohort key.
    sa.Column("totp_key_id", sa.String(100), nullable=True),
    sa.Column("totp_wrapped_key", sa.LargeBinary, nullable=True),
    sa.Column("totp_secret", sa.LargeBinary, nullable=True),
    sa.Column("totp_enabled_at", sa.DateTime(timezone=True), nullable=True),
    # The last accepted 30-second step: a code is never accepted twice.
    sa.Column("totp_last_step", sa.BigInteger, nullable=True),
    # The enrolment centre (office) a clerk works at; scopes what they may open.
    sa.Column("centre", sa.String(80), nullable=True),
)

staff_sessions = sa.Table(
    "staff_sessions",
    metadata,
    # The cookie carries a random secret; only its SHA-256 is stored.
    sa.Column("session_hash", sa.String(64), primary_key=True),
    sa.Column("user_id", sa.String(36), sa.ForeignKey("staff_users.user_id"), nullable=False),
    sa.Column("csrf_token", sa.String(64), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=True),
    # "full"; or "mfa" (password right, code owed) or "enrol" (must set up a second factor).
    sa.Column("stage", sa.String(16), nullable=False, server_default="full"),
)

# One-time recovery codes, argon2-hashed like passwords; each is spent once.
staff_recovery_codes = sa.Table(
    "staff_recovery_codes",
    metadata,
    sa.Column("code_id", sa.String(36), primary_key=True),
    sa.Column("user_id", sa.String(36), sa.ForeignKey("staff_users.user_id"), nullable=False),
    sa.Column("code_hash", sa.String(255), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
    sa.Index("ix_staff_recovery_codes_user", "user_id"),
)

# Failed sign-ins, counted per client address and per (account, address) pair. The key
# is a SHA-256 of the pair or address: no address is stored in the clear.
staff_login_failures = sa.Table(
    "staff_login_failures",
    metadata,
    sa.Column("key_hash", sa.String(64), primary_key=True),
    sa.Column("user_id", sa.String(36), nullable=True),
    sa.Column("failures", sa.Integer, nullable=False),
    sa.Column("first_failed_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
    sa.Index("ix_staff_login_failures_user", "user_id"),
)

api_tokens = sa.Table(
    "api_tokens",
    metadata,
    sa.Column("token_id", sa.String(36), primary_key=True),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("user_id", sa.String(36), sa.ForeignKey("staff_users.user_id"), nullable=False),
    sa.Column("label", sa.String(100), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
)
