"""The certificate of destruction: signed JSON and a PDF of the same facts.

The JSON is signed as a C2SP signed note by the audit log's checkpoint key (purpose
"audit-checkpoint", key name = the log's origin), so anyone holding the key published by
`cityid audit public-key` (or `/audit/checkpoint` tooling) checks it with standard
signed-note code. The note's text is a header line and the canonical JSON (sorted keys,
ASCII, no spaces); the header keeps a certificate from ever reading as a checkpoint.

No personal data: batch id, rule, approver staff ids and roles, counts by class, cohort
key ids, a SHA-256 digest of the sorted destroyed record ids, the audit checkpoint, and
the date the last keystore backup holding the destroyed keys expires.
"""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Iterable, Sequence
from typing import Any

from cityid.audit.checkpoint import CheckpointError, open_note, sign_note
from cityid.crypto.interfaces import Signer
from cityid.errors import BadInput

HEADER = "cityid certificate of destruction v1"
FORMAT = "cityid-certificate-of-destruction/1"


class BadCertificate(BadInput):
    code = "bad_certificate"


def canonical(body: dict[str, Any]) -> str:
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=True)


class IdDigest:
    """SHA-256 over the destroyed record ids in sorted order, one per line."""

    def __init__(self) -> None:
        self._hash = hashlib.sha256()
        self.count = 0

    def update(self, sorted_ids: Iterable[str]) -> None:
        for record_id in sorted_ids:
            self._hash.update(record_id.encode("ascii") + b"\n")
            self.count += 1

    def hexdigest(self) -> str:
        return self._hash.hexdigest()


def digest_of(ids: Iterable[str]) -> str:
    digest = IdDigest()
    digest.update(sorted(ids))
    return digest.hexdigest()


def sign_certificate(body: dict[str, Any], key_name: str, signer: Signer) -> dict[str, Any]:
    """The stored/exported document: the body and its signed note."""
    note = sign_note(f"{HEADER}\n{canonical(body)}\n", key_name, signer)
    return {"format": FORMAT, "certificate": body, "signed_note": note, "key_id": signer.key_id}


def verify_certificate(document: dict[str, Any], verifier_keys: Sequence[str]) -> dict[str, Any]:
    """The certified body if the signed note verifies with one of the keys and matches it."""
    try:
        note = document["signed_note"]
        text = open_note(note, verifier_keys)
    except (KeyError, TypeError):
        raise BadCertificate("not a certificate of destruction") from None
    except CheckpointError as exc:
        raise BadCertificate(
            f"the certificate's signature does not verify: {exc.message}"
        ) from None
    header, _, rest = text.partition("\n")
    if header != HEADER:
        raise BadCertificate("the signed note is not a certificate of destruction")
    body = json.loads(rest)
    if not isinstance(body, dict) or body != document.get("certificate"):
        raise BadCertificate("the certificate's body differs from what was signed")
    return body


def render_pdf(document: dict[str, Any]) -> bytes:
    """A one-page (or longer) PDF of the certificate, drawn with Pillow."""
    from PIL import Image, ImageDraw, ImageFont

    body = document["certificate"]
    lines = _pdf_lines(body, document.get("key_id", ""))
    font = ImageFont.load_default(size=15)
    title_font = ImageFont.load_default(size=24)
    width, height, margin, step = 1240, 1754, 80, 24  # A4 at 150 dpi
    per_page = (height - 2 * margin - 60) // step
    pages = []
    for start in range(0, max(1, len(lines)), per_page):
        page = Image.new("RGB", (width, height), "white")
        draw = ImageDraw.Draw(page)
        draw.text((margin, margin), "Certificate of destruction", fill="black", font=title_font)
        y = margin + 60
        for line in lines[start : start + per_page]:
            draw.text((margin, y), line, fill="black", font=font)
            y += step
        pages.append(page)
    out = io.BytesIO()
    pages[0].save(out, "PDF", resolution=150.0, save_all=True, append_images=pages[1:])
    return out.getvalue()


def _wrap(text: str, width: int = 110) -> list[str]:
    return [text[i : i + width] for i in range(0, len(text), width)] or [""]


def _pdf_lines(body: dict[str, Any], key_id: str) -> list[str]:
    rule = body.get("rule", {})
    lines = [
        f"Program: {body.get('program', '')}",
        f"Batch: {body['batch_id']}   Kind: {rule.get('kind', '')}",
        f"As of: {body.get('as_of', '')}",
        f"Completed: {body.get('completed_at', '')}",
        "",
        "Rule:",
    ]
    for schedule in rule.get("schedules", []):
        lines.append("  " + ", ".join(f"{k}={v}" for k, v in sorted(schedule.items())))
    if rule.get("reason"):
        lines.append(f"  erasure: {rule['reason']}")
    lines += ["", "Approved by:"]
    for approver in body.get("approvers", []):
        lines.append(f"  {approver['role']}: {approver['actor_id']} at {approver['at']}")
    lines += ["", "Records destroyed, by class:"]
    for name, count in sorted(body.get("counts_by_class", {}).items()):
        lines.append(f"  {name}: {count}")
    lines.append(
        f"  total: {body.get('destroyed', 0)}   held back by legal holds: "
        f"{body.get('skipped_held', 0)}"
    )
    lines += ["", "Cohort keys destroyed (cryptographic erase):"]
    lines += [f"  {key}" for key in body.get("cohort_keys_destroyed", [])] or ["  (none)"]
    lines += [
        "",
        "SHA-256 of the sorted destroyed record ids:",
        f"  {body.get('destroyed_ids_sha256', '')}",
        "",
        "Last keystore backup holding these keys expires: "
        f"{body.get('keystore_backup_expires', '')}",
        "",
        "Audit log checkpoint at completion:",
    ]
    for line in str(body.get("audit_checkpoint", {}).get("note", "")).splitlines():
        lines += ["  " + part for part in _wrap(line)]
    lines += [
        "",
        f"Signed as a C2SP signed note by audit key {key_id}.",
        "Verify the JSON form with `cityid retention certificate --verify`.",
    ]
    return [part for line in lines for part in _wrap(line)]
