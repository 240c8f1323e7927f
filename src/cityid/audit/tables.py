"""The audit log's tables: entries (exact bytes and leaf hash), the head, checkpoints."""

from __future__ import annotations

import sqlalchemy as sa

from cityid.store.schema import metadata

audit_entries = sa.Table(
    "audit_entries",
    metadata,
    sa.Column("idx", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("entry", sa.LargeBinary, nullable=False),
    sa.Column("leaf_hash", sa.LargeBinary(32), nullable=False),
    # Denormalised from the entry for the auditors' browsing; the entry bytes are the truth.
    sa.Column("actor", sa.String(128), nullable=False, index=True),
    sa.Column("action", sa.String(64), nullable=False, index=True),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False, index=True),
)

# One row: the log's size. Appending bumps it first, so concurrent writers queue here.
audit_head = sa.Table(
    "audit_head",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("size", sa.BigInteger, nullable=False),
)

audit_targets = sa.Table(
    "audit_targets",
    metadata,
    sa.Column("idx", sa.BigInteger, sa.ForeignKey("audit_entries.idx"), primary_key=True),
    sa.Column("target", sa.String(128), primary_key=True, index=True),
)

audit_checkpoints = sa.Table(
    "audit_checkpoints",
    metadata,
    sa.Column("checkpoint_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("size", sa.BigInteger, nullable=False, index=True),
    sa.Column("root_hash", sa.LargeBinary(32), nullable=False),
    sa.Column("note", sa.Text, nullable=False),
    sa.Column("key_id", sa.String(64), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)

# The witnesses the log asks to cosign its checkpoints (c2sp.org/tlog-witness).
audit_witnesses = sa.Table(
    "audit_witnesses",
    metadata,
    sa.Column("name", sa.String(128), primary_key=True),
    sa.Column("url", sa.String(500), nullable=False),
    sa.Column("vkey", sa.String(500), nullable=False, unique=True),
    sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
)

# Each witness's verified cosignature/v1 line on a checkpoint; `size` is the checkpoint's,
# so the log knows the old size to send that witness next time.
audit_cosignatures = sa.Table(
    "audit_cosignatures",
    metadata,
    sa.Column(
        "checkpoint_id",
        sa.Integer,
        sa.ForeignKey("audit_checkpoints.checkpoint_id"),
        primary_key=True,
    ),
    sa.Column("witness", sa.String(128), sa.ForeignKey("audit_witnesses.name"), primary_key=True),
    sa.Column("size", sa.BigInteger, nullable=False),
    sa.Column("line", sa.Text, nullable=False),
    sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
    sa.Index("ix_audit_cosignatures_witness_size", "witness", "size"),
)
