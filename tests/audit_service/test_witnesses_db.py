"""Witnesses as real processes (`python -m cityid witness serve`) cosigning the log's
checkpoints: quorums, a witness that goes down, a lost answer (409 retried), and a
split view the witness refuses over HTTP without changing its state."""

from __future__ import annotations

import logging
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from cityid.audit import cosigning, service
from cityid.audit import log as audit_log
from cityid.audit.checkpoint import sign_checkpoint
from cityid.audit.merkle import MerkleTree, leaf_hash
from cityid.audit.tables import audit_cosignatures
from cityid.audit.witness_protocol import format_add_checkpoint
from cityid.bootstrap import open_runtime
from cityid.runtime import Runtime
from cityid.staff.actor import Actor
from cityid.store.uow import UnitOfWork
from cityid.web.app import create_app
from tests.conftest import ADMIN_PASSWORD

CLERK = Actor(user_id="staff-clerk-1", username="clerk1", role="clerk")


@dataclass
class WitnessProcess:
    name: str
    data_dir: Path
    url: str
    vkey: str
    process: subprocess.Popen[bytes]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)

    def state(self) -> bytes:
        return (self.data_dir / "witness.json").read_bytes()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def runtime(data_dir: Path) -> Iterator[Runtime]:
    rt = open_runtime(data_dir)
    yield rt
    rt.close()


@pytest.fixture
def spawn(tmp_path: Path, cli: Any, runtime: Runtime) -> Iterator[Any]:
    """Start a witness process that knows this log; every one is stopped at the end."""
    started: list[WitnessProcess] = []
    origin = runtime.policy.program.checkpoint_origin
    log_vkey = service.verifier_keys(runtime)[-1]

    def start(label: str) -> WitnessProcess:
        directory = tmp_path / f"witness-{label}"
        made = cli("--json", "witness", "init", "--data-dir", str(directory), "--origin",
                   f"witness.example/{label}")  # fmt: skip
        assert made.code == 0, made.out
        added = cli("witness", "add-log", "--data-dir", str(directory), "--origin", origin,
                    "--vkey", log_vkey)  # fmt: skip
        assert added.code == 0, added.err
        port = _free_port()
        stderr = (tmp_path / f"witness-{label}.err").open("wb")
        process = subprocess.Popen(
            [sys.executable, "-m", "cityid", "witness", "serve", "--data-dir", str(directory),
             "--port", str(port)],
            env=dict(os.environ), stdout=subprocess.DEVNULL, stderr=stderr,
        )  # fmt: skip
        witness = WitnessProcess(
            label, directory, f"http://127.0.0.1:{port}", made.json["verifier_key"], process
        )
        started.append(witness)
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(witness.url + "/", timeout=1).text.strip() == witness.vkey:
                    return witness
            except httpx.HTTPError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"witness {label} did not start")
            time.sleep(0.1)

    yield start
    for witness in started:
        witness.stop()


def _register(cli: Any, data_dir: Path, tmp_path: Path, witness: WitnessProcess) -> None:
    password = tmp_path / "admin-password"
    password.write_text(ADMIN_PASSWORD)
    added = cli("--json", "--data-dir", str(data_dir), "--actor", "admin", "--password-file",
                str(password), "audit", "witness", "add", "--name", witness.name, "--url",
                witness.url, "--vkey", witness.vkey)  # fmt: skip
    assert added.code == 0, added.out


def _append(runtime: Runtime, count: int) -> None:
    with UnitOfWork(runtime.engine) as uow:
        for i in range(count):
            audit_log.append(uow, CLERK, "application.read", [f"app-{i:04d}"])
        uow.commit()


def _verify(cli: Any, tmp_path: Path, note: str, vkeys: list[str], quorum: int, log: str) -> Any:
    path = tmp_path / "checkpoint.txt"
    path.write_text(note, encoding="utf-8")
    args = ["--json", "audit", "verify-checkpoint", str(path), "--quorum", str(quorum),
            "--log-vkey", log]  # fmt: skip
    for vkey in vkeys:
        args += ["--witness-vkey", vkey]
    return cli(*args)


def test_two_witnesses_cosign_and_the_log_survives_one_going_down(
    runtime: Runtime,
    data_dir: Path,
    tmp_path: Path,
    cli: Any,
    spawn: Any,
    caplog: pytest.LogCaptureFixture,
) -> None:
    w1, w2 = spawn("w1"), spawn("w2")
    for witness in (w1, w2):
        _register(cli, data_dir, tmp_path, witness)
    listed = cli("--json", "--data-dir", str(data_dir), "audit", "witness", "list").json
    assert [w["name"] for w in listed["witnesses"]] == ["w1", "w2"]
    vkeys = [w1.vkey, w2.vkey]
    log_vkey = service.verifier_keys(runtime)[-1]

    # Two checkpoints: the second goes to each witness with the proof from the first.
    for count in (3, 4):
        _append(runtime, count)
        made = cli("--json", "--data-dir", str(data_dir), "audit", "checkpoint").json
        assert [w["status"] for w in made["witnesses"]] == ["cosigned", "cosigned"]
    assert made["size"] >= 7
    both = _verify(cli, tmp_path, made["checkpoint"], vkeys, 2, log_vkey)
    assert both.code == 0, both.out
    assert both.json["quorum_met"] and both.json["valid_cosignatures"] == 2
    assert {w["status"] for w in both.json["witnesses"]} == {"valid"}

    # What the log serves carries both cosignatures.
    with TestClient(create_app(open_runtime(data_dir)), base_url="https://testserver") as client:
        served = client.get("/audit/checkpoint").text
    assert served == made["checkpoint"]
    assert _verify(cli, tmp_path, served, vkeys, 2, log_vkey).code == 0

    # A lost answer: the log forgets w1's cosignatures; w1's 409 names its size, the log
    # retries once from there and w1 cosigns.
    with UnitOfWork(runtime.engine) as uow:
        uow.conn.execute(sa.delete(audit_cosignatures).where(audit_cosignatures.c.witness == "w1"))
        uow.commit()
    _append(runtime, 2)
    again = cli("--json", "--data-dir", str(data_dir), "audit", "checkpoint").json
    assert [w["status"] for w in again["witnesses"]] == ["cosigned", "cosigned"]

    # w2 goes down: the scheduled job still signs checkpoints, with w1's cosignature only.
    w2.stop()
    _append(runtime, 5)
    with caplog.at_level(logging.WARNING, logger="cityid.audit.witnesses"):
        made_by_job = cosigning.checkpoint_if_grown(runtime)
    assert made_by_job is not None and made_by_job.size == again["size"] + 5
    assert "witness w2 did not answer (ConnectError)" in caplog.text
    assert "app-" not in caplog.text
    with UnitOfWork(runtime.engine, read_only=True) as uow:
        latest = service.require_checkpoint(uow)
    assert latest.size == made_by_job.size and len(latest.cosignatures) == 1

    short = _verify(cli, tmp_path, latest.note, vkeys, 2, log_vkey)
    assert short.code == 1
    assert not short.json["quorum_met"] and short.json["valid_cosignatures"] == 1
    assert "quorum not met: 1 of the 2" in short.json["message"]
    assert {w["name"]: w["status"] for w in short.json["witnesses"]} == {
        "witness.example/w1": "valid",
        "witness.example/w2": "missing",
    }
    assert _verify(cli, tmp_path, latest.note, vkeys, 1, log_vkey).code == 0


def test_a_witness_refuses_a_split_view_and_bad_requests_over_http(
    runtime: Runtime, data_dir: Path, tmp_path: Path, cli: Any, spawn: Any
) -> None:
    w1 = spawn("w1")
    _register(cli, data_dir, tmp_path, w1)
    _append(runtime, 6)
    made = cli("--json", "--data-dir", str(data_dir), "audit", "checkpoint").json
    assert made["witnesses"][0]["status"] == "cosigned"
    size = made["size"]
    before = w1.state()
    origin = runtime.policy.program.checkpoint_origin
    signer = runtime.keystore.signer(service.CHECKPOINT_PURPOSE)

    # A fork: the same origin and the log's own key over another history.
    fork = MerkleTree.from_leaf_hashes([leaf_hash(b"forged %d" % i) for i in range(size + 3)])
    forked_note = sign_checkpoint(origin, fork.size, fork.root(), signer)
    url = w1.url + "/add-checkpoint"
    forked = httpx.post(
        url, content=format_add_checkpoint(size, fork.consistency_proof(size), forked_note)
    )
    assert forked.status_code == 422, forked.text
    assert forked.json()["error"]["code"] == "inconsistent"
    same_size = sign_checkpoint(origin, size, fork.root(size), signer)
    assert httpx.post(url, content=format_add_checkpoint(size, [], same_size)).status_code == 422
    # From an old size it does not hold: 409, its size as text/x.tlog.size.
    stale = httpx.post(url, content=format_add_checkpoint(0, [], forked_note))
    assert stale.status_code == 409
    assert stale.headers["content-type"] == "text/x.tlog.size"
    assert stale.text == f"{size}\n"
    assert w1.state() == before

    # Unknown log: 404 as tlog-witness says; a known log signed by another key: 403.
    stranger = sign_checkpoint("example.org/other", fork.size, fork.root(), signer)
    unknown = httpx.post(url, content=format_add_checkpoint(0, [], stranger))
    assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "unknown_log"
    from cityid.crypto._primitives import Ed25519Signer

    impostor = sign_checkpoint(origin, fork.size, fork.root(), Ed25519Signer("x", os.urandom(32)))
    forged = httpx.post(url, content=format_add_checkpoint(size, [], impostor))
    assert forged.status_code == 403 and forged.json()["error"]["code"] == "bad_log_signature"
    # Too large, with or without a Content-Length: 413. Malformed: 400.
    assert httpx.post(url, content=b"old 0\n\n" + b"x" * 70_000).status_code == 413
    chunked = httpx.post(url, content=iter([b"old 0\n\n", b"x" * 40_000, b"x" * 40_000]))
    assert chunked.status_code == 413
    malformed = httpx.post(url, content=b"old zero\n\nnot a checkpoint")
    assert malformed.status_code == 400 and malformed.json()["error"]["code"] == "malformed"
    assert w1.state() == before

    # The witness still cosigns the real log's next tree.
    _append(runtime, 1)
    after = cli("--json", "--data-dir", str(data_dir), "audit", "checkpoint").json
    assert after["witnesses"][0]["status"] == "cosigned"
    status = cli("--json", "witness", "status", "--data-dir", str(w1.data_dir)).json
    assert status["logs"][0]["size"] == size + 1


def test_registering_a_witness_takes_an_admin_and_a_cosigner_key(
    runtime: Runtime, data_dir: Path, tmp_path: Path, cli: Any
) -> None:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from cityid.audit.cosignature import cosigner_vkey_for

    vkey = cosigner_vkey_for("witness.example/w9", Ed25519PrivateKey.generate())
    password = tmp_path / "admin-password"
    password.write_text(ADMIN_PASSWORD)
    admin = ["--json", "--data-dir", str(data_dir), "--actor", "admin", "--password-file",
             str(password), "audit", "witness", "add"]  # fmt: skip
    anonymous = cli("--json", "--data-dir", str(data_dir), "audit", "witness", "add", "--name",
                    "w9", "--url", "http://127.0.0.1:9", "--vkey", vkey)  # fmt: skip
    assert anonymous.code == 1 and anonymous.json["error"]["code"] == "forbidden"
    log_key = cli(*admin, "--name", "w9", "--url", "http://127.0.0.1:9",
                  "--vkey", service.verifier_keys(runtime)[-1])  # fmt: skip
    assert log_key.code == 1 and log_key.json["error"]["code"] == "bad_verifier_key"
    bad_url = cli(*admin, "--name", "w9", "--url", "ftp://x", "--vkey", vkey)
    assert bad_url.code == 1 and bad_url.json["error"]["code"] == "bad_input"
    assert cli(*admin, "--name", "w9", "--url", "http://127.0.0.1:9/", "--vkey", vkey).code == 0
    twice = cli(*admin, "--name", "w10", "--url", "http://127.0.0.1:9", "--vkey", vkey)
    assert twice.code == 1 and twice.json["error"]["code"] == "refused"
    listed = cli("--json", "--data-dir", str(data_dir), "audit", "witness", "list").json
    assert [(w["name"], w["url"]) for w in listed["witnesses"]] == [("w9", "http://127.0.0.1:9")]
    # A witness nobody runs: the checkpoint is made all the same.
    _append(runtime, 1)
    made = cli("--json", "--data-dir", str(data_dir), "audit", "checkpoint")
    assert made.code == 0 and made.json["witnesses"][0]["status"] == "unreachable"
    with UnitOfWork(runtime.engine, read_only=True) as uow:
        assert service.require_checkpoint(uow).size == made.json["size"]
        actions = [e.action for e in service.entry_page(uow, action="audit.witness")]
    assert actions == ["audit.witness.add"]
