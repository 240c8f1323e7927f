"""What an outsider checks on a served checkpoint: the log's signature (with its key) and
a quorum of witness cosignatures (with the witness keys they trust). Pure."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from cityid.audit.checkpoint import (
    BadSignature,
    Checkpoint,
    UnknownKey,
    open_note,
    parse_checkpoint,
    split_note,
)
from cityid.audit.cosignature import QuorumResult, check_quorum


@dataclass(frozen=True)
class CheckpointVerdict:
    checkpoint: Checkpoint
    log_signature: str  # "valid", "unchecked" (no log key given), "bad_signature", "unknown_key"
    quorum: QuorumResult

    @property
    def ok(self) -> bool:
        return (
            self.log_signature in ("valid", "unchecked")
            and self.quorum.met
            and not self.quorum.any_bad
        )

    @property
    def message(self) -> str:
        if self.log_signature in ("bad_signature", "unknown_key"):
            return "the log's signature on the checkpoint does not verify with the given key"
        bad = [c.name for c in self.quorum.cosigners if c.status == "bad_signature"]
        if bad:
            return f"a cosignature by {', '.join(bad)} does not verify: reject this checkpoint"
        if not self.quorum.met:
            return (
                f"quorum not met: {self.quorum.valid} of the {len(self.quorum.cosigners)}"
                f" trusted witnesses cosigned, {self.quorum.quorum} needed"
            )
        return (
            f"quorum met: {self.quorum.valid} of the {len(self.quorum.cosigners)}"
            f" trusted witnesses cosigned ({self.quorum.quorum} needed)"
        )


def verify_checkpoint(
    note: str | bytes,
    witness_vkeys: Sequence[str],
    quorum: int,
    log_vkeys: Sequence[str] = (),
) -> CheckpointVerdict:
    """Malformed notes raise `MalformedNote`; everything else is in the verdict."""
    text, _ = split_note(note)
    checkpoint = parse_checkpoint(text)
    log_signature = "unchecked"
    if log_vkeys:
        try:
            open_note(note, log_vkeys)
            log_signature = "valid"
        except BadSignature:
            log_signature = "bad_signature"
        except UnknownKey:
            log_signature = "unknown_key"
    return CheckpointVerdict(checkpoint, log_signature, check_quorum(note, witness_vkeys, quorum))
