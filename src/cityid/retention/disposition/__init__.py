"""Disposition batches: plan, two approvals, execution in chunks, cohort keys, certificate.

Execution is a sequence of short transactions, each leaving the database consistent:

1. chunks (`chunks`): lock the holds, read them, take the next chunk of the plan's
   records, skip the held, delete the rest with their tombstones, one audit entry for the
   chunk (the root of a tree with a leaf per application), a receipt row per application,
   and move the batch's cursor, all in one transaction;
2. cohort keys (`cohort_keys`): for every cohort the batch touched, re-wrap the survivors
   (held, or not yet due) under a fresh key and commit that, then destroy the old key in
   the keystore, then mark it destroyed. A key is destroyed only after its rows are gone
   and committed;
3. the certificate (`certify`): a completion entry, a new checkpoint, the signed
   certificate.

Each step is idempotent and the batch row says how far it got, so a process killed at
any moment is resumed by running execute again, and running it twice destroys nothing
twice. The runner (`runner`) owns every step's transaction; the steps only do their work
inside the unit of work they are handed.
"""

from cityid.retention.disposition.approval import approve
from cityid.retention.disposition.batches import (
    APPROVER_ROLES,
    NotApproved,
    certificate_document,
    list_batches,
    summary,
)
from cityid.retention.disposition.planning import ERASURE_REASONS, plan, plan_erasure
from cityid.retention.disposition.runner import execute

__all__ = [
    "APPROVER_ROLES",
    "ERASURE_REASONS",
    "NotApproved",
    "approve",
    "certificate_document",
    "execute",
    "list_batches",
    "plan",
    "plan_erasure",
    "summary",
]
