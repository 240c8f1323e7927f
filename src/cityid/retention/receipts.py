"""A cardholder's destruction receipt: proof that the log records their records' end.

The receipt is the audit entry that destroyed an application's records (its exact
bytes, which name only the application id, the batch and counts), the entry's index, a
signed checkpoint, and the RFC 6962 inclusion proof of the entry in that checkpoint's
tree. Anyone can check it with the log's published verifier key; against a later
checkpoint, a fresh inclusion proof from the log (or the public proof endpoint) does.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from cityid.audit import service as audit_service
from cityid.audit.checkpoint import CheckpointError, parse_and_verify
from cityid.audit.entry import AuditEntryError, decode_entry
from cityid.audit.merkle import leaf_hash
from cityid.audit.verify_proofs import verify_inclusion
from cityid.enrollment.repository import normalise_reference
from cityid.enrollment.tables import applications
from cityid.errors import BadInput, NotFound
from cityid.retention.tables import destruction_receipts
from cityid.runtime import Runtime
from cityid.store.uow import UnitOfWork

FORMAT = "cityid-destruction-receipt/1"
DESTROY_ACTION = "retention.destroy"


class BadReceipt(BadInput):
    code = "bad_receipt"


def receipt_indexes(uow: UnitOfWork, application_id: str) -> list[tuple[int, str]]:
    rows = uow.conn.execute(
        sa.select(destruction_receipts.c.audit_index, destruction_receipts.c.batch_id)
        .where(destruction_receipts.c.application_id == application_id)
        .order_by(destruction_receipts.c.audit_index)
    ).all()
    return [(int(row.audit_index), row.batch_id) for row in rows]


def issue_receipts(runtime: Runtime, application_id: str) -> list[dict[str, Any]]:
    """Every destruction receipt of an application, proven against the latest checkpoint."""
    with UnitOfWork(runtime.engine) as uow:
        found = receipt_indexes(uow, application_id)
        if not found:
            raise NotFound(f"no destruction is recorded for application {application_id}")
        checkpoint = audit_service.latest_checkpoint(uow)
        if checkpoint is None or checkpoint.size <= found[-1][0]:
            checkpoint = audit_service.create_checkpoint(runtime, uow)
            uow.commit()
        entries = {
            index: base64.b64decode(audit_service.entries(uow, index, index + 1)[0]["leaf"])
            for index, _ in found
        }
    receipts = []
    for index, batch_id in found:
        proof = audit_service.inclusion_proof(runtime, index, checkpoint.size)
        receipts.append(
            {
                "format": FORMAT,
                "application_id": application_id,
                "batch_id": batch_id,
                "entry_index": index,
                "entry": base64.b64encode(entries[index]).decode("ascii"),
                "tree_size": checkpoint.size,
                "proof": proof["proof"],
                "checkpoint": checkpoint.note,
            }
        )
    return receipts


def verify_receipt(
    receipt: dict[str, Any],
    verifier_keys: Sequence[str],
    *,
    origin: str | None = None,
    checkpoint_note: str | None = None,
    proof: Sequence[str] | None = None,
) -> dict[str, Any]:
    """Check a receipt; with `checkpoint_note` and `proof`, against that later checkpoint.

    Returns {"ok", "application_id", "batch_id", "entry_index", "tree_size", "destroyed",
    "problem"}. Never raises for a receipt that fails: `ok` is false and `problem` says why.
    """
    out: dict[str, Any] = {"ok": False, "problem": None}
    try:
        application_id = str(receipt["application_id"])
        index = int(receipt["entry_index"])
        entry = base64.b64decode(str(receipt["entry"]), validate=True)
        note = checkpoint_note or str(receipt["checkpoint"])
        path = [bytes.fromhex(p) for p in (proof if proof is not None else receipt["proof"])]
    except (KeyError, TypeError, ValueError):
        out["problem"] = "not a destruction receipt"
        return out
    out.update(application_id=application_id, batch_id=receipt.get("batch_id"), entry_index=index)
    try:
        head = parse_and_verify(note, verifier_keys, origin=origin)
    except CheckpointError as exc:
        out["problem"] = f"the checkpoint does not verify: {exc.message}"
        return out
    out["tree_size"] = head.size
    try:
        decoded = decode_entry(entry)
    except AuditEntryError:
        out["problem"] = "the entry is not an audit entry"
        return out
    if decoded.action != DESTROY_ACTION or application_id not in decoded.targets:
        out["problem"] = "the entry does not record a destruction of this application's records"
        return out
    if not verify_inclusion(leaf_hash(entry), index, head.size, path, head.root):
        out["problem"] = "the entry is not in the signed log (the inclusion proof fails)"
        return out
    out["destroyed"] = {k: v for k, v in decoded.extra.items() if isinstance(v, int)}
    out["destroyed_at"] = decoded.at.isoformat()
    out["ok"] = True
    return out


def verify_against_log(
    runtime: Runtime, receipt: dict[str, Any], *, reference: str | None = None
) -> dict[str, Any]:
    """The public check: the receipt against the log's latest checkpoint, and (if given)
    that the application reference is the receipt's application."""
    keys = audit_service.verifier_keys(runtime)
    origin = runtime.policy.program.checkpoint_origin
    try:
        index = int(receipt["entry_index"])
    except (KeyError, TypeError, ValueError):
        return {"ok": False, "problem": "not a destruction receipt"}
    with UnitOfWork(runtime.engine, read_only=True) as uow:
        latest = audit_service.latest_checkpoint(uow)
        owner = None
        if reference:
            owner = uow.conn.execute(
                sa.select(applications.c.application_id).where(
                    applications.c.reference == normalise_reference(reference)
                )
            ).scalar_one_or_none()
    if latest is None or index >= latest.size:
        return verify_receipt(receipt, keys, origin=origin)
    try:
        fresh = audit_service.inclusion_proof(runtime, index, latest.size)
    except BadInput:
        return {"ok": False, "problem": "the entry index is not in the log"}
    result = verify_receipt(
        receipt, keys, origin=origin, checkpoint_note=latest.note, proof=fresh["proof"]
    )
    if result["ok"] and reference and owner is not None and owner != result["application_id"]:
        return {"ok": False, "problem": "this receipt is for another application"}
    return result
