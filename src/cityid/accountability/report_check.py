"""Checking an access report offline (pure): what `cityid audit verify-report` runs.

A report is JSON: the application id, the signed checkpoint it is proved against, and
one line per audit entry naming the application, each with the entry's exact bytes
(base64), its leaf hash and its RFC 9162 inclusion proof. Every line must:

- decode as a canonical audit entry that names the application,
- hash (RFC 6962 leaf hash) to the leaf hash given,
- prove its inclusion at its index in the checkpoint's tree.

With verifier keys, the checkpoint's signature is checked too; without, only its shape.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from cityid.audit.checkpoint import CheckpointError, parse_and_verify, parse_checkpoint
from cityid.audit.entry import AuditEntryError, decode_entry
from cityid.audit.merkle import leaf_hash
from cityid.audit.verify_proofs import verify_inclusion


@dataclass(frozen=True)
class ReportVerdict:
    ok: bool
    application_id: str | None
    size: int | None
    lines_checked: int
    first_bad_index: int | None
    signature_checked: bool
    message: str


def verify_report(report: Mapping[str, Any], verifier_keys: Iterable[str] = ()) -> ReportVerdict:
    """The verdict on one report document (never raises on bad input: says why)."""
    keys = list(verifier_keys)
    application_id = report.get("application_id")
    note = report.get("checkpoint")
    lines = report.get("lines")
    if not isinstance(application_id, str) or not isinstance(note, str):
        return _bad(None, None, 0, None, bool(keys), "not an access report")
    if not isinstance(lines, list):
        return _bad(application_id, None, 0, None, bool(keys), "the report has no lines")
    try:
        checkpoint = (
            parse_and_verify(note, keys) if keys else parse_checkpoint(note.split("\n\n")[0] + "\n")
        )
    except CheckpointError as error:
        return _bad(application_id, None, 0, None, bool(keys), f"checkpoint: {error.message}")
    for checked, line in enumerate(lines):
        problem = _line_problem(line, application_id, checkpoint.size, checkpoint.root)
        if problem:
            index = line.get("index") if isinstance(line, dict) else None
            bad = index if isinstance(index, int) else None
            return _bad(application_id, checkpoint.size, checked, bad, bool(keys), problem)
    signed = "signature checked" if keys else "signature NOT checked (give --log-vkey)"
    return ReportVerdict(
        ok=True,
        application_id=application_id,
        size=checkpoint.size,
        lines_checked=len(lines),
        first_bad_index=None,
        signature_checked=bool(keys),
        message=f"{len(lines)} accesses proved in the log of {checkpoint.size} entries; {signed}",
    )


def _line_problem(line: object, application_id: str, size: int, root: bytes) -> str | None:
    if not isinstance(line, dict):
        return "a line is not an object"
    index, proof = line.get("index"), line.get("proof")
    if not isinstance(index, int) or not isinstance(proof, list):
        return "a line lacks its index or proof"
    try:
        data = base64.b64decode(str(line.get("entry")), validate=True)
        hashes = [bytes.fromhex(str(node)) for node in proof]
        stated = bytes.fromhex(str(line.get("leaf_hash")))
    except (binascii.Error, ValueError):
        return f"line {index}: not base64 or hex"
    try:
        entry = decode_entry(data)
    except AuditEntryError:
        return f"line {index}: not a canonical audit entry"
    if application_id not in entry.targets:
        return f"line {index}: the entry does not name {application_id}"
    if leaf_hash(data) != stated:
        return f"line {index}: the entry does not hash to its leaf hash"
    if not verify_inclusion(stated, index, size, hashes, root):
        return f"line {index}: the inclusion proof does not verify"
    return None


def _bad(
    application_id: str | None,
    size: int | None,
    checked: int,
    index: int | None,
    signature: bool,
    message: str,
) -> ReportVerdict:
    return ReportVerdict(False, application_id, size, checked, index, signature, message)
