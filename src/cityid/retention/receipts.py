"""A cardholder's destruction receipt: proof that the log records their records' end.

A disposition chunk writes one audit entry, `retention.destroy`, naming only the batch
and counts, and carrying `applications_root`: the RFC 6962 root of a tree with one leaf
per application the chunk destroyed records of, in application id order. A leaf is the
text "<application id> <class>:<count> ...", classes in order, e.g.
"app-6562a0b1c0ffee00d00dfeed document_copy:1".

The receipt (format /2) holds that leaf, its index and proof in the chunk's tree, the
entry's exact bytes and index, a signed checkpoint, and the entry's inclusion proof in
that checkpoint's tree. Checking it is two RFC 9162 inclusion checks: leaf into the
entry's root, entry into the signed log. It shows no other application's id, only
hashes. Anyone can check it with the log's published verifier key; against a later
checkpoint, a fresh inclusion proof from the log (or the public proof endpoint) does.

Batches run before chunk entries had an entry per application, naming it as a target;
their receipts (format /1) are the entry and its inclusion proof, and still verify.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import sqlalchemy as sa

from cityid.audit import service as audit_service
from cityid.audit.checkpoint import CheckpointError, parse_and_verify
from cityid.audit.entry import AuditEntry, AuditEntryError, decode_entry
from cityid.audit.merkle import MerkleTree, leaf_hash
from cityid.audit.verify_proofs import verify_inclusion
from cityid.enrollment.repository import normalise_reference
from cityid.enrollment.tables import applications
from cityid.errors import BadInput, NotFound
from cityid.retention.results import DestructionReceipt, ReceiptCheck, ReceiptFormat
from cityid.retention.tables import destruction_receipts
from cityid.runtime import Runtime
from cityid.store.uow import UnitOfWork

FORMAT = ReceiptFormat.LEAF_IN_CHUNK
FORMAT_ENTRY_PER_APPLICATION = ReceiptFormat.ENTRY_PER_APPLICATION
DESTROY_ACTION = "retention.destroy"

ReceiptDocument = Mapping[str, Any]
"""A receipt as its holder presents it: their JSON, unchecked (anything may be missing,
mistyped or forged), which `verify_receipt` checks field by field."""


class BadReceipt(BadInput):
    code = "bad_receipt"


def destruction_leaf(application_id: str, counts: Mapping[str, int]) -> str:
    """One application's leaf in its chunk's tree: its id, then what of it was destroyed."""
    if len(counts) == 1:  # the usual case: nothing to sort
        ((name, count),) = counts.items()
        return f"{application_id} {name}:{count}"
    return " ".join([application_id, *(f"{name}:{counts[name]}" for name in sorted(counts))])


def parse_leaf(leaf: str) -> tuple[str, dict[str, int]]:
    """(application id, counts by class) of a leaf; ValueError if it is not one."""
    application_id, *parts = leaf.split(" ")
    counts = {}
    for part in parts:
        name, _, count = part.partition(":")
        counts[name] = int(count)
    if not application_id or not counts:
        raise ValueError("not a destruction leaf")
    return application_id, counts


def leaves_tree(leaves: Sequence[str]) -> MerkleTree:
    return MerkleTree.from_leaf_hashes(b"".join(leaf_hash(leaf.encode()) for leaf in leaves))


def leaves_root(leaves: Sequence[str]) -> bytes:
    return leaves_tree(leaves).root()


@dataclass(frozen=True)
class _Found:
    audit_index: int
    batch_id: str
    position: int | None  # None: an entry of its own (format /1)


def receipt_indexes(uow: UnitOfWork, application_id: str) -> list[_Found]:
    receipts = destruction_receipts.c
    rows = uow.conn.execute(
        sa.select(receipts.audit_index, receipts.batch_id, receipts.position)
        .where(receipts.application_id == application_id)
        .order_by(receipts.audit_index)
    ).all()
    return [_Found(int(row.audit_index), row.batch_id, row.position) for row in rows]


def _chunk_leaves(uow: UnitOfWork, audit_index: int) -> list[str]:
    receipts = destruction_receipts.c
    return list(
        uow.conn.execute(
            sa.select(receipts.leaf)
            .where(receipts.audit_index == audit_index)
            .order_by(receipts.position)
        ).scalars()
    )


def issue_receipts(runtime: Runtime, application_id: str) -> list[DestructionReceipt]:
    """Every destruction receipt of an application, proven against the latest checkpoint."""
    with UnitOfWork(runtime.engine) as uow:
        found = receipt_indexes(uow, application_id)
        if not found:
            raise NotFound(f"no destruction is recorded for application {application_id}")
        checkpoint = audit_service.latest_checkpoint(uow)
        if checkpoint is None or checkpoint.size <= found[-1].audit_index:
            checkpoint = audit_service.create_checkpoint(runtime, uow)
            uow.commit()
        entries = {
            f.audit_index: base64.b64decode(
                audit_service.entries(uow, f.audit_index, f.audit_index + 1)[0].leaf
            )
            for f in found
        }
        chunks = {
            f.audit_index: _chunk_leaves(uow, f.audit_index)
            for f in found
            if f.position is not None
        }
    receipts = []
    for f in found:
        proof = audit_service.inclusion_proof(runtime, f.audit_index, checkpoint.size)
        receipt = DestructionReceipt(
            format=FORMAT_ENTRY_PER_APPLICATION,
            application_id=application_id,
            batch_id=f.batch_id,
            entry_index=f.audit_index,
            entry=base64.b64encode(entries[f.audit_index]).decode("ascii"),
            tree_size=checkpoint.size,
            proof=tuple(proof.proof),
            checkpoint=checkpoint.note,
        )
        if f.position is not None:
            leaves = chunks[f.audit_index]
            receipt = replace(
                receipt,
                format=FORMAT,
                leaf=leaves[f.position],
                leaf_index=f.position,
                applications=len(leaves),
                leaf_proof=tuple(h.hex() for h in leaves_tree(leaves).inclusion_proof(f.position)),
            )
        receipts.append(receipt)
    return receipts


NOT_A_RECEIPT = "not a destruction receipt"


def verify_receipt(
    receipt: ReceiptDocument,
    verifier_keys: Sequence[str],
    *,
    origin: str | None = None,
    checkpoint_note: str | None = None,
    proof: Sequence[str] | None = None,
) -> ReceiptCheck:
    """Check a receipt; with `checkpoint_note` and `proof`, against that later checkpoint.

    Never raises for a receipt that fails: `ok` is false and `problem` says why; the
    answer carries the receipt's fields once they parsed, the log's size once its
    checkpoint verified.
    """
    try:
        application_id = str(receipt["application_id"])
        index = int(receipt["entry_index"])
        entry = base64.b64decode(str(receipt["entry"]), validate=True)
        note = checkpoint_note or str(receipt["checkpoint"])
        path = [bytes.fromhex(p) for p in (proof if proof is not None else receipt["proof"])]
    except (KeyError, TypeError, ValueError):
        return ReceiptCheck(ok=False, problem=NOT_A_RECEIPT)
    batch_id = receipt.get("batch_id")
    check = ReceiptCheck(
        ok=False,
        application_id=application_id,
        batch_id=None if batch_id is None else str(batch_id),
        entry_index=index,
    )
    try:
        head = parse_and_verify(note, verifier_keys, origin=origin)
    except CheckpointError as exc:
        return replace(check, problem=f"the checkpoint does not verify: {exc.message}")
    check = replace(check, tree_size=head.size)
    try:
        decoded = decode_entry(entry)
    except AuditEntryError:
        return replace(check, problem="the entry is not an audit entry")
    if receipt.get("format") == FORMAT_ENTRY_PER_APPLICATION:
        destroyed = _entry_names_application(decoded, application_id)
    else:
        destroyed = _leaf_in_entry(receipt, decoded, application_id)
    if isinstance(destroyed, str):
        return replace(check, problem=destroyed)
    if not verify_inclusion(leaf_hash(entry), index, head.size, path, head.root):
        return replace(
            check, problem="the entry is not in the signed log (the inclusion proof fails)"
        )
    return replace(check, ok=True, destroyed=destroyed, destroyed_at=decoded.at.isoformat())


NOT_THIS_DESTRUCTION = "the entry does not record a destruction of this application's records"


def _entry_names_application(decoded: AuditEntry, application_id: str) -> dict[str, int] | str:
    """Format /1: the entry itself names the application. Its counts, or the problem."""
    if decoded.action != DESTROY_ACTION or application_id not in decoded.targets:
        return NOT_THIS_DESTRUCTION
    return {k: v for k, v in decoded.extra.items() if isinstance(v, int)}


def _leaf_in_entry(
    receipt: ReceiptDocument, decoded: AuditEntry, application_id: str
) -> dict[str, int] | str:
    """Format /2: the application's leaf is in the tree whose root the entry carries."""
    try:
        leaf = str(receipt["leaf"])
        position = int(receipt["leaf_index"])
        size = int(receipt["applications"])
        path = [bytes.fromhex(p) for p in receipt["leaf_proof"]]
        owner, destroyed = parse_leaf(leaf)
    except (KeyError, TypeError, ValueError):
        return NOT_A_RECEIPT
    root = decoded.extra.get("applications_root")
    if decoded.action != DESTROY_ACTION or not isinstance(root, str) or owner != application_id:
        return NOT_THIS_DESTRUCTION
    if decoded.extra.get("applications") != size:
        return NOT_THIS_DESTRUCTION
    try:
        expected = bytes.fromhex(root)
    except ValueError:
        return NOT_THIS_DESTRUCTION
    if not verify_inclusion(leaf_hash(leaf.encode()), position, size, path, expected):
        return "the application is not among those the entry destroyed (the leaf proof fails)"
    return destroyed


def verify_against_log(
    runtime: Runtime, receipt: ReceiptDocument, *, reference: str | None = None
) -> ReceiptCheck:
    """The public check: the receipt against the log's latest checkpoint, and (if given)
    that the application reference is the receipt's application."""
    keys = audit_service.verifier_keys(runtime)
    origin = runtime.policy.program.checkpoint_origin
    try:
        index = int(receipt["entry_index"])
    except (KeyError, TypeError, ValueError):
        return ReceiptCheck(ok=False, problem=NOT_A_RECEIPT)
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
    except (BadInput, NotFound):
        return ReceiptCheck(ok=False, problem="the entry index is not in the log")
    result = verify_receipt(
        receipt, keys, origin=origin, checkpoint_note=latest.note, proof=fresh.proof
    )
    if result.ok and reference and owner is not None and owner != result.application_id:
        return ReceiptCheck(ok=False, problem="this receipt is for another application")
    return result


def receipts_in(document: Any) -> list[ReceiptDocument]:
    """The receipts in a pasted document (parsed JSON, anything): one receipt, or
    `issue_receipts`'s {"receipts": [...]} (an application has one per chunk that
    destroyed its records). Each is still unchecked."""
    if isinstance(document, dict) and isinstance(document.get("receipts"), list):
        found = document["receipts"]
        if found and all(isinstance(receipt, dict) for receipt in found):
            return list(found)
        return []
    return [document] if isinstance(document, dict) else []


def verify_all_against_log(
    runtime: Runtime, found: Sequence[ReceiptDocument], *, reference: str | None = None
) -> ReceiptCheck:
    """Every receipt of a document against the log: one answer, with what they destroyed
    added up. Fails if any fails, or if they are not all for the same application."""
    if not found:
        return ReceiptCheck(ok=False, problem=NOT_A_RECEIPT)
    results = [verify_against_log(runtime, receipt, reference=reference) for receipt in found]
    for number, result in enumerate(results, start=1):
        if not result.ok:
            if len(results) > 1:
                return replace(
                    result, problem=f"receipt {number} of {len(results)}: {result.problem}"
                )
            return result
    if len({result.application_id for result in results}) > 1:
        return ReceiptCheck(ok=False, problem="the receipts are for different applications")
    destroyed: dict[str, int] = {}
    for result in results:
        for name, count in (result.destroyed or {}).items():
            destroyed[name] = destroyed.get(name, 0) + count
    return replace(
        results[0],
        batch_id=", ".join(sorted({str(result.batch_id) for result in results})),
        destroyed=dict(sorted(destroyed.items())),
        destroyed_at=max(str(result.destroyed_at) for result in results),
        receipts=len(results),
    )
