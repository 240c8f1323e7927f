"""The witness's rules (c2sp.org/tlog-witness add-checkpoint) on a real witness data dir:
what it cosigns, what it refuses, and that a refusal leaves its state file as it was."""

from __future__ import annotations

import base64
import hashlib
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cityid.audit.checkpoint import open_note, sign_checkpoint, verifier_key
from cityid.audit.cosignature import check_quorum
from cityid.audit.merkle import EMPTY_ROOT, MerkleTree, leaf_hash
from cityid.audit.witness_protocol import (
    BadLogSignature,
    Inconsistent,
    MalformedRequest,
    SizeConflict,
    TooLarge,
    UnknownLog,
    WitnessRefusal,
    format_add_checkpoint,
)
from cityid.crypto._primitives import Ed25519Signer
from cityid.witness import service
from cityid.witness.store import STATE_FILE, WitnessStore

ORIGIN = "example.org/log"


class Log:
    """A log as the witness sees it: a tree and a signing key."""

    def __init__(self, key: Ed25519PrivateKey | None = None, prefix: bytes = b"e") -> None:
        self.key = key or Ed25519PrivateKey.generate()
        self.prefix = prefix
        self.tree = MerkleTree()

    def grow(self, count: int) -> None:
        start = self.tree.size
        for i in range(start, start + count):
            self.tree.append(leaf_hash(self.prefix + b"%d" % i))

    @property
    def vkey(self) -> str:
        raw = self.key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        return verifier_key(ORIGIN, raw)

    def note(self, size: int | None = None, origin: str = ORIGIN) -> str:
        size = self.tree.size if size is None else size
        raw = self.key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
        return sign_checkpoint(origin, size, self.tree.root(size), Ed25519Signer("k", raw))

    def body(self, old: int, size: int | None = None, origin: str = ORIGIN) -> bytes:
        size = self.tree.size if size is None else size
        return format_add_checkpoint(
            old, self.tree.consistency_proof(old, size), self.note(size, origin)
        )


@pytest.fixture
def store(tmp_path: Path) -> WitnessStore:
    service.init(tmp_path / "witness", "witness.example/w1")
    return WitnessStore(tmp_path / "witness")


@pytest.fixture
def log(store: WitnessStore) -> Log:
    made = Log()
    service.add_log(store, ORIGIN, made.vkey)
    return made


def _state(store: WitnessStore) -> bytes:
    return (store.directory / STATE_FILE).read_bytes()


def test_init_writes_a_private_key_only_its_owner_reads(store: WitnessStore) -> None:
    assert os.stat(store.directory / "witness.key").st_mode & 0o777 == 0o600
    assert os.stat(store.directory / STATE_FILE).st_mode & 0o777 == 0o600
    assert service.info(store).verifier_key.startswith("witness.example/w1+")


def test_it_cosigns_a_tree_that_extends_the_last_one(store: WitnessStore, log: Log) -> None:
    vkey = service.info(store).verifier_key
    log.grow(5)
    first = service.add_checkpoint(store, log.body(0), now=1000)
    assert first.size == 5 and first.lines.count("\n") == 1
    assert check_quorum(log.note() + first.lines, [vkey], 1).met

    log.grow(8)
    second = service.add_checkpoint(store, log.body(5), now=1001)
    assert check_quorum(log.note() + second.lines, [vkey], 1).met
    (known,) = store.read().logs.values()
    assert (known.size, known.root) == (13, log.tree.root())
    # the monitoring view: the log's signature and ours, both checking
    origin_hash = hashlib.sha256(ORIGIN.encode()).hexdigest()
    served = service.latest_checkpoint(store, origin_hash)
    assert served is not None
    assert open_note(served, [log.vkey]).startswith(f"{ORIGIN}\n13\n")
    assert check_quorum(served, [vkey], 1).met
    # the same tree again (old == size, same root) is cosigned afresh
    assert service.add_checkpoint(store, log.body(13), now=1002).size == 13


def test_a_wrong_old_size_is_a_conflict_naming_the_latest(store: WitnessStore, log: Log) -> None:
    log.grow(4)
    service.add_checkpoint(store, log.body(0))
    log.grow(3)
    before = _state(store)
    with pytest.raises(SizeConflict) as refused:
        service.add_checkpoint(store, log.body(2))
    assert refused.value.latest_size == 4 and refused.value.http_status == 409
    with pytest.raises(SizeConflict):
        service.add_checkpoint(store, log.body(0))
    assert _state(store) == before


def test_a_fork_or_a_smaller_tree_is_never_cosigned(store: WitnessStore, log: Log) -> None:
    log.grow(6)
    service.add_checkpoint(store, log.body(0))
    before = _state(store)

    # Split view: the same origin and key, another history of 9 entries.
    fork = Log(key=log.key, prefix=b"forged")
    fork.grow(9)
    with pytest.raises(Inconsistent):
        service.add_checkpoint(store, fork.body(6))
    # Same size, other root.
    with pytest.raises(Inconsistent):
        service.add_checkpoint(store, fork.body(6, size=6))
    # The real log's proof with the fork's head.
    log.grow(3)
    spliced = format_add_checkpoint(6, log.tree.consistency_proof(6), fork.note())
    with pytest.raises(Inconsistent):
        service.add_checkpoint(store, spliced)
    # A smaller tree of the real log, from the remembered size: the old size is too big.
    with pytest.raises(MalformedRequest):
        service.add_checkpoint(store, format_add_checkpoint(6, [], log.note(3)))
    # ... and from a smaller old size it is a conflict: the witness stays at 6.
    with pytest.raises(SizeConflict):
        service.add_checkpoint(store, log.body(2, size=3))
    assert _state(store) == before


def test_the_empty_tree_and_proofs_from_zero(store: WitnessStore, log: Log) -> None:
    empty = format_add_checkpoint(0, [], log.note(0))
    assert service.add_checkpoint(store, empty).size == 0
    raw = log.key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    bad_empty = sign_checkpoint(ORIGIN, 0, bytes(32), Ed25519Signer("k", raw))
    assert bytes(32) != EMPTY_ROOT
    with pytest.raises(Inconsistent):
        service.add_checkpoint(store, format_add_checkpoint(0, [], bad_empty))
    log.grow(3)
    with pytest.raises(Inconsistent):  # from 0 the proof must be empty
        service.add_checkpoint(store, format_add_checkpoint(0, [bytes(32)], log.note()))


def test_unknown_logs_and_bad_signatures_are_refused(store: WitnessStore, log: Log) -> None:
    log.grow(2)
    before = _state(store)
    with pytest.raises(UnknownLog) as unknown:
        service.add_checkpoint(store, log.body(0, origin="example.org/other"))
    assert unknown.value.http_status == 404
    impostor = Log()  # signs as the log's key name with another key
    impostor.grow(2)
    with pytest.raises(BadLogSignature) as forged:
        service.add_checkpoint(store, impostor.body(0))
    assert forged.value.http_status == 403
    # a signature by the log's own key name and id that does not verify
    note = log.note()
    text, sig = note.rsplit("\n— ", 1)
    name, blob_b64 = sig.rstrip("\n").split(" ")
    blob = bytearray(base64.b64decode(blob_b64))
    blob[-1] ^= 1
    tampered = f"{text}\n— {name} {base64.b64encode(bytes(blob)).decode()}\n"
    with pytest.raises(BadLogSignature):
        service.add_checkpoint(store, format_add_checkpoint(0, [], tampered))
    assert _state(store) == before


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"old 1\n",
        b"old 01\n\nx\n",
        b"old -1\n\nx\n",
        b"new 0\n\nexample.org/log\n0\nAAAA\n",
        b"old 0\nnot-base64!\n\nexample.org/log\n",
        b"old 0\n\nexample.org/log\nnot a size\n\n\xe2\x80\x94 x AAAA\n",
        b"old 0\n\n\xff\xfe",
    ],
)
def test_malformed_bodies_are_400(store: WitnessStore, log: Log, body: bytes) -> None:
    before = _state(store)
    with pytest.raises(MalformedRequest) as refused:
        service.add_checkpoint(store, body)
    assert refused.value.http_status == 400
    assert _state(store) == before


def test_too_many_proof_lines_and_too_large_bodies(store: WitnessStore, log: Log) -> None:
    log.grow(2)
    with pytest.raises(MalformedRequest):
        service.add_checkpoint(store, format_add_checkpoint(1, [bytes(32)] * 64, log.note()))
    with pytest.raises(TooLarge) as big:
        service.add_checkpoint(store, b"old 0\n\n" + b"x" * 70_000)
    assert big.value.http_status == 413


def test_check_and_update_is_one_step_under_concurrency(store: WitnessStore, log: Log) -> None:
    """Two requests from the same old size: one is cosigned, the other gets a 409; the
    witness never rolls back to the smaller tree (the race the spec warns about)."""
    log.grow(4)
    service.add_checkpoint(store, log.body(0))
    log.grow(10)
    bodies = [log.body(4, size=size) for size in (5, 14)] * 4
    outcomes: list[str] = []

    def submit(body: bytes) -> None:
        try:
            service.add_checkpoint(store, body)
            outcomes.append("cosigned")
        except SizeConflict:
            outcomes.append("conflict")

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(submit, bodies))
    assert outcomes.count("cosigned") == 1 and outcomes.count("conflict") == 7
    (known,) = store.read().logs.values()
    assert known.size in (5, 14) and known.root == log.tree.root(known.size)


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.binary(max_size=400) | st.text(max_size=300).map(str.encode))
def test_any_body_is_cosigned_or_refused_with_a_status(store: WitnessStore, body: bytes) -> None:
    before = _state(store)
    with pytest.raises(WitnessRefusal) as refused:
        service.add_checkpoint(store, b"old 0\n" + body)
    assert refused.value.http_status in (400, 403, 404, 409, 413, 422)
    assert _state(store) == before


def test_the_witness_commands(tmp_path: Path, cli: Any) -> None:
    directory = str(tmp_path / "w")
    assert cli("witness", "init", "--origin", "w1").code == 1  # no --data-dir: refused
    made = cli("--json", "witness", "init", "--data-dir", directory, "--origin", "ex.org/w1")
    assert made.code == 0 and made.json["verifier_key"].startswith("ex.org/w1+")
    again = cli("--json", "witness", "init", "--data-dir", directory, "--origin", "ex.org/w1")
    assert again.code == 1 and again.json["error"]["code"] == "refused"
    bad = cli(
        "--json",
        "witness",
        "add-log",
        "--data-dir",
        directory,
        "--origin",
        ORIGIN,
        "--vkey",
        made.json["verifier_key"],
    )  # fmt: skip  (a cosigner key, not a log key)
    assert bad.code == 1 and bad.json["error"]["code"] == "bad_verifier_key"
    good = cli("--json", "witness", "add-log", "--data-dir", directory, "--origin", ORIGIN,
               "--vkey", Log().vkey)  # fmt: skip
    assert good.code == 0 and good.json["size"] == 0
    status = cli("--json", "witness", "status", "--data-dir", directory).json
    assert status["logs"] == [{"origin": ORIGIN, "size": 0, "vkeys": [good.json["vkeys"][0]]}]
    assert cli("witness", "serve", "--data-dir", str(tmp_path / "none"), "--port", "1").code == 1
