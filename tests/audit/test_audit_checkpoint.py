"""Checkpoints as C2SP signed notes, checked against the spec and Go's sumdb/note."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from cityid.audit.checkpoint import (
    BadSignature,
    BadVerifierKey,
    Checkpoint,
    MalformedNote,
    UnknownKey,
    WrongOrigin,
    format_checkpoint,
    key_id,
    open_note,
    parse_and_verify,
    parse_checkpoint,
    sign_checkpoint,
    sign_note,
    verifier_key,
)
from cityid.audit.merkle import MerkleTree
from cityid.errors import CityIdError


class InTestSigner:
    """The keystore's `Signer` protocol over a throw-away Ed25519 key."""

    def __init__(self, private: Ed25519PrivateKey | None = None) -> None:
        self._private = private or Ed25519PrivateKey.generate()

    @property
    def key_id(self) -> str:
        return "audit-test"

    @property
    def algorithm(self) -> str:
        return "Ed25519"

    def sign(self, message: bytes) -> bytes:
        return self._private.sign(message)

    def public_key_raw(self) -> bytes:
        return self._private.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )


ORIGIN = "idnyc.example/audit"


@pytest.fixture
def signer() -> InTestSigner:
    return InTestSigner()


@pytest.fixture
def vkey(signer: InTestSigner) -> str:
    return verifier_key(ORIGIN, signer.public_key_raw())


def signed(signer: InTestSigner, size: int = 3, extensions: tuple[str, ...] = ()) -> str:
    tree = MerkleTree.from_entries([b"a", b"b", b"c", b"d"])
    return sign_checkpoint(ORIGIN, size, tree.root(size), signer, extensions=extensions)


def test_go_sumdb_note_example_is_reproduced_byte_for_byte() -> None:
    # The worked example in golang.org/x/mod/sumdb/note: same key, same text, same note.
    skey_data = base64.b64decode("AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz")
    go_signer = InTestSigner(Ed25519PrivateKey.from_private_bytes(skey_data[1:]))
    text = (
        "If you think cryptography is the answer to your problem,\n"
        "then you don't know what your problem is.\n"
    )
    go_vkey = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
    go_note = (
        text + "\n— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNX"
        "gKvqfqdngotpRZb6KE6RyyBwJnAM=\n"
    )
    assert verifier_key("PeterNeumann", go_signer.public_key_raw()) == go_vkey
    assert sign_note(text, "PeterNeumann", go_signer) == go_note
    assert open_note(go_note, [go_vkey]) == text


def test_key_id_is_the_first_four_bytes_of_the_spec_hash(signer: InTestSigner) -> None:
    public = signer.public_key_raw()
    expected = hashlib.sha256(ORIGIN.encode() + b"\n" + b"\x01" + public).digest()[:4]
    assert key_id(ORIGIN, public) == expected
    name, id_hex, key_b64 = verifier_key(ORIGIN, public).split("+", 2)
    assert (name, id_hex) == (ORIGIN, expected.hex())
    assert base64.b64decode(key_b64) == b"\x01" + public
    note = signed(signer)
    signature_line = note.splitlines()[-1]
    assert signature_line.startswith("\u2014 " + ORIGIN + " ")
    blob = base64.b64decode(signature_line.rsplit(" ", 1)[1])
    assert blob[:4] == expected and len(blob) == 68


def test_checkpoint_text_is_the_c2sp_layout() -> None:
    root = bytes(range(32))
    text = format_checkpoint(ORIGIN, 20852163, root, ["ext one"])
    assert text == f"{ORIGIN}\n20852163\n{base64.b64encode(root).decode()}\next one\n"
    # The spec's own example parses.
    example = (
        "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
    )
    parsed = parse_checkpoint(example)
    assert (parsed.origin, parsed.size, len(parsed.root)) == (
        "example.com/behind-the-sofa",
        20852163,
        32,
    )
    assert format_checkpoint(parsed.origin, parsed.size, parsed.root) == example


def test_sign_then_verify_round_trip(signer: InTestSigner, vkey: str) -> None:
    tree = MerkleTree.from_entries([b"a", b"b", b"c"])
    note = sign_checkpoint(ORIGIN, 3, tree.root(), signer, extensions=("cosigned-by-nobody",))
    checkpoint = parse_and_verify(note, [vkey], origin=ORIGIN)
    assert checkpoint == Checkpoint(ORIGIN, 3, tree.root(), ("cosigned-by-nobody",))
    assert parse_and_verify(note.encode(), [vkey]).size == 3
    empty = sign_checkpoint(ORIGIN, 0, MerkleTree().root(), signer)
    assert parse_and_verify(empty, [vkey]).size == 0


def _replace_line(note: str, number: int, new: str) -> str:
    lines = note.split("\n")
    lines[number] = new
    return "\n".join(lines)


def test_tampered_size_root_or_signature_is_rejected(signer: InTestSigner, vkey: str) -> None:
    note = signed(signer, size=3)
    other_root = base64.b64encode(MerkleTree.from_entries([b"x"]).root()).decode()
    for tampered in (
        _replace_line(note, 1, "4"),
        _replace_line(note, 2, other_root),
        _replace_line(note, 0, "idnyc.example/other"),
    ):
        with pytest.raises(BadSignature):
            parse_and_verify(tampered, [vkey])
    signature_line = note.split("\n")[-2]
    blob = bytearray(base64.b64decode(signature_line.rsplit(" ", 1)[1]))
    blob[10] ^= 0x01
    bad_line = signature_line.rsplit(" ", 1)[0] + " " + base64.b64encode(bytes(blob)).decode()
    with pytest.raises(BadSignature) as caught:
        parse_and_verify(note.replace(signature_line, bad_line), [vkey])
    assert isinstance(caught.value, CityIdError)


def test_unknown_keys_are_ignored_but_one_trusted_signature_is_required(
    signer: InTestSigner, vkey: str
) -> None:
    note = signed(signer)
    stranger = InTestSigner()
    stranger_vkey = verifier_key("witness.example", stranger.public_key_raw())
    with pytest.raises(UnknownKey):
        parse_and_verify(note, [stranger_vkey])
    with pytest.raises(UnknownKey):
        parse_and_verify(note, [])
    # A second signature from a key we do not know changes nothing.
    cosigned = (
        note + sign_note(note.split("\n\n")[0] + "\n", "witness.example", stranger).split("\n\n")[1]
    )
    assert parse_and_verify(cosigned, [vkey]).size == 3
    assert parse_and_verify(cosigned, [stranger_vkey]).size == 3
    # Same name, another key: its id differs, so it is unknown, not a bad signature.
    impostor = verifier_key(ORIGIN, InTestSigner().public_key_raw())
    with pytest.raises(UnknownKey):
        parse_and_verify(note, [impostor])


@pytest.mark.parametrize(
    "mangle",
    [
        lambda n: n.replace("\n\n", "\n"),  # no blank line before the signatures
        lambda n: n[:-1],  # no final newline
        lambda n: n.replace("\u2014 ", "- "),  # hyphen for em dash
        lambda n: n.replace("\n3\n", "\n03\n"),  # leading zero
        lambda n: n.replace("\n3\n", "\n+3\n"),
        lambda n: n.replace("\n3\n", "\n\u0663\n"),  # an Arabic-Indic digit three
        lambda n: n.replace(ORIGIN, ORIGIN + "\t", 1),  # control character
        lambda n: n.rstrip("\n").rstrip("=") + "\n",  # unpadded base64
        lambda n: n + "\n",  # trailing blank line
    ],
)
def test_malformed_notes_are_rejected(
    signer: InTestSigner, vkey: str, mangle: Callable[..., Any]
) -> None:
    with pytest.raises((MalformedNote, BadSignature)):
        parse_and_verify(mangle(signed(signer)), [vkey])


def test_structural_errors_are_malformed_not_signature_errors(
    signer: InTestSigner, vkey: str
) -> None:
    note = signed(signer)
    for bad in (note.replace("\n\n", "\n"), note[:-1], note.replace("\u2014 ", "- ")):
        with pytest.raises(MalformedNote):
            parse_and_verify(bad, [vkey])
    # A validly signed text that is not a checkpoint is refused after verification.
    two_lines = sign_note(f"{ORIGIN}\n3\n", ORIGIN, signer)
    with pytest.raises(MalformedNote):
        parse_and_verify(two_lines, [vkey])


def test_wrong_origin_is_refused(signer: InTestSigner, vkey: str) -> None:
    with pytest.raises(WrongOrigin):
        parse_and_verify(signed(signer), [vkey], origin="other.example/log")


def test_bad_verifier_keys_are_refused(signer: InTestSigner, vkey: str) -> None:
    name, id_hex, key_b64 = vkey.split("+", 2)
    wrong_id = f"{int(id_hex, 16) ^ 1:08x}"
    type_two = base64.b64encode(bytes([2]) + signer.public_key_raw()).decode()
    for bad in (
        f"{name}+{wrong_id}+{key_b64}",
        f"{name}+{id_hex}",
        f"{name}+{id_hex[:6]}+{key_b64}",
        f"other name+{id_hex}+{key_b64}",
        f"{name}+{id_hex}+{type_two}",
    ):
        with pytest.raises(BadVerifierKey):
            parse_and_verify(signed(signer), [bad])
    with pytest.raises(BadVerifierKey):
        verifier_key("has space", signer.public_key_raw())
    with pytest.raises(BadVerifierKey):
        verifier_key("a+b", signer.public_key_raw())


def test_format_refuses_what_the_spec_forbids() -> None:
    root = bytes(32)
    for call in (
        lambda: format_checkpoint("", 1, root),
        lambda: format_checkpoint("a\nb", 1, root),
        lambda: format_checkpoint(ORIGIN, -1, root),
        lambda: format_checkpoint(ORIGIN, 1, b"short"),
        lambda: format_checkpoint(ORIGIN, 1, root, [""]),
    ):
        with pytest.raises(CityIdError):
            call()
    with pytest.raises(MalformedNote):
        sign_note("no newline", ORIGIN, InTestSigner())
