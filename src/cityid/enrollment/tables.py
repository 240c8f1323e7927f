"""Enrollment's tables: applications, their status history, document attestations, copies.

No column holds personal data in the clear. Personal fields are sealed one by one
(`s_*` columns, AES-256-GCM under the record's data key, wrapped by its cohort key);
searching uses keyed hashes (`blind_index`, `address_key`, document `token`). Every
sealed table carries `cohort_key_id` and `due_on` so retention can find its cohorts.
"""

from __future__ import annotations

import sqlalchemy as sa

from cityid.store.schema import metadata

# The sealed personal fields of an application, in the order they are written.
SEALED_FIELDS: tuple[str, ...] = (
    "given_name",
    "family_name",
    "date_of_birth",
    "address",
    "contact",
    "options",
    "language",
    "photo",
    "face",
)

applications = sa.Table(
    "applications",
    metadata,
    sa.Column("application_id", sa.String(32), primary_key=True),
    # What the applicant is given to check their status with (plus their date of birth).
    sa.Column("reference", sa.String(16), nullable=False, unique=True),
    sa.Column("status", sa.String(16), nullable=False, index=True),
    sa.Column("app_type", sa.String(16), nullable=False),
    sa.Column("previous_application_id", sa.String(32), nullable=True, index=True),
    sa.Column("centre", sa.String(80), nullable=True),
    sa.Column("clerk_id", sa.String(64), nullable=False, index=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, index=True),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("enrolled_on", sa.Date, nullable=False, index=True),
    # Retention: the cohort whose key wraps this record's data key, and when it falls due
    # (NULL until a card is issued: the schedule runs from the card's expiry).
    sa.Column("cohort_key_id", sa.String(64), nullable=False, index=True),
    sa.Column("wrapped_key", sa.LargeBinary, nullable=False),
    sa.Column("due_on", sa.Date, nullable=True, index=True),
    # Indexed: the renewal notices read "cards expiring in the next 60 days" each day.
    sa.Column("card_expires_on", sa.Date, nullable=True, index=True),
    *(sa.Column(f"s_{name}", sa.LargeBinary, nullable=True) for name in SEALED_FIELDS),
    # HMAC of normalised family name, given name and date of birth: exact staff search.
    sa.Column("blind_index", sa.String(64), nullable=False, index=True),
    sa.Column("blind_key_id", sa.String(64), nullable=False),
    # HMAC of the normalised address: many applications at one address is a signal.
    sa.Column("address_key", sa.String(64), nullable=False, index=True),
    sa.Column("identity_points", sa.Integer, nullable=False),
    sa.Column("residency_points", sa.Integer, nullable=False),
    sa.Column("total_points", sa.Integer, nullable=False),
    # JSON lists: clerk-readable notes about documents (types only) and screening flags.
    sa.Column("notes", sa.Text, nullable=False, server_default="[]"),
    sa.Column("flags", sa.Text, nullable=False, server_default="[]"),
    # Velocity signals read "this clerk's (or address's) latest applications": walking one
    # composite index backwards keeps that one short read at any register size.
    sa.Index("ix_applications_clerk_recent", "clerk_id", "created_at"),
    sa.Index("ix_applications_address_recent", "address_key", "created_at"),
)

application_history = sa.Table(
    "application_history",
    metadata,
    sa.Column("history_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column(
        "application_id",
        sa.String(32),
        sa.ForeignKey("applications.application_id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("actor_id", sa.String(64), nullable=False),
    sa.Column("reason_code", sa.String(64), nullable=False),
    # Free text a supervisor wrote, sealed under the application's data key.
    sa.Column("s_reason", sa.LargeBinary, nullable=True),
)

document_attestations = sa.Table(
    "document_attestations",
    metadata,
    sa.Column("attestation_id", sa.String(32), primary_key=True),
    sa.Column(
        "application_id",
        sa.String(32),
        sa.ForeignKey("applications.application_id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    sa.Column("position", sa.Integer, nullable=False),
    sa.Column("doc_type", sa.String(64), nullable=False),
    sa.Column("issuing_country", sa.String(3), nullable=False),
    sa.Column("identity_points", sa.Integer, nullable=False),
    sa.Column("residency_points", sa.Integer, nullable=False),
    sa.Column("points", sa.Integer, nullable=False),
    # counted | not_counted | mrz_failed
    sa.Column("outcome", sa.String(16), nullable=False),
    sa.Column("mrz_checked", sa.Boolean, nullable=False),
    sa.Column("verifier_id", sa.String(64), nullable=False),
    sa.Column("verified_at", sa.DateTime(timezone=True), nullable=False),
    # Keyed token of (type, issuing country, number): reuse is caught, the number is not kept.
    sa.Column("token", sa.String(64), nullable=False, index=True),
    sa.Column("token_key_id", sa.String(64), nullable=False),
    # retained | not_retained (a copy row exists only while retained)
    sa.Column("copy_status", sa.String(16), nullable=False),
    sa.Column("due_on", sa.Date, nullable=True, index=True),
    # applicant | caretaker: a caretaker's documents prove who they are and their bond to
    # the applicant, and count no points.
    sa.Column("holder", sa.String(16), nullable=False, server_default="applicant"),
)

document_copies = sa.Table(
    "document_copies",
    metadata,
    sa.Column("copy_id", sa.String(32), primary_key=True),
    sa.Column(
        "attestation_id",
        sa.String(32),
        sa.ForeignKey("document_attestations.attestation_id", ondelete="CASCADE"),
        nullable=False,
        unique=True,
    ),
    sa.Column("application_id", sa.String(32), nullable=False, index=True),
    sa.Column("enrolled_on", sa.Date, nullable=False),
    sa.Column("cohort_key_id", sa.String(64), nullable=False, index=True),
    sa.Column("wrapped_key", sa.LargeBinary, nullable=False),
    sa.Column("due_on", sa.Date, nullable=False, index=True),
    sa.Column("s_image", sa.LargeBinary, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)

# Which document-mode changes of the policy have been recorded in the audit log.
policy_mode_changes = sa.Table(
    "policy_mode_changes",
    metadata,
    sa.Column("effective", sa.Date, primary_key=True),
    sa.Column("mode", sa.String(32), primary_key=True),
    sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("audit_index", sa.BigInteger, nullable=False),
)

# Started online at /apply/: a reference and the documents the person means to bring,
# nothing about who they are. A clerk looks the reference up at the desk.
pre_applications = sa.Table(
    "pre_applications",
    metadata,
    sa.Column("reference", sa.String(16), primary_key=True),
    sa.Column("documents", sa.Text, nullable=False),  # JSON list of document type codes
    sa.Column("language", sa.String(16), nullable=True),
    sa.Column("started_on", sa.Date, nullable=False),
    sa.Column("expires_on", sa.Date, nullable=False, index=True),
)


# A client's retry of an intake (a timeout, a dropped connection) sends the same
# Idempotency-Key: the first answer is kept a day and given again, so no one is enrolled
# twice. The request is kept only as a salted hash, to tell a reused key from a retry.
intake_requests = sa.Table(
    "intake_requests",
    metadata,
    sa.Column("actor_id", sa.String(64), primary_key=True),
    sa.Column("idempotency_key", sa.String(64), primary_key=True),
    sa.Column("salt", sa.LargeBinary(16), nullable=False),
    sa.Column("request_sha256", sa.String(64), nullable=False),
    sa.Column("response", sa.Text, nullable=False),  # JSON: ids, status, points, reasons
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, index=True),
)
