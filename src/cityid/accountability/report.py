""" "Who looked at my record": every audit entry naming one application, with proofs.

The log holds no personal data, only the opaque application id, so the report is the
list of entries naming that id. Each line says when, which office and role, which
purpose (never a staff member's name) and carries the entry bytes, its index and its
inclusion proof against a signed checkpoint, so `cityid audit verify-report` (or any
RFC 9162 verifier) can check it without trusting the city.
"""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from cityid.accountability import centres
from cityid.accountability.access_kinds import KIND_WORDS, AccessKind, kind_of
from cityid.audit import log as audit_log
from cityid.audit import service as audit_service
from cityid.audit.checkpoint import sign_checkpoint
from cityid.audit.entry import ExtraValue, decode_entry
from cityid.audit.merkle import MerkleTree
from cityid.audit.tables import audit_checkpoints, audit_entries, audit_targets
from cityid.enrollment.lookup import APPLICANT_SELF
from cityid.enrollment.tables import applications
from cityid.errors import NotFound
from cityid.runtime import Runtime
from cityid.staff.actor import Actor
from cityid.staff.permissions import authorize
from cityid.store.uow import UnitOfWork
from cityid.vocabulary import CHECKPOINT_PURPOSE

MAX_LINES = 5_000


@dataclass(frozen=True)
class AccessLine:
    index: int
    at: str
    action: str
    kind: AccessKind
    what: str
    office: str | None
    role: str
    purpose: str
    reference: str | None
    entry: str  # base64 of the exact bytes hashed into the leaf
    leaf_hash: str
    proof: list[str]


@dataclass(frozen=True)
class AccessReport:
    application_id: str
    checkpoint: str
    size: int
    root_hash: str
    lines: list[AccessLine]


def report_for_application(
    uow: UnitOfWork, runtime: Runtime, actor: Actor, application_id: str, *, desk: bool = True
) -> AccessReport:
    """The report, proved against a checkpoint signed now, in the caller's unit of work.

    The checkpoint covers the committed log (read apart from `uow`, so entries this
    unit of work has not committed yet never reach the process's tree); those entries,
    and the report's own, show in the next report. `desk=False` is the resident's own
    report (at /me/), for which the caller has checked who is asking.
    """
    if desk:
        authorize(runtime.policy, actor, "access.report")
    _require_application(uow, application_id)
    checkpoint, tree = _sign_committed(runtime, uow)
    rows = _entries_naming(uow, application_id, checkpoint.size)
    who = centres.offices(uow, sorted({row.actor for row in rows}))
    lines = [_line(tree, row, who, checkpoint.size) for row in rows]
    audit_log.append(
        uow, actor, "access.report", [application_id], reason="desk" if desk else "resident"
    )
    return AccessReport(
        application_id, checkpoint.note, checkpoint.size, checkpoint.root.hex(), lines
    )


def _sign_committed(
    runtime: Runtime, uow: UnitOfWork
) -> tuple[audit_service.StoredCheckpoint, MerkleTree]:
    """A checkpoint of the log as committed, kept in `uow`, and the tree it is of."""
    with UnitOfWork(runtime.engine, read_only=True) as view:
        tree = audit_service.current_tree(runtime, view)
    size = tree.size
    root = tree.root(size)
    signer = runtime.keystore.signer(CHECKPOINT_PURPOSE)
    note = sign_checkpoint(runtime.policy.program.checkpoint_origin, size, root, signer)
    uow.conn.execute(
        audit_checkpoints.insert().values(
            size=size, root_hash=root, note=note, key_id=signer.key_id, created_at=audit_log.now()
        )
    )
    return audit_service.StoredCheckpoint(size, root, note, signer.key_id, audit_log.now()), tree


def _require_application(uow: UnitOfWork, application_id: str) -> None:
    found = uow.conn.execute(
        sa.select(applications.c.application_id).where(
            applications.c.application_id == application_id
        )
    ).first()
    if found is None:
        raise NotFound(f"no application {application_id}")


def _entries_naming(uow: UnitOfWork, application_id: str, size: int) -> list[Any]:
    return list(
        uow.conn.execute(
            sa.select(audit_entries.c.idx, audit_entries.c.entry, audit_entries.c.actor)
            .where(
                audit_entries.c.idx.in_(
                    sa.select(audit_targets.c.idx).where(audit_targets.c.target == application_id)
                ),
                audit_entries.c.idx < size,
            )
            .order_by(audit_entries.c.idx)
            .limit(MAX_LINES)
        ).all()
    )


def _line(
    tree: MerkleTree,
    row: Any,
    who: dict[str, tuple[str, str | None]],
    size: int,
) -> AccessLine:
    data = bytes(row.entry)
    entry = decode_entry(data)
    role, office = _role_and_office(entry.actor, entry.extra, who)
    proof = [node.hex() for node in tree.inclusion_proof(row.idx, size)]
    return AccessLine(
        index=row.idx,
        at=entry.at.astimezone(dt.UTC).isoformat(timespec="seconds"),
        action=entry.action,
        kind=kind_of(entry.action),
        what=KIND_WORDS[kind_of(entry.action)],
        office=office,
        role=role,
        purpose=entry.reason,
        reference=entry.reason_ref,
        entry=base64.b64encode(data).decode("ascii"),
        leaf_hash=tree.leaf(row.idx).hex(),
        proof=proof,
    )


def _role_and_office(
    actor_id: str, extra: Mapping[str, ExtraValue], who: dict[str, tuple[str, str | None]]
) -> tuple[str, str | None]:
    """From the entry itself when it says (reads do), else the account as it is now."""
    role, office = extra.get("role"), extra.get("office")
    if isinstance(role, str):
        return role, office if isinstance(office, str) else None
    if actor_id == APPLICANT_SELF.user_id:
        return "resident", None
    if actor_id in who:
        return who[actor_id]
    return "system", None
