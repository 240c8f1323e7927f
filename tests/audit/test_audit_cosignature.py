"""cosignature/v1 lines and quorums, checked against the spec's byte layout written out
here by hand (c2sp.org/tlog-cosignature), not against our own parser."""

from __future__ import annotations

import base64
import hashlib

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)

from cityid.audit.checkpoint import BadVerifierKey, open_note, sign_checkpoint, verifier_key
from cityid.audit.cosignature import (
    check_quorum,
    cosign,
    cosigner_vkey_for,
    parse_cosigner_vkey,
)
from cityid.audit.merkle import MerkleTree, leaf_hash
from cityid.audit.verify_checkpoint import verify_checkpoint
from cityid.crypto._primitives import Ed25519Signer

ORIGIN = "example.org/log"
NOW = 1_796_000_000


def _raw(key: Ed25519PrivateKey) -> bytes:
    return key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


@pytest.fixture
def log_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


def _note(log_key: Ed25519PrivateKey, entries: int = 5) -> str:
    tree = MerkleTree.from_leaf_hashes([leaf_hash(b"e%d" % i) for i in range(entries)])
    raw = log_key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    return sign_checkpoint(ORIGIN, tree.size, tree.root(), Ed25519Signer("k1", raw))


def _text(note: str) -> str:
    return note[: note.rfind("\n\n") + 1]


def test_a_cosignature_has_the_spec_layout() -> None:
    witness = Ed25519PrivateKey.generate()
    text = f"{ORIGIN}\n7\n{base64.b64encode(bytes(32)).decode()}\n"
    line = cosign(text, "witness.example/w1", witness, NOW)

    assert line.startswith("— witness.example/w1 ") and line.endswith("\n")
    blob = base64.b64decode(line.rstrip("\n").split(" ")[2])
    assert len(blob) == 4 + 8 + 64
    expected_id = hashlib.sha256(b"witness.example/w1\n\x04" + _raw(witness)).digest()[:4]
    assert blob[:4] == expected_id
    assert int.from_bytes(blob[4:12], "big") == NOW
    message = f"cosignature/v1\ntime {NOW}\n{text}".encode()
    Ed25519PublicKey.from_public_bytes(_raw(witness)).verify(blob[12:], message)  # raises if not

    vkey = cosigner_vkey_for("witness.example/w1", witness)
    name, id_hex, key_b64 = vkey.split("+", 2)
    assert (name, id_hex) == ("witness.example/w1", expected_id.hex())
    assert base64.b64decode(key_b64) == b"\x04" + _raw(witness)


def test_vkeys_of_the_wrong_type_or_id_are_refused(log_key: Ed25519PrivateKey) -> None:
    with pytest.raises(BadVerifierKey):
        parse_cosigner_vkey(verifier_key("w1", _raw(log_key)))  # a 0x01 note key
    good = cosigner_vkey_for("w1", log_key)
    name, id_hex, key_b64 = good.split("+", 2)
    with pytest.raises(BadVerifierKey):
        parse_cosigner_vkey(f"{name}+{'0' * 8 if id_hex != '0' * 8 else '1' * 8}+{key_b64}")
    with pytest.raises(BadVerifierKey):
        parse_cosigner_vkey(f"w2+{id_hex}+{key_b64}")


def test_quorum_counts_valid_cosignatures_by_trusted_keys(log_key: Ed25519PrivateKey) -> None:
    note = _note(log_key)
    text = _text(note)
    w1, w2, stranger = (Ed25519PrivateKey.generate() for _ in range(3))
    vkeys = [cosigner_vkey_for("a.example/w1", w1), cosigner_vkey_for("b.example/w2", w2)]
    cosigned = (
        note
        + cosign(text, "a.example/w1", w1, NOW)
        + cosign(text, "c.example/w3", stranger, NOW)  # unknown: ignored
    )

    one = check_quorum(cosigned, vkeys, 2)
    assert [(c.name, c.status) for c in one.cosigners] == [
        ("a.example/w1", "valid"),
        ("b.example/w2", "missing"),
    ]
    assert one.valid == 1 and not one.met
    assert check_quorum(cosigned, vkeys, 1).met
    # the same key given twice is one witness
    assert not check_quorum(cosigned, [vkeys[0], vkeys[0]], 2).met

    both = cosigned + cosign(text, "b.example/w2", w2, NOW + 1)
    assert check_quorum(both, vkeys, 2).met
    # the log's own signature still checks with cosignature lines after it
    assert open_note(both, [verifier_key(ORIGIN, _raw(log_key))]) == text


def test_a_cosignature_on_another_tree_or_altered_does_not_count(
    log_key: Ed25519PrivateKey,
) -> None:
    note, other = _note(log_key, 5), _note(log_key, 6)
    w1 = Ed25519PrivateKey.generate()
    vkey = cosigner_vkey_for("a.example/w1", w1)
    moved = note + cosign(_text(other), "a.example/w1", w1, NOW)
    result = check_quorum(moved, [vkey], 1)
    assert result.cosigners[0].status == "bad_signature" and not result.met

    line = cosign(_text(note), "a.example/w1", w1, NOW)
    blob = bytearray(base64.b64decode(line.rstrip("\n").split(" ")[2]))
    blob[11] ^= 1  # the timestamp is signed too
    altered = note + f"— a.example/w1 {base64.b64encode(bytes(blob)).decode()}\n"
    assert check_quorum(altered, [vkey], 1).cosigners[0].status == "bad_signature"


def test_verify_checkpoint_checks_the_log_key_when_given(log_key: Ed25519PrivateKey) -> None:
    note = _note(log_key)
    w1 = Ed25519PrivateKey.generate()
    vkey = cosigner_vkey_for("a.example/w1", w1)
    cosigned = note + cosign(_text(note), "a.example/w1", w1, NOW)
    good = verify_checkpoint(cosigned, [vkey], 1, [verifier_key(ORIGIN, _raw(log_key))])
    assert good.ok and good.log_signature == "valid" and good.checkpoint.size == 5
    other = Ed25519PrivateKey.generate()
    bad = verify_checkpoint(cosigned, [vkey], 1, [verifier_key(ORIGIN, _raw(other))])
    assert not bad.ok and bad.log_signature == "unknown_key"
    short = verify_checkpoint(note, [vkey], 1)
    assert not short.ok and short.log_signature == "unchecked"
    assert "quorum not met: 0 of the 1" in short.message
