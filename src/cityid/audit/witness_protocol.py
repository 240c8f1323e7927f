"""The add-checkpoint wire format of c2sp.org/tlog-witness, and the witness's refusals.

Request body:

    old <size>\n
    <base64 consistency proof hash>\n      (zero to 63 lines)
    \n
    <signed checkpoint note>

A 409 answer's body is the witness's latest size and a newline, as `text/x.tlog.size`.
Pure: bytes in, values out.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Sequence
from dataclasses import dataclass

from cityid.audit.checkpoint import _b64decode
from cityid.audit.merkle import HASH_SIZE
from cityid.errors import CityIdError

MAX_BODY_BYTES = 64 * 1024
MAX_PROOF_LINES = 63
SIZE_MEDIA_TYPE = "text/x.tlog.size"
_DECIMAL = re.compile(r"0|[1-9][0-9]{0,19}")


class WitnessRefusal(CityIdError):
    """Why a witness does not cosign; `http_status` is what the spec answers."""

    code = "witness_refused"
    http_status = 400


class MalformedRequest(WitnessRefusal):
    code = "malformed"
    http_status = 400


class UnknownLog(WitnessRefusal):
    code = "unknown_log"
    http_status = 404


class BadLogSignature(WitnessRefusal):
    code = "bad_log_signature"
    http_status = 403


class SizeConflict(WitnessRefusal):
    """The old size is not the size this witness last cosigned for the log."""

    code = "size_conflict"
    http_status = 409

    def __init__(self, latest_size: int) -> None:
        super().__init__(f"this witness's latest size for the log is {latest_size}")
        self.latest_size = latest_size


class Inconsistent(WitnessRefusal):
    """The checkpoint does not extend the tree this witness remembers (or a bad proof)."""

    code = "inconsistent"
    http_status = 422


class TooLarge(WitnessRefusal):
    code = "too_large"
    http_status = 413


@dataclass(frozen=True)
class AddCheckpoint:
    old_size: int
    proof: tuple[bytes, ...]
    note: str


def parse_add_checkpoint(body: bytes) -> AddCheckpoint:
    """The request body, parsed; `MalformedRequest` (400) or `TooLarge` (413) otherwise."""
    if len(body) > MAX_BODY_BYTES:
        raise TooLarge(f"an add-checkpoint body is at most {MAX_BODY_BYTES} bytes")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise MalformedRequest("the body is not UTF-8") from None
    head, blank, note = text.partition("\n\n")
    if not blank or not note:
        raise MalformedRequest("the body is an old size line, proof lines, a blank line, a note")
    lines = head.split("\n")
    first = lines[0]
    if not first.startswith("old ") or not _DECIMAL.fullmatch(first[4:]):
        raise MalformedRequest("the first line is 'old <size>', a decimal without leading zeros")
    if len(lines) - 1 > MAX_PROOF_LINES:
        raise MalformedRequest(f"at most {MAX_PROOF_LINES} consistency proof lines")
    proof = []
    for line in lines[1:]:
        node = _b64decode(line)
        if node is None or len(node) != HASH_SIZE:
            raise MalformedRequest("each proof line is one base64 SHA-256 hash")
        proof.append(node)
    return AddCheckpoint(old_size=int(first[4:]), proof=tuple(proof), note=note)


def format_add_checkpoint(old_size: int, proof: Sequence[bytes], note: str) -> bytes:
    """The body a log sends (the inverse of `parse_add_checkpoint`)."""
    lines = [f"old {old_size}", *(base64.b64encode(node).decode("ascii") for node in proof)]
    return ("\n".join(lines) + "\n\n" + note).encode("utf-8")


def format_size(size: int) -> str:
    return f"{size}\n"


def parse_size(body: str) -> int | None:
    """A 409 body's size, or None when it is not one."""
    text = body[:-1] if body.endswith("\n") else body
    return int(text) if _DECIMAL.fullmatch(text) else None
