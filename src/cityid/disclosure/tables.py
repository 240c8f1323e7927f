"""Disclosure's tables: requests, their attached documents, and notices to applicants.

A request holds the requester's data (not a cardholder's): the requester's name, the
documents they attached and counsel's written reason are sealed under the request's own
data key (record class `disclosure_request`); the rest is codes, dates, counts and
opaque application ids. A notice's text is sealed the same way, because which applicant
a request concerned is itself sensitive.
"""

from __future__ import annotations

import sqlalchemy as sa

from cityid.store.schema import metadata

disclosure_requests = sa.Table(
    "disclosure_requests",
    metadata,
    sa.Column("request_id", sa.String(32), primary_key=True),
    sa.Column("received_on", sa.Date, nullable=False, index=True),
    sa.Column("respond_by", sa.Date, nullable=False),
    sa.Column("requester_kind", sa.String(32), nullable=False),
    sa.Column("instrument", sa.String(32), nullable=False),
    sa.Column("scope_kind", sa.String(16), nullable=False),
    # JSON: {"application_ids": [...], "fields": [...], "from", "to"} or {"aggregate": true}
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
    sa.Column("status", sa.String(16), nullable=False, index=True),  # open | decided
    sa.Column("decision", sa.String(24), nullable=True),
    sa.Column("granted_fields", sa.Text, nullable=False, server_default="[]"),
    sa.Column("overridden", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("s_decision_reason", sa.LargeBinary, nullable=True),
    sa.Column("filed_by", sa.String(64), nullable=False),
    sa.Column("filed_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("decided_by", sa.String(64), nullable=True),
    sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("first_released_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("due_on", sa.Date, nullable=True, index=True),
)

disclosure_documents = sa.Table(
    "disclosure_documents",
    metadata,
    sa.Column("document_id", sa.String(32), primary_key=True),
    sa.Column(
        "request_id",
        sa.String(32),
        sa.ForeignKey("disclosure_requests.request_id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    sa.Column("media_type", sa.String(100), nullable=False),
    sa.Column("size", sa.Integer, nullable=False),
    sa.Column("s_name", sa.LargeBinary, nullable=False),
    sa.Column("s_content", sa.LargeBinary, nullable=False),
    sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
)

disclosure_notices = sa.Table(
    "disclosure_notices",
    metadata,
    sa.Column("notice_id", sa.String(32), primary_key=True),
    sa.Column(
        "request_id",
        sa.String(32),
        sa.ForeignKey("disclosure_requests.request_id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    sa.Column("application_id", sa.String(32), nullable=False, index=True),
    sa.Column("status", sa.String(16), nullable=False, index=True),  # pending | sent
    sa.Column("s_body", sa.LargeBinary, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("sent_by", sa.String(64), nullable=True),
)
