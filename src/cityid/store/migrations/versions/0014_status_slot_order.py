"""Status list indexes handed out in a random order, not in the order of issue.

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Lists made before keep their first `next_index` slots as they are; the rest of
    # each is shuffled the first time a slot is taken from it.
    op.add_column("card_status_lists", sa.Column("slot_order", sa.LargeBinary, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("card_status_lists") as batch:
        batch.drop_column("slot_order")
