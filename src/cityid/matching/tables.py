"""Matching's tables: stored encodings (pseudonymous), their sequence head, the review queue.

`match_encodings` holds keyed Bloom filters and keyed blocking tokens only: nothing in it
can be read back into a name without the match key. Every change to a row takes the next
`seq` from `match_head` (bumping that one row locks it until commit, as the audit head
does), so seqs commit in order and a process that has applied every row up to its
`max_seq` has seen every committed change up to there.

`review_items` are the investigators' queue: a pair of application ids (or one, for
counting signals), the kind of signal, a score, reason codes, and the decision. No
personal data: the console opens the applications themselves, audited, to show them.
"""

from __future__ import annotations

import sqlalchemy as sa

from cityid.store.schema import metadata

match_head = sa.Table(
    "match_head",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("seq", sa.BigInteger, nullable=False),
)

match_encodings = sa.Table(
    "match_encodings",
    metadata,
    sa.Column("application_id", sa.String(32), primary_key=True),
    # NULL once removed: a record that left the register keeps no encoding.
    sa.Column("bits", sa.LargeBinary, nullable=True),
    sa.Column("blocks", sa.LargeBinary, nullable=False),  # 16-byte keyed tokens, concatenated
    sa.Column("seq", sa.BigInteger, nullable=False, unique=True),
    sa.Column("key_id", sa.String(64), nullable=False, index=True),
    sa.Column("removed", sa.Boolean, nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
)

review_items = sa.Table(
    "review_items",
    metadata,
    sa.Column("item_id", sa.String(32), primary_key=True),
    sa.Column("application_id", sa.String(32), nullable=False, index=True),
    sa.Column("other_application_id", sa.String(32), nullable=True, index=True),
    # possible_duplicate | document_reuse | address_velocity | clerk_velocity | mrz_failure
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("score", sa.Float, nullable=True),
    sa.Column("reasons", sa.Text, nullable=False),  # JSON list of reason codes
    sa.Column("source", sa.String(16), nullable=False),  # intake | dedupe
    sa.Column("status", sa.String(16), nullable=False, index=True),  # open | decided
    sa.Column("decision", sa.String(16), nullable=True),
    sa.Column("decided_by", sa.String(64), nullable=True),
    sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, index=True),
    sa.UniqueConstraint(
        "application_id", "other_application_id", "kind", name="uq_review_items_pair_kind"
    ),
)
