"""Retention: legal holds (append-only), disposition batches, tombstones, receipts, imports.

Revision ID: 0006
Revises: 0004
Create Date: 2026-11-21

Holds can never be edited or deleted: triggers refuse UPDATE and DELETE on
`legal_holds` and `legal_hold_events`. A hold's status is its events (placed,
released), each written once.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0004"
branch_labels = None
depends_on = None

APPEND_ONLY = ("legal_holds", "legal_hold_events")
_PG_FUNCTION = """
CREATE OR REPLACE FUNCTION cityid_refuse_hold_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'legal holds are append-only: % on % refused', TG_OP, TG_TABLE_NAME;
END;
$$ LANGUAGE plpgsql
"""


def _append_only_triggers() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_PG_FUNCTION)
        for table in APPEND_ONLY:
            op.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION cityid_refuse_hold_change()"
            )
        return
    for table in APPEND_ONLY:
        for action in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER {table}_no_{action.lower()} BEFORE {action} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, 'legal holds are append-only: {action} refused'); END"
            )


def _legal_holds() -> None:
    op.create_table(
        "legal_holds",
        sa.Column("hold_id", sa.String(32), primary_key=True),
        sa.Column("authority", sa.String(200), nullable=False),
        sa.Column("docket", sa.String(100), nullable=False),
        sa.Column("order_date", sa.Date, nullable=True),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("scope", sa.Text, nullable=False),
        sa.Column("placed_by", sa.String(64), nullable=False),
        sa.Column("placed_at", sa.DateTime(timezone=True), nullable=False),
    )


def _legal_hold_events() -> None:
    op.create_table(
        "legal_hold_events",
        sa.Column("event_id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "hold_id",
            sa.String(32),
            sa.ForeignKey("legal_holds.hold_id", name="fk_legal_hold_events_hold_id_legal_holds"),
            nullable=False,
        ),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.String(64), nullable=False),
        sa.Column("reason", sa.Text, nullable=True),
        sa.UniqueConstraint("hold_id", "kind", name="uq_legal_hold_events_hold_id"),
    )


def _disposition_batches() -> None:
    op.create_table(
        "disposition_batches",
        sa.Column("batch_id", sa.String(32), primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("rule", sa.String(64), nullable=False),
        sa.Column("as_of", sa.Date, nullable=False),
        sa.Column("record_classes", sa.Text, nullable=False),
        sa.Column("application_id", sa.String(32), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("planned_by", sa.String(64), nullable=False),
        sa.Column("planned_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due", sa.Integer, nullable=False),
        sa.Column("blocked", sa.Integer, nullable=False),
        sa.Column("blocked_by", sa.Text, nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cursor_rank", sa.Integer, nullable=False),
        sa.Column("cursor_id", sa.String(64), nullable=False),
        sa.Column("chunks", sa.Integer, nullable=False),
        sa.Column("destroyed", sa.Integer, nullable=False),
        sa.Column("skipped_held", sa.Integer, nullable=False),
        sa.Column("absent", sa.Integer, nullable=False),
        sa.Column("counts", sa.Text, nullable=False),
        sa.Column("certificate", sa.Text, nullable=True),
    )


def _disposition_approvals() -> None:
    op.create_table(
        "disposition_approvals",
        sa.Column(
            "batch_id",
            sa.String(32),
            sa.ForeignKey(
                "disposition_batches.batch_id",
                name="fk_disposition_approvals_batch_id_disposition_batches",
            ),
            primary_key=True,
        ),
        sa.Column("actor_id", sa.String(64), primary_key=True),
        sa.Column("role", sa.String(32), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )


def _disposition_items() -> None:
    op.create_table(
        "disposition_items",
        sa.Column("batch_id", sa.String(32), primary_key=True),
        sa.Column("class_rank", sa.Integer, primary_key=True),
        sa.Column("record_id", sa.String(64), primary_key=True),
        sa.Column("record_class", sa.String(32), nullable=False),
        sa.Column("application_id", sa.String(32), nullable=True),
        sa.Column("enrolled_on", sa.Date, nullable=True),
        sa.Column("centre", sa.String(80), nullable=True),
    )


def _disposition_cohorts() -> None:
    op.create_table(
        "disposition_cohorts",
        sa.Column("batch_id", sa.String(32), primary_key=True),
        sa.Column("cohort_key_id", sa.String(64), primary_key=True),
        sa.Column("record_class", sa.String(32), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("survivors_rekeyed", sa.Integer, nullable=False),
        sa.Column("new_key_id", sa.String(64), nullable=True),
    )


def _tombstones() -> None:
    op.create_table(
        "tombstones",
        sa.Column("record_id", sa.String(64), primary_key=True),
        sa.Column("record_class", sa.String(32), nullable=False),
        sa.Column("batch_id", sa.String(32), nullable=False),
        sa.Column("destroyed_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_tombstones_batch_id", "tombstones", ["batch_id"])


def _destruction_receipts() -> None:
    op.create_table(
        "destruction_receipts",
        sa.Column("application_id", sa.String(32), primary_key=True),
        sa.Column("audit_index", sa.BigInteger, primary_key=True),
        sa.Column("batch_id", sa.String(32), nullable=False),
    )


def _legacy_imports() -> None:
    op.create_table(
        "legacy_imports",
        sa.Column("file_digest", sa.String(64), primary_key=True),
        sa.Column("lines_done", sa.Integer, nullable=False),
        sa.Column("imported", sa.Integer, nullable=False),
        sa.Column("invalid", sa.Integer, nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
    )


def upgrade() -> None:
    _legal_holds()
    _legal_hold_events()
    _disposition_batches()
    _disposition_approvals()
    _disposition_items()
    _disposition_cohorts()
    _tombstones()
    _destruction_receipts()
    _legacy_imports()
    _append_only_triggers()


def downgrade() -> None:
    for table in (
        "legacy_imports", "destruction_receipts", "tombstones", "disposition_cohorts",
        "disposition_items", "disposition_approvals", "disposition_batches",
        "legal_hold_events", "legal_holds",
    ):  # fmt: skip
        op.drop_table(table)
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS cityid_refuse_hold_change()")
