"""The audit log as a service: checkpoints, proofs, entries, full verification.

The Merkle tree is rebuilt in each process from the stored leaf hashes and topped up
from the database before every use, so workers never serve a stale tree.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa

from cityid.audit.checkpoint import (
    CheckpointError,
    parse_and_verify,
    sign_checkpoint,
    verifier_key,
)
from cityid.audit.merkle import MerkleTree
from cityid.audit.recompute import diagnose
from cityid.audit.results import (
    ConsistencyProof,
    EntryShown,
    InclusionProof,
    LeafEntry,
    Verification,
)
from cityid.audit.tables import (
    audit_checkpoints,
    audit_cosignatures,
    audit_entries,
    audit_head,
)
from cityid.errors import BadInput, NotFound
from cityid.runtime import ProcessService, Runtime
from cityid.store.uow import UnitOfWork
from cityid.vocabulary import CHECKPOINT_PURPOSE

# This process's Merkle tree of the log, topped up from the database before each use.
AUDIT_TREE: ProcessService[MerkleTree] = ProcessService("audit tree", MerkleTree)
LOAD_CHUNK = 100_000


@dataclass(frozen=True)
class StoredCheckpoint:
    """A signed checkpoint; `note` carries the witnesses' cosignature lines after the
    log's own signature (`signed_note` is the note as the log signed it)."""

    size: int
    root: bytes
    note: str
    key_id: str
    created_at: dt.datetime
    checkpoint_id: int | None = None
    cosignatures: tuple[str, ...] = ()

    @property
    def signed_note(self) -> str:
        extra = "".join(f"{line}\n" for line in self.cosignatures)
        return self.note[: len(self.note) - len(extra)] if extra else self.note


def log_size(uow: UnitOfWork) -> int:
    return int(
        uow.conn.execute(sa.select(audit_head.c.size).where(audit_head.c.id == 1)).scalar_one()
    )


def current_tree(runtime: Runtime, uow: UnitOfWork) -> MerkleTree:
    """This process's tree, topped up with every entry committed since it was last used."""
    tree = runtime.services.get(AUDIT_TREE)
    size = log_size(uow)
    while tree.size < size:
        rows = uow.conn.execute(
            sa.select(audit_entries.c.leaf_hash)
            .where(audit_entries.c.idx >= tree.size, audit_entries.c.idx < size)
            .order_by(audit_entries.c.idx)
            .limit(LOAD_CHUNK)
        ).all()
        if not rows:
            break
        tree.extend(b"".join(bytes(row.leaf_hash) for row in rows))
    return tree


def key_name(runtime: Runtime) -> str:
    return runtime.policy.program.checkpoint_origin


def verifier_keys(runtime: Runtime) -> list[str]:
    """Signed-note verifier keys for every checkpoint key, current and retired."""
    name = key_name(runtime)
    return [
        verifier_key(name, key.public_key)
        for key in runtime.keystore.public_keys(CHECKPOINT_PURPOSE)
    ]


def create_checkpoint(runtime: Runtime, uow: UnitOfWork) -> StoredCheckpoint:
    """Sign the tree head as of now and keep it (a new row even if the size is unchanged)."""
    tree = current_tree(runtime, uow)
    size = tree.size
    root = tree.root(size)
    signer = runtime.keystore.signer(CHECKPOINT_PURPOSE)
    note = sign_checkpoint(runtime.policy.program.checkpoint_origin, size, root, signer)
    now = dt.datetime.now(dt.UTC)
    checkpoint_id = uow.conn.execute(
        audit_checkpoints.insert()
        .values(size=size, root_hash=root, note=note, key_id=signer.key_id, created_at=now)
        .returning(audit_checkpoints.c.checkpoint_id)
    ).scalar_one()
    return StoredCheckpoint(size, root, note, signer.key_id, now, int(checkpoint_id))


def latest_checkpoint(uow: UnitOfWork) -> StoredCheckpoint | None:
    """The latest checkpoint, with the cosignatures the witnesses gave it."""
    row = uow.conn.execute(
        sa.select(audit_checkpoints)
        .order_by(audit_checkpoints.c.size.desc(), audit_checkpoints.c.checkpoint_id.desc())
        .limit(1)
    ).first()
    if row is None:
        return None
    return with_cosignatures(
        uow,
        StoredCheckpoint(
            row.size, bytes(row.root_hash), row.note, row.key_id, row.created_at, row.checkpoint_id
        ),
    )


def with_cosignatures(uow: UnitOfWork, checkpoint: StoredCheckpoint) -> StoredCheckpoint:
    """The checkpoint with its stored cosignature lines appended to the signed note."""
    lines = tuple(
        uow.conn.execute(
            sa.select(audit_cosignatures.c.line)
            .where(audit_cosignatures.c.checkpoint_id == checkpoint.checkpoint_id)
            .order_by(audit_cosignatures.c.witness)
        ).scalars()
    )
    signed = checkpoint.signed_note
    note = signed + "".join(f"{line}\n" for line in lines)
    return dataclasses.replace(checkpoint, note=note, cosignatures=lines)


class NotInLog(NotFound):
    """A well-formed position or tree size the log has not reached (yet)."""

    code = "not_in_log"


def _check_size(size: int | None, log: int, what: str) -> int:
    if size is None:
        return log
    if size < 0:
        raise BadInput(f"{what} must be 0 or more")
    if size > log:
        raise NotInLog(f"{what}: the log has {log} entries")
    return size


def signed_size(uow: UnitOfWork) -> int:
    """The size of the latest signed checkpoint: what proofs default to (not the live
    tree, whose head nobody can check yet)."""
    return require_checkpoint(uow).size


def inclusion_proof(runtime: Runtime, index: int, size: int | None = None) -> InclusionProof:
    """Proof of entry `index` in the tree of `size` (default: the latest signed checkpoint)."""
    with UnitOfWork(runtime.engine, read_only=True) as uow:
        tree = current_tree(runtime, uow)
        size = _check_size(signed_size(uow) if size is None else size, tree.size, "size")
        if index < 0:
            raise BadInput("index must be 0 or more")
        if index >= size:
            raise NotInLog(f"no entry {index} in a tree of size {size}")
        proof = tree.inclusion_proof(index, size)
        return InclusionProof(
            index=index,
            size=size,
            leaf_hash=tree.leaf(index).hex(),
            root_hash=tree.root(size).hex(),
            proof=[node.hex() for node in proof],
        )


def consistency_proof(runtime: Runtime, old: int, new: int | None = None) -> ConsistencyProof:
    """Proof from size `old` to `new` (default: the latest signed checkpoint)."""
    with UnitOfWork(runtime.engine, read_only=True) as uow:
        tree = current_tree(runtime, uow)
        new = _check_size(signed_size(uow) if new is None else new, tree.size, "new")
        if old < 0:
            raise BadInput("old must be 0 or more")
        if old > new:
            raise NotInLog(f"no tree of size {old} inside one of size {new}")
        proof = tree.consistency_proof(old, new)
        return ConsistencyProof(
            old=old,
            new=new,
            old_root_hash=tree.root(old).hex(),
            new_root_hash=tree.root(new).hex(),
            proof=[node.hex() for node in proof],
        )


def entries(uow: UnitOfWork, start: int = 0, end: int | None = None) -> list[LeafEntry]:
    """Entries [start, end) as the exact bytes hashed into each leaf (base64)."""
    size = log_size(uow)
    end = size if end is None else min(end, size)
    if start < 0 or start > end:
        raise BadInput("start must be between 0 and end")
    if end - start > 10_000:
        raise BadInput("at most 10,000 entries at a time; page with --start and --end")
    rows = uow.conn.execute(
        sa.select(audit_entries.c.idx, audit_entries.c.entry)
        .where(audit_entries.c.idx >= start, audit_entries.c.idx < end)
        .order_by(audit_entries.c.idx)
    ).all()
    return [LeafEntry(row.idx, base64.b64encode(bytes(row.entry)).decode("ascii")) for row in rows]


def verify(runtime: Runtime) -> Verification:
    """Recompute the whole tree from the entries; check every checkpoint's signature and root.

    Answers `{"ok", "size", "first_bad_index", "reason"}`.
    """
    keys = verifier_keys(runtime)
    origin = runtime.policy.program.checkpoint_origin
    with UnitOfWork(runtime.engine, read_only=True) as uow:
        size = log_size(uow)
        entry_bytes: list[bytes] = []
        stored_leaves = bytearray()
        gap: int | None = None
        rows = uow.conn.execution_options(yield_per=LOAD_CHUNK).execute(
            sa.select(
                audit_entries.c.idx, audit_entries.c.entry, audit_entries.c.leaf_hash
            ).order_by(audit_entries.c.idx)
        )
        for expected, row in enumerate(rows):
            if row.idx != expected and gap is None:
                gap = expected  # an index missing or out of place
            entry_bytes.append(bytes(row.entry))
            stored_leaves += bytes(row.leaf_hash)
        heads: list[tuple[int, bytes]] = []
        bad_signature_at: int | None = None
        for row in uow.conn.execute(
            sa.select(audit_checkpoints).order_by(audit_checkpoints.c.size)
        ):
            try:
                checkpoint = parse_and_verify(row.note, keys, origin=origin)
            except CheckpointError:
                bad_signature_at = row.size if bad_signature_at is None else bad_signature_at
                continue
            if checkpoint.size != row.size or checkpoint.root != bytes(row.root_hash):
                bad_signature_at = row.size if bad_signature_at is None else bad_signature_at
                continue
            heads.append((checkpoint.size, checkpoint.root))
    finding = diagnose(entry_bytes, bytes(stored_leaves), heads)
    candidates = [i for i in (gap, finding.index if finding else None) if i is not None]
    if len(entry_bytes) != size:
        candidates.append(min(len(entry_bytes), size))
    first_bad = min(candidates) if candidates else None
    reason: str | None = finding.reason if finding else ("index_gap" if gap is not None else None)
    if first_bad is None and bad_signature_at is not None:
        reason = "checkpoint_signature"
    return Verification(
        ok=first_bad is None and bad_signature_at is None,
        size=len(entry_bytes),
        first_bad_index=first_bad,
        reason=reason,
        checkpoints_checked=len(heads),
    )


def entry_page(
    uow: UnitOfWork,
    *,
    actor: str | None = None,
    action: str | None = None,
    target: str | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
    limit: int = 100,
) -> list[EntryShown]:
    """Auditors' browsing: newest first, filtered by actor, action, record and dates."""
    from cityid.audit.entry import decode_entry
    from cityid.audit.tables import audit_targets

    query = sa.select(audit_entries.c.idx, audit_entries.c.entry).order_by(
        audit_entries.c.idx.desc()
    )
    if actor:
        query = query.where(audit_entries.c.actor == actor)
    if action:
        query = query.where(audit_entries.c.action.startswith(action, autoescape=True))
    if target:
        query = query.where(
            audit_entries.c.idx.in_(
                sa.select(audit_targets.c.idx).where(audit_targets.c.target == target)
            )
        )
    if since:
        query = query.where(audit_entries.c.at >= dt.datetime.combine(since, dt.time(), dt.UTC))
    if until:
        end = dt.datetime.combine(until + dt.timedelta(days=1), dt.time(), dt.UTC)
        query = query.where(audit_entries.c.at < end)
    rows = uow.conn.execute(query.limit(max(1, min(limit, 1000)))).all()
    page = []
    for row in rows:
        entry = decode_entry(bytes(row.entry))
        page.append(
            EntryShown(
                index=row.idx,
                actor=entry.actor,
                action=entry.action,
                targets=list(entry.targets),
                reason=entry.reason,
                reason_ref=entry.reason_ref,
                at=entry.at.isoformat(),
            )
        )
    return page


def require_checkpoint(uow: UnitOfWork) -> StoredCheckpoint:
    latest = latest_checkpoint(uow)
    if latest is None:
        raise NotFound("no checkpoint has been signed yet")
    return latest
