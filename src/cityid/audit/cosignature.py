"""Witness cosignatures on checkpoints: C2SP tlog-cosignature, the Ed25519 `cosignature/v1`.

A cosignature is a signed-note signature line on the checkpoint:

    — <cosigner name> base64(key id || u64 big-endian timestamp || Ed25519 signature)

with key id = SHA-256(name || 0x0A || 0x04 || 32-byte public key)[:4], over the message

    cosignature/v1
    time <timestamp, decimal>
    <the whole checkpoint text, final newline included, no signature lines>

The cosigner's verifier key is "<name>+<hex key id>+base64(0x04 || public key)". A v1
cosignature says: as of that time, the largest consistent tree the cosigner has seen
for this origin has this root. Nothing here does I/O; a witness signs with its own key.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from cityid.audit.checkpoint import (
    _HEX8,
    SIGNATURE_PREFIX,
    BadVerifierKey,
    MalformedNote,
    _b64decode,
    is_valid_key_name,
    parse_signature_line,
    split_note,
)

COSIGNATURE_TYPE = 0x04
HEADER = "cosignature/v1"
MAX_TIMESTAMP = 2**63 - 1
_BLOB_SIZE = 4 + 8 + 64


@dataclass(frozen=True)
class Cosigner:
    """One witness key, parsed from its verifier key string."""

    name: str
    key_id: bytes
    public_key: bytes
    vkey: str


@dataclass(frozen=True)
class Cosignature:
    """One cosignature line, parsed (not yet verified)."""

    name: str
    key_id: bytes
    timestamp: int
    signature: bytes
    line: str


@dataclass(frozen=True)
class CosignerResult:
    """What one trusted witness said about a checkpoint.

    `status`: "valid", "missing" (no line by this key) or "bad_signature" (a line by this
    key that does not verify: per signed-note, the note should then be rejected)."""

    name: str
    vkey: str
    status: str
    timestamp: int | None


@dataclass(frozen=True)
class QuorumResult:
    cosigners: tuple[CosignerResult, ...]
    valid: int
    quorum: int

    @property
    def met(self) -> bool:
        return self.valid >= self.quorum

    @property
    def any_bad(self) -> bool:
        return any(c.status == "bad_signature" for c in self.cosigners)


# -- keys -------------------------------------------------------------------------------


def cosigner_key_id(name: str, public_raw: bytes) -> bytes:
    """SHA-256(name || 0x0A || 0x04 || public key)[:4]."""
    return hashlib.sha256(
        name.encode("utf-8") + b"\n" + bytes([COSIGNATURE_TYPE]) + public_raw
    ).digest()[:4]


def cosigner_vkey(name: str, public_raw: bytes) -> str:
    """ "<name>+<hex key id>+<base64(0x04 || public key)>"."""
    if not is_valid_key_name(name):
        raise BadVerifierKey("a cosigner name is non-empty, without spaces or '+'")
    if len(public_raw) != 32:
        raise BadVerifierKey("an Ed25519 public key is 32 bytes")
    encoded = base64.b64encode(bytes([COSIGNATURE_TYPE]) + public_raw).decode("ascii")
    return f"{name}+{cosigner_key_id(name, public_raw).hex()}+{encoded}"


def cosigner_vkey_for(name: str, private_key: Ed25519PrivateKey) -> str:
    raw = private_key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return cosigner_vkey(name, raw)


def parse_cosigner_vkey(vkey: str) -> Cosigner:
    """Parses a cosigner verifier key (type 0x04); the key id must match name and key."""
    parts = vkey.strip().split("+", 2)
    if len(parts) != 3:
        raise BadVerifierKey("a witness key is <name>+<hex key id>+<base64 key>")
    name, id_hex, key_b64 = parts
    if not is_valid_key_name(name) or not _HEX8.fullmatch(id_hex):
        raise BadVerifierKey("a witness key is <name>+<hex key id>+<base64 key>")
    data = _b64decode(key_b64)
    if data is None or len(data) != 33 or data[0] != COSIGNATURE_TYPE:
        raise BadVerifierKey("a witness key is an Ed25519 cosignature/v1 key (type 0x04, 32 bytes)")
    public_raw = data[1:]
    expected = cosigner_key_id(name, public_raw)
    if bytes.fromhex(id_hex) != expected:
        raise BadVerifierKey("the witness key's id does not match its name and key")
    return Cosigner(name=name, key_id=expected, public_key=public_raw, vkey=vkey.strip())


# -- signing and parsing -----------------------------------------------------------------


def signed_message(checkpoint_text: str, timestamp: int) -> bytes:
    """The bytes a v1 cosignature signs."""
    if not checkpoint_text.endswith("\n"):
        raise MalformedNote("checkpoint text must end with a newline")
    _check_timestamp(timestamp)
    return f"{HEADER}\ntime {timestamp}\n{checkpoint_text}".encode()


def cosign(checkpoint_text: str, name: str, private_key: Ed25519PrivateKey, timestamp: int) -> str:
    """One cosignature line (with its newline) on `checkpoint_text` (the note's text)."""
    if timestamp <= 0:
        raise MalformedNote("a witness cosignature carries a non-zero timestamp")
    raw = private_key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    signature = private_key.sign(signed_message(checkpoint_text, timestamp))
    blob = cosigner_key_id(name, raw) + timestamp.to_bytes(8, "big") + signature
    return f"{SIGNATURE_PREFIX}{name} {base64.b64encode(blob).decode('ascii')}\n"


def parse_cosignature(line: str) -> Cosignature | None:
    """A signature line as a cosignature, or None when it cannot be one (wrong length)."""
    name, blob = parse_signature_line(line.rstrip("\n"))
    if len(blob) != _BLOB_SIZE:
        return None
    timestamp = int.from_bytes(blob[4:12], "big")
    if timestamp > MAX_TIMESTAMP:
        return None
    return Cosignature(name, blob[:4], timestamp, blob[12:], line.rstrip("\n"))


def verify_cosignature(checkpoint_text: str, cosigner: Cosigner, cosignature: Cosignature) -> bool:
    if (cosignature.name, cosignature.key_id) != (cosigner.name, cosigner.key_id):
        return False
    try:
        Ed25519PublicKey.from_public_bytes(cosigner.public_key).verify(
            cosignature.signature, signed_message(checkpoint_text, cosignature.timestamp)
        )
    except InvalidSignature:
        return False
    return True


def check_lines(
    checkpoint_text: str, lines: Iterable[str], cosigners: Sequence[Cosigner]
) -> dict[str, tuple[str, Cosignature | None]]:
    """Per trusted cosigner (by vkey): ("valid"|"missing"|"bad_signature", the line).

    Lines by unknown keys are ignored, as signed-note says; any line by a trusted key that
    does not verify makes that key "bad_signature", even next to a valid one."""
    by_id = {(c.name, c.key_id): c for c in cosigners}
    found: dict[str, tuple[str, Cosignature | None]] = {
        c.vkey: ("missing", None) for c in cosigners
    }
    for line in lines:
        try:
            name, blob = parse_signature_line(line.rstrip("\n"))
        except MalformedNote:
            continue
        cosigner = by_id.get((name, blob[:4]))
        if cosigner is None or found[cosigner.vkey][0] == "bad_signature":
            continue
        parsed = parse_cosignature(line)
        if parsed is None or not verify_cosignature(checkpoint_text, cosigner, parsed):
            found[cosigner.vkey] = ("bad_signature", parsed)
        elif found[cosigner.vkey][0] == "missing":
            found[cosigner.vkey] = ("valid", parsed)
    return found


def check_quorum(note: str | bytes, witness_vkeys: Iterable[str], quorum: int) -> QuorumResult:
    """Which trusted witnesses validly cosigned this signed checkpoint, and is `quorum` met.

    The same key given twice counts once."""
    if quorum < 0:
        raise BadVerifierKey("a quorum is zero or more")
    cosigners: dict[str, Cosigner] = {}
    for vkey in witness_vkeys:
        cosigner = parse_cosigner_vkey(vkey)
        cosigners.setdefault(cosigner.vkey, cosigner)
    text, lines = split_note(note)
    found = check_lines(text, lines, list(cosigners.values()))
    results = tuple(
        CosignerResult(
            name=c.name,
            vkey=c.vkey,
            status=found[c.vkey][0],
            timestamp=(cs.timestamp if (cs := found[c.vkey][1]) is not None else None),
        )
        for c in cosigners.values()
    )
    valid = sum(1 for r in results if r.status == "valid")
    return QuorumResult(cosigners=results, valid=valid, quorum=quorum)


def _check_timestamp(timestamp: int) -> None:
    if isinstance(timestamp, bool) or not 0 <= timestamp <= MAX_TIMESTAMP:
        raise MalformedNote("a cosignature timestamp is between 0 and 2**63 - 1")


__all__ = [
    "COSIGNATURE_TYPE",
    "Cosignature",
    "Cosigner",
    "CosignerResult",
    "QuorumResult",
    "check_lines",
    "check_quorum",
    "cosign",
    "cosigner_key_id",
    "cosigner_vkey",
    "cosigner_vkey_for",
    "parse_cosignature",
    "parse_cosigner_vkey",
    "signed_message",
    "verify_cosignature",
]
