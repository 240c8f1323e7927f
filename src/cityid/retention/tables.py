"""Retention's tables, and the registry of the record tables retention destroys.

Holds are append-only: a hold row is written once, its life is a list of events
(placed, released), and database triggers (migration 0006) refuse UPDATE and DELETE of
both, so not even an administrator at the SQL prompt can quietly edit or lift a hold.
Nothing here holds personal data: ids, codes, counts, dates of orders, digests.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from cityid.enrollment.tables import applications, document_attestations, document_copies
from cityid.store.schema import metadata

legal_holds = sa.Table(
    "legal_holds",
    metadata,
    sa.Column("hold_id", sa.String(32), primary_key=True),
    sa.Column("authority", sa.String(200), nullable=False),
    sa.Column("docket", sa.String(100), nullable=False),
    sa.Column("order_date", sa.Date, nullable=True),
    # Counsel's words: kept here, never in the audit log.
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("scope", sa.Text, nullable=False),
    sa.Column("placed_by", sa.String(64), nullable=False),
    sa.Column("placed_at", sa.DateTime(timezone=True), nullable=False),
)

legal_hold_events = sa.Table(
    "legal_hold_events",
    metadata,
    sa.Column("event_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("hold_id", sa.String(32), sa.ForeignKey("legal_holds.hold_id"), nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),  # placed | released
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("actor_id", sa.String(64), nullable=False),
    sa.Column("reason", sa.Text, nullable=True),
    sa.UniqueConstraint("hold_id", "kind", name="uq_legal_hold_events_hold_id"),
)

disposition_batches = sa.Table(
    "disposition_batches",
    metadata,
    sa.Column("batch_id", sa.String(32), primary_key=True),
    sa.Column("kind", sa.String(16), nullable=False),  # schedule | erasure
    sa.Column("rule", sa.String(64), nullable=False),
    sa.Column("as_of", sa.Date, nullable=False),
    sa.Column("record_classes", sa.Text, nullable=False),
    sa.Column("application_id", sa.String(32), nullable=True),
    # planned | approved | executing | keys | completed
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("planned_by", sa.String(64), nullable=False),
    sa.Column("planned_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("due", sa.Integer, nullable=False),
    sa.Column("blocked", sa.Integer, nullable=False),
    sa.Column("blocked_by", sa.Text, nullable=False),
    sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
    # Where execution has got to: the last (class rank, record id) handled.
    sa.Column("cursor_rank", sa.Integer, nullable=False),
    sa.Column("cursor_id", sa.String(64), nullable=False),
    sa.Column("chunks", sa.Integer, nullable=False),
    sa.Column("destroyed", sa.Integer, nullable=False),
    sa.Column("skipped_held", sa.Integer, nullable=False),
    sa.Column("absent", sa.Integer, nullable=False),
    sa.Column("counts", sa.Text, nullable=False),
    sa.Column("certificate", sa.Text, nullable=True),
)

disposition_approvals = sa.Table(
    "disposition_approvals",
    metadata,
    sa.Column(
        "batch_id",
        sa.String(32),
        sa.ForeignKey("disposition_batches.batch_id"),
        primary_key=True,
    ),
    sa.Column("actor_id", sa.String(64), primary_key=True),
    sa.Column("role", sa.String(32), nullable=False),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
)

# The plan's snapshot: exactly the records the approvers saw as due.
disposition_items = sa.Table(
    "disposition_items",
    metadata,
    sa.Column("batch_id", sa.String(32), primary_key=True),
    sa.Column("class_rank", sa.Integer, primary_key=True),
    sa.Column("record_id", sa.String(64), primary_key=True),
    sa.Column("record_class", sa.String(32), nullable=False),
    sa.Column("application_id", sa.String(32), nullable=True),
    sa.Column("enrolled_on", sa.Date, nullable=True),
    sa.Column("centre", sa.String(80), nullable=True),
)

# Cohort keys a batch emptied or thinned, and what became of them.
disposition_cohorts = sa.Table(
    "disposition_cohorts",
    metadata,
    sa.Column("batch_id", sa.String(32), primary_key=True),
    sa.Column("cohort_key_id", sa.String(64), primary_key=True),
    sa.Column("record_class", sa.String(32), nullable=False),
    sa.Column("state", sa.String(16), nullable=False),  # pending | destroyed
    sa.Column("survivors_rekeyed", sa.Integer, nullable=False),
    sa.Column("new_key_id", sa.String(64), nullable=True),
)

# What replaces a destroyed record: its id, class, batch and time. Nothing else.
tombstones = sa.Table(
    "tombstones",
    metadata,
    sa.Column("record_id", sa.String(64), primary_key=True),
    sa.Column("record_class", sa.String(32), nullable=False),
    sa.Column("batch_id", sa.String(32), nullable=False, index=True),
    sa.Column("destroyed_at", sa.DateTime(timezone=True), nullable=False),
)

# A cardholder's receipt: which audit entry destroyed their application's records.
destruction_receipts = sa.Table(
    "destruction_receipts",
    metadata,
    sa.Column("application_id", sa.String(32), primary_key=True),
    sa.Column("audit_index", sa.BigInteger, primary_key=True),
    sa.Column("batch_id", sa.String(32), nullable=False),
    # The application's leaf in its chunk entry's tree, and where (None: an entry of its own).
    sa.Column("position", sa.Integer, nullable=True),
    sa.Column("leaf", sa.String(200), nullable=True),
    sa.Index("ix_destruction_receipts_chunk", "audit_index", "position"),
)

legacy_imports = sa.Table(
    "legacy_imports",
    metadata,
    sa.Column("file_digest", sa.String(64), primary_key=True),
    sa.Column("lines_done", sa.Integer, nullable=False),
    sa.Column("imported", sa.Integer, nullable=False),
    sa.Column("invalid", sa.Integer, nullable=False),
    sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
)


@dataclass(frozen=True)
class RecordTable:
    """Where one record class lives, as retention needs to see it.

    `rank` orders execution (children before parents, so a parent's cascade never takes
    a child the batch still has to judge); `cascades` are the classes a deletion takes
    with it through foreign keys, which a hold on any of them must therefore block.
    Enrollment date and centre come from the record's application.
    """

    record_class: str
    rank: int
    table: sa.Table
    id_column: str
    application_column: str
    due_column: str
    cohort_column: str | None
    wrapped_column: str | None
    cascades: tuple[str, ...] = ()

    @property
    def id(self) -> sa.Column[str]:
        return self.table.c[self.id_column]

    @property
    def application_id(self) -> sa.Column[str]:
        return self.table.c[self.application_column]

    @property
    def due_on(self) -> sa.Column[object]:
        return self.table.c[self.due_column]

    @property
    def cohort_key_id(self) -> sa.Column[str] | None:
        return None if self.cohort_column is None else self.table.c[self.cohort_column]

    @property
    def guarded_classes(self) -> tuple[str, ...]:
        return (self.record_class, *self.cascades)


RECORD_TABLES: tuple[RecordTable, ...] = (
    RecordTable(
        "document_copy", 0, document_copies, "copy_id", "application_id", "due_on",
        "cohort_key_id", "wrapped_key",
    ),
    RecordTable(
        "document_attestation", 1, document_attestations, "attestation_id", "application_id",
        "due_on", None, None, cascades=("document_copy",),
    ),
    RecordTable(
        "application", 2, applications, "application_id", "application_id", "due_on",
        "cohort_key_id", "wrapped_key",
        cascades=("document_attestation", "document_copy", "photo"),
    ),
)  # fmt: skip

BY_CLASS = {table.record_class: table for table in RECORD_TABLES}
BY_RANK = {table.rank: table for table in RECORD_TABLES}


def record_table(record_class: str) -> RecordTable | None:
    return BY_CLASS.get(record_class)
