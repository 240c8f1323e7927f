"""Signed tree heads: C2SP tlog-checkpoint text, signed as a C2SP signed note (Ed25519).

Checkpoint text (c2sp.org/tlog-checkpoint):

    <origin>
    <tree size, decimal, no leading zeros>
    <base64 root hash>
    [extension lines...]

Signed note (c2sp.org/signed-note): the text (ending in a newline), one blank line, then
signature lines "— <key name> <base64(4-byte key id || Ed25519 signature)>", where the key
id is SHA-256(key name || 0x0A || 0x01 || 32-byte public key)[:4]. The verifier key is
"<name>+<8 hex digits of key id>+<base64(0x01 || public key)>", as golang.org/x/mod's
sumdb/note writes it, so Go and transparency-dev tooling check our checkpoints as is.

Signing goes through a keystore `Signer`: the private key never comes here.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from cityid.audit.merkle import HASH_SIZE
from cityid.crypto.interfaces import Signer
from cityid.errors import BadInput, ConfigError

ED25519_TYPE = 0x01
SIGNATURE_PREFIX = "— "  # em dash U+2014, space
MAX_SIGNATURES = 100  # the spec asks verifiers to accept at least 16
_DECIMAL = re.compile(r"0|[1-9][0-9]*")
_HEX8 = re.compile(r"[0-9a-fA-F]{8}")


class CheckpointError(BadInput):
    """A checkpoint or signed note that cannot be trusted."""

    code = "bad_checkpoint"


class MalformedNote(CheckpointError):
    code = "malformed_note"


class BadSignature(CheckpointError):
    """A signature by a known key does not verify: the whole note is rejected."""

    code = "bad_signature"


class UnknownKey(CheckpointError):
    """No signature in the note comes from a key the verifier trusts."""

    code = "unknown_key"


class BadVerifierKey(ConfigError):
    """A configured verifier key string is malformed (a setup problem, not an attack)."""

    code = "bad_verifier_key"


class WrongOrigin(CheckpointError):
    code = "wrong_origin"


@dataclass(frozen=True)
class Checkpoint:
    """A verified tree head: this log (`origin`) had `size` entries with this `root`."""

    origin: str
    size: int
    root: bytes
    extensions: tuple[str, ...] = ()


@dataclass(frozen=True)
class NoteVerifier:
    """One trusted Ed25519 key, parsed from a verifier key string."""

    name: str
    key_id: bytes
    public_key: bytes


# -- keys -------------------------------------------------------------------------------


def is_valid_key_name(name: str) -> bool:
    """Non-empty, no Unicode spaces, no '+' (and, for our notes, no control characters)."""
    return bool(name) and "+" not in name and not any(ch.isspace() or ord(ch) < 0x20 for ch in name)


def key_id(key_name: str, public_raw: bytes) -> bytes:
    """SHA-256(key name || 0x0A || 0x01 || public key)[:4], big-endian uint32 bytes."""
    return hashlib.sha256(
        key_name.encode("utf-8") + b"\n" + bytes([ED25519_TYPE]) + public_raw
    ).digest()[:4]


def verifier_key(key_name: str, public_raw: bytes) -> str:
    """The signed-note verifier key string: "<name>+<hex key id>+<base64(0x01 || key)>"."""
    if not is_valid_key_name(key_name):
        raise BadVerifierKey("a note key name is non-empty, without spaces or '+'")
    if len(public_raw) != 32:
        raise BadVerifierKey("an Ed25519 public key is 32 bytes")
    encoded = base64.b64encode(bytes([ED25519_TYPE]) + public_raw).decode("ascii")
    return f"{key_name}+{key_id(key_name, public_raw).hex()}+{encoded}"


def parse_verifier_key(vkey: str) -> NoteVerifier:
    """Parses and checks a verifier key string (the key id must match name and key)."""
    parts = vkey.split("+", 2)
    if len(parts) != 3:
        raise BadVerifierKey("a verifier key is <name>+<hex key id>+<base64 key>")
    name, id_hex, key_b64 = parts
    if not is_valid_key_name(name) or not _HEX8.fullmatch(id_hex):
        raise BadVerifierKey("a verifier key is <name>+<hex key id>+<base64 key>")
    key_data = _b64decode(key_b64)
    if key_data is None or len(key_data) != 33 or key_data[0] != ED25519_TYPE:
        raise BadVerifierKey("only Ed25519 verifier keys (type 0x01, 32 bytes) are supported")
    public_raw = key_data[1:]
    expected_id = key_id(name, public_raw)
    if bytes.fromhex(id_hex) != expected_id:
        raise BadVerifierKey("the verifier key's id does not match its name and key")
    return NoteVerifier(name=name, key_id=expected_id, public_key=public_raw)


# -- checkpoint text --------------------------------------------------------------------


def format_checkpoint(origin: str, size: int, root: bytes, extensions: Sequence[str] = ()) -> str:
    """The checkpoint note text, ending in a newline."""
    if not origin or _has_control_or_newline(origin):
        raise CheckpointError("a checkpoint origin is one non-empty line")
    if isinstance(size, bool) or not isinstance(size, int) or size < 0:
        raise CheckpointError("a checkpoint size is a non-negative integer")
    if len(root) != HASH_SIZE:
        raise CheckpointError("a checkpoint root is a 32-byte SHA-256 hash")
    for line in extensions:
        if not line or _has_control_or_newline(line):
            raise CheckpointError("checkpoint extension lines are non-empty single lines")
    lines = [origin, str(size), base64.b64encode(root).decode("ascii"), *extensions]
    return "\n".join(lines) + "\n"


def parse_checkpoint(text: str) -> Checkpoint:
    """Parses checkpoint note text (already verified: see `parse_and_verify`)."""
    if not text.endswith("\n"):
        raise MalformedNote("checkpoint text must end with a newline")
    lines = text[:-1].split("\n")
    if len(lines) < 3 or any(not line for line in lines):
        raise MalformedNote("a checkpoint is at least three non-empty lines")
    origin, size_text, root_b64, *extensions = lines
    if not _DECIMAL.fullmatch(size_text):
        raise MalformedNote("checkpoint size is not a decimal without leading zeros")
    root = _b64decode(root_b64)
    if root is None or len(root) != HASH_SIZE:
        raise MalformedNote("checkpoint root is not a base64 32-byte hash")
    return Checkpoint(origin=origin, size=int(size_text), root=root, extensions=tuple(extensions))


# -- signed notes -----------------------------------------------------------------------


def sign_note(text: str, key_name: str, signer: Signer) -> str:
    """The signed note: text, blank line, one Ed25519 signature line by `signer`."""
    if not text.endswith("\n"):
        raise MalformedNote("note text must end with a newline")
    _check_note_characters(text)
    if not is_valid_key_name(key_name):
        raise BadVerifierKey("a note key name is non-empty, without spaces or '+'")
    if signer.algorithm != "Ed25519":
        raise BadVerifierKey("checkpoints are signed with Ed25519 keys only")
    public_raw = signer.public_key_raw()
    signature = signer.sign(text.encode("utf-8"))
    if len(signature) != 64:
        raise BadVerifierKey("the signer did not return a 64-byte Ed25519 signature")
    blob = base64.b64encode(key_id(key_name, public_raw) + signature).decode("ascii")
    return f"{text}\n{SIGNATURE_PREFIX}{key_name} {blob}\n"


def split_note(note: str | bytes) -> tuple[str, list[str]]:
    """A signed note's text (with its final newline) and its signature lines (unchecked,
    but each shaped '— <key name> <base64>'), as c2sp.org/signed-note lays them out."""
    if isinstance(note, bytes):
        try:
            note = note.decode("utf-8")
        except UnicodeDecodeError as error:
            raise MalformedNote("a signed note is UTF-8") from error
    _check_note_characters(note)
    split = note.rfind("\n\n")
    if split < 0:
        raise MalformedNote("a signed note has a blank line before its signatures")
    text, signature_block = note[: split + 1], note[split + 2 :]
    if not signature_block.endswith("\n"):
        raise MalformedNote("a signed note ends with a signature line and a newline")
    lines = signature_block[:-1].split("\n")
    if len(lines) > MAX_SIGNATURES:
        raise MalformedNote(f"a signed note carries at most {MAX_SIGNATURES} signatures")
    for line in lines:
        parse_signature_line(line)
    return text, lines


def open_note(note: str | bytes, verifier_keys: Iterable[str]) -> str:
    """Verifies a signed note and returns its text (with final newline).

    As the spec says: signatures by unknown keys are ignored; a failing signature by a
    known key rejects the note; at least one known key must have signed.
    """
    text, lines = split_note(note)

    known: dict[tuple[str, bytes], NoteVerifier] = {}
    for vkey in verifier_keys:
        verifier = parse_verifier_key(vkey)
        known[(verifier.name, verifier.key_id)] = verifier

    message = text.encode("utf-8")
    verified: set[tuple[str, bytes]] = set()
    for line in lines:
        name, blob = parse_signature_line(line)
        trusted = known.get((name, blob[:4]))
        if trusted is None or (name, blob[:4]) in verified:
            continue  # unknown keys are ignored; a repeated signature adds nothing
        try:
            Ed25519PublicKey.from_public_bytes(trusted.public_key).verify(blob[4:], message)
        except InvalidSignature as error:
            raise BadSignature(f"the signature by {name!r} does not verify") from error
        verified.add((name, blob[:4]))
    if not verified:
        raise UnknownKey("no signature on the note is by a trusted key")
    return text


def parse_and_verify(
    note: str | bytes, verifier_keys: Iterable[str], *, origin: str | None = None
) -> Checkpoint:
    """Verifies a signed checkpoint and returns it; with `origin`, also checks whose it is."""
    checkpoint = parse_checkpoint(open_note(note, verifier_keys))
    if origin is not None and checkpoint.origin != origin:
        raise WrongOrigin("the checkpoint is from another log")
    return checkpoint


def sign_checkpoint(
    origin: str,
    size: int,
    root: bytes,
    signer: Signer,
    *,
    key_name: str | None = None,
    extensions: Sequence[str] = (),
) -> str:
    """Formats and signs in one step; the key name defaults to the origin, as advised."""
    text = format_checkpoint(origin, size, root, extensions)
    return sign_note(text, key_name or origin, signer)


# -- internals --------------------------------------------------------------------------


def parse_signature_line(line: str) -> tuple[str, bytes]:
    """'— <key name> <base64 blob>' as (key name, blob); the blob starts with the key id."""
    if not line.startswith(SIGNATURE_PREFIX):
        raise MalformedNote("a signature line starts with an em dash and a space")
    name, _, blob_b64 = line[len(SIGNATURE_PREFIX) :].partition(" ")
    blob = _b64decode(blob_b64)
    if not is_valid_key_name(name) or not blob_b64 or blob is None or len(blob) < 5:
        raise MalformedNote("a signature line is '— <key name> <base64 signature>'")
    return name, blob


def _check_note_characters(note: str) -> None:
    if any(ord(ch) < 0x20 and ch != "\n" for ch in note):
        raise MalformedNote("a signed note has no control characters but newlines")
    if any(0xD800 <= ord(ch) <= 0xDFFF for ch in note):
        raise MalformedNote("a signed note is valid UTF-8")


def _has_control_or_newline(line: str) -> bool:
    return any(ord(ch) < 0x20 for ch in line)


def _b64decode(text: str) -> bytes | None:
    """Strict standard base64 (RFC 4648 section 4, padded), or None."""
    try:
        return base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError, ValueError):
        return None


__all__ = [
    "BadSignature",
    "BadVerifierKey",
    "Checkpoint",
    "CheckpointError",
    "MalformedNote",
    "NoteVerifier",
    "UnknownKey",
    "WrongOrigin",
    "format_checkpoint",
    "key_id",
    "open_note",
    "parse_and_verify",
    "parse_checkpoint",
    "parse_signature_line",
    "parse_verifier_key",
    "sign_checkpoint",
    "sign_note",
    "split_note",
    "verifier_key",
]
