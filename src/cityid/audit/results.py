"""What the audit services answer: proofs, entries, a page of entries, the verification.

Frozen values; the doors turn them into JSON with `cityid.jsonable.to_json`, whose
output is the contract in docs/interface.md: fields are declared in the order of the
JSON keys. Hashes are lowercase hex; entries are the exact bytes hashed, in base64.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class InclusionProof:
    """RFC 9162 inclusion proof of entry `index` in the tree of `size`."""

    index: int
    size: int
    leaf_hash: str
    root_hash: str
    proof: list[str]


@dataclass(frozen=True, slots=True)
class ConsistencyProof:
    """RFC 9162 consistency proof from the tree of size `old` to the tree of size `new`."""

    old: int
    new: int
    old_root_hash: str
    new_root_hash: str
    proof: list[str]


@dataclass(frozen=True, slots=True)
class LeafEntry:
    """One entry as the bytes hashed into its leaf (base64)."""

    index: int
    leaf: str


@dataclass(frozen=True, slots=True)
class Verification:
    """The whole log recomputed: `ok`, or the first bad index and why."""

    ok: bool
    size: int
    first_bad_index: int | None
    reason: str | None
    checkpoints_checked: int


@dataclass(frozen=True, slots=True)
class EntryShown:
    """An entry decoded, for auditors browsing the log."""

    index: int
    actor: str
    action: str
    targets: list[str]
    reason: str | None
    reason_ref: str | None
    at: str
