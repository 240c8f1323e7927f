"""The witness's rules (c2sp.org/tlog-witness, add-checkpoint), checked in the spec's order:

1. the body parses (400; over 64 KiB: 413) and the note is a checkpoint (400);
2. the origin is a known log (404);
3. a trusted key of that log signed it, and no trusted key's signature fails (403);
4. old size <= checkpoint size (400);
5. old size == the size this witness last cosigned for the log, 0 if none (409, with
   that size);
6. a size-0 checkpoint has the empty root; with old 0 the proof is empty; otherwise the
   proof shows the remembered tree is a prefix of the new one; at equal sizes the roots
   are equal (422).

Only then is the new (size, root) stored, in the same locked step that checked the old
one, and one cosignature/v1 line returned. A refusal changes nothing.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, replace
from pathlib import Path

from cityid.audit.checkpoint import (
    BadSignature,
    CheckpointError,
    MalformedNote,
    UnknownKey,
    is_valid_key_name,
    open_note,
    parse_checkpoint,
    parse_signature_line,
    parse_verifier_key,
    split_note,
)
from cityid.audit.cosignature import cosign, cosigner_vkey_for
from cityid.audit.merkle import EMPTY_ROOT
from cityid.audit.verify_proofs import verify_consistency
from cityid.audit.witness_protocol import (
    BadLogSignature,
    Inconsistent,
    MalformedRequest,
    SizeConflict,
    UnknownLog,
    parse_add_checkpoint,
)
from cityid.errors import BadInput, Refused
from cityid.witness.store import KnownLog, WitnessState, WitnessStore


@dataclass(frozen=True)
class WitnessInfo:
    name: str
    verifier_key: str
    logs: tuple[KnownLog, ...]


@dataclass(frozen=True)
class Cosigned:
    origin: str
    size: int
    lines: str  # the cosignature line(s), each ending in a newline


def init(directory: Path, name: str) -> WitnessInfo:
    if not is_valid_key_name(name):
        raise BadInput("a witness name is non-empty, without spaces or '+' (say example.org/w1)")
    store = WitnessStore.init(directory, name)
    return info(store)


def info(store: WitnessStore) -> WitnessInfo:
    state = store.read()
    return WitnessInfo(
        name=state.name,
        verifier_key=cosigner_vkey_for(state.name, store.private_key()),
        logs=tuple(state.logs.values()),
    )


def add_log(store: WitnessStore, origin: str, vkey: str) -> KnownLog:
    """Trust `vkey` for `origin`; a second key for a known origin is added (rotation)."""
    if not origin or any(ord(ch) < 0x20 for ch in origin):
        raise BadInput("a log origin is one non-empty line")
    parse_verifier_key(vkey)  # an Ed25519 signed-note key, or BadVerifierKey

    def decide(state: WitnessState) -> tuple[WitnessState, KnownLog]:
        known = state.logs.get(origin)
        if known is None:
            log = KnownLog(origin=origin, vkeys=(vkey,))
        elif vkey in known.vkeys:
            raise Refused("this witness already trusts that key for that log")
        else:
            log = replace(known, vkeys=(*known.vkeys, vkey))
        return state.with_log(log), log

    return store.update(decide)


def add_checkpoint(store: WitnessStore, body: bytes, *, now: int | None = None) -> Cosigned:
    """One add-checkpoint request: the cosignature, or a `WitnessRefusal` and no change."""
    request = parse_add_checkpoint(body)
    try:
        text, lines = split_note(request.note)
        claimed = parse_checkpoint(text)
    except MalformedNote as error:
        raise MalformedRequest(f"the checkpoint: {error.message}") from None
    key = store.private_key()
    timestamp = int(time.time()) if now is None else now

    def decide(state: WitnessState) -> tuple[WitnessState, Cosigned]:
        log = state.logs.get(claimed.origin)
        if log is None:
            raise UnknownLog("this witness does not know that log")
        try:
            open_note(request.note, log.vkeys)
        except (BadSignature, UnknownKey):
            raise BadLogSignature("the checkpoint is not signed by the log's key") from None
        except CheckpointError as error:
            raise MalformedRequest(f"the checkpoint: {error.message}") from None
        if request.old_size > claimed.size:
            raise MalformedRequest("the old size is larger than the checkpoint's size")
        if request.old_size != log.size:
            raise SizeConflict(log.size)
        if claimed.size == 0 and claimed.root != EMPTY_ROOT:
            raise Inconsistent("a checkpoint of size 0 has the empty tree's root")
        if request.old_size == 0 and request.proof:
            raise Inconsistent("from size 0 the consistency proof is empty")
        if not verify_consistency(log.size, claimed.size, log.root, claimed.root, request.proof):
            raise Inconsistent(
                "the checkpoint does not extend the tree this witness cosigned"
                if log.size == claimed.size or not request.proof
                else "the consistency proof does not verify"
            )
        line = cosign(text, state.name, key, timestamp)
        log_lines = _trusted_lines(lines, log.vkeys)
        note = text + "\n" + "".join(f"{sig}\n" for sig in log_lines) + line
        updated = replace(log, size=claimed.size, root=claimed.root, checkpoint=note)
        return state.with_log(updated), Cosigned(claimed.origin, claimed.size, line)

    return store.update(decide)


def latest_checkpoint(store: WitnessStore, origin_hash: str) -> str | None:
    """The monitoring view: the latest note this witness cosigned for the log whose
    origin hashes (SHA-256, lowercase hex) to `origin_hash`."""
    for log in store.read().logs.values():
        if hashlib.sha256(log.origin.encode("utf-8")).hexdigest() == origin_hash:
            return log.checkpoint
    return None


def _trusted_lines(lines: list[str], vkeys: tuple[str, ...]) -> list[str]:
    ids = {(v.name, v.key_id) for v in map(parse_verifier_key, vkeys)}
    kept = []
    for line in lines:
        name, blob = parse_signature_line(line)
        if (name, blob[:4]) in ids:
            kept.append(line)
    return kept
