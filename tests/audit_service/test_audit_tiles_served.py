"""The audit log served as C2SP tlog-tiles, read back by a client written from the spec.

`SpecClient` below uses nothing from cityid: only HTTP, SHA-256 and Ed25519 from
`cryptography`, following c2sp.org/tlog-tiles, c2sp.org/tlog-checkpoint and
c2sp.org/signed-note. cityid is only used to put entries in the log and sign checkpoints.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import http.server
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from fastapi.testclient import TestClient

from cityid.audit import log as audit_log
from cityid.audit import service
from cityid.audit.entry import AuditEntryError
from cityid.bootstrap import open_runtime
from cityid.runtime import Runtime
from cityid.staff.actor import Actor
from cityid.store.uow import UnitOfWork
from cityid.web.app import create_app

CLERK = Actor(user_id="staff-clerk-1", username="clerk1", role="clerk")


# -- the client, from the spec text only -------------------------------------------------


def _tile_index(n: int) -> str:
    # "zero-padded 3-digit path elements. All but the last path element MUST begin with an x"
    parts = [f"{n % 1000:03d}"]
    n //= 1000
    while n:
        parts.insert(0, f"x{n % 1000:03d}")
        n //= 1000
    return "/".join(parts)


def _tile_url(level: str, n: int, width: int) -> str:
    path = f"tile/{level}/{_tile_index(n)}"
    return path if width == 256 else f"{path}.p/{width}"


def _node(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def _mth(hashes: list[bytes]) -> bytes:
    """RFC 6962 2.1 over already-hashed leaves."""
    if len(hashes) == 1:
        return hashes[0]
    k = 1 << ((len(hashes) - 1).bit_length() - 1)
    return _node(_mth(hashes[:k]), _mth(hashes[k:]))


@dataclass
class Read:
    origin: str
    size: int
    root: bytes
    entries: list[bytes]
    fetched: int


class SpecClient:
    def __init__(self, prefix: str, verifier_keys: list[str]) -> None:
        self.prefix = prefix.rstrip("/")
        self.keys = {}
        for vkey in verifier_keys:
            name, key_hash, key_b64 = vkey.split("+", 2)
            key = base64.b64decode(key_b64)
            assert key[0] == 0x01 and len(key) == 33  # Ed25519
            key_id = hashlib.sha256(name.encode() + b"\n" + key).digest()[:4]
            assert key_id.hex() == key_hash
            self.keys[(name, key_id)] = Ed25519PublicKey.from_public_bytes(key[1:])
        self.fetched = 0

    def get(self, path: str) -> bytes:
        response = httpx.get(f"{self.prefix}/{path}", timeout=10)
        assert response.status_code == 200, (path, response.status_code, response.text)
        self.fetched += 1
        return response.content

    def checkpoint(self) -> tuple[str, int, bytes]:
        note = self.get("checkpoint").decode("utf-8")
        text, _, signatures = note.rpartition("\n\n")
        text += "\n"
        verified = 0
        for line in signatures.rstrip("\n").split("\n"):
            assert line.startswith("\u2014 ")
            name, blob_b64 = line[2:].split(" ")
            blob = base64.b64decode(blob_b64)
            key = self.keys.get((name, blob[:4]))
            if key is not None:
                key.verify(blob[4:], text.encode("utf-8"))  # raises if forged
                verified += 1
        assert verified, "no signature by the log's key"
        origin, size, root_b64, *_ = text.rstrip("\n").split("\n")
        root = base64.b64decode(root_b64)
        assert len(root) == 32
        return origin, int(size), root

    def read(self) -> Read:
        origin, size, root = self.checkpoint()
        levels: list[list[bytes]] = []  # the hashes at each tile level, in order
        level = 0
        while size // 256**level:
            count = size // 256**level
            hashes: list[bytes] = []
            for n in range(-(-count // 256)):
                width = min(256, count - n * 256)
                tile = self.get(_tile_url(str(level), n, width))
                assert len(tile) == 32 * width
                hashes += [tile[i : i + 32] for i in range(0, len(tile), 32)]
            levels.append(hashes)
            level += 1
        entries: list[bytes] = []
        for n in range(-(-size // 256)):
            width = min(256, size - n * 256)
            bundle = self.get(_tile_url("entries", n, width))
            offset, bundled = 0, []
            while offset < len(bundle):
                length = int.from_bytes(bundle[offset : offset + 2], "big")
                bundled.append(bundle[offset + 2 : offset + 2 + length])
                offset += 2 + length
            assert offset == len(bundle) and len(bundled) == width
            entries += bundled
        # "Each entry in a bundle hashes to the corresponding entry in the ... level 0 tile"
        leaves = [hashlib.sha256(b"\x00" + entry).digest() for entry in entries]
        assert levels[0] == leaves if size else True
        # "each hash in a tile is the Merkle Tree Hash of a full tile at the level below"
        for lvl in range(1, len(levels)):
            below = levels[lvl - 1]
            for i, value in enumerate(levels[lvl]):
                assert value == _mth(below[i * 256 : (i + 1) * 256]), (lvl, i)
        # The root from the tiles alone: the perfect subtrees of the size, largest first,
        # each the MTH of 2**r hashes of tile level l (subtree height 8*l + r).
        blocks, start = [], 0
        for height in reversed(range(size.bit_length())):
            if size >> height & 1:
                lvl, r = divmod(height, 8)
                first = start // 256**lvl
                blocks.append(_mth(levels[lvl][first : first + 2**r]))
                start += 1 << height
        from_tiles = blocks.pop() if blocks else hashlib.sha256(b"").digest()
        while blocks:
            from_tiles = _node(blocks.pop(), from_tiles)
        assert from_tiles == root
        assert _mth(leaves) == root
        return Read(origin, size, root, entries, self.fetched)


# -- a real server ----------------------------------------------------------------------


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
def server(data_dir: Path, tmp_path: Path) -> Iterator[str]:
    """`cityid serve` (uvicorn) on the test's data dir and database."""
    env = {**os.environ, "CITYID_CHECKPOINT_INTERVAL_SECONDS": "0"}
    port = _free_port()
    out = (tmp_path / "serve.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "cityid", "serve", "--data-dir", str(data_dir), "--port", str(port)],
        env=env,
        stdout=out,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError((tmp_path / "serve.log").read_text())
            time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=15)
        out.close()


def _grow_to(runtime: Runtime, size: int, *, sign: bool = True) -> int:
    """Appends entries (one transaction) until the log has `size`; signs a checkpoint."""
    with UnitOfWork(runtime.engine) as uow:
        missing = size - service.log_size(uow)
        if missing > 0:
            audit_log.append_many(
                uow,
                [
                    audit_log.Event(CLERK, "application.read", [f"app-{i:05d}"], "desk_lookup")
                    for i in range(missing)
                ],
            )
        if sign:
            service.create_checkpoint(runtime, uow)
        uow.commit()
        return service.log_size(uow)


def _vkeys(url: str) -> list[str]:
    return httpx.get(f"{url}/audit/public-key", timeout=10).text.split()


# -- tests ------------------------------------------------------------------------------


def test_a_spec_client_rebuilds_the_log_from_the_served_tiles(
    runtime: Runtime, server: str
) -> None:
    client = SpecClient(f"{server}/log", _vkeys(server))
    for size in (300, 512, 513):  # partial level-0 and level-1 tiles, none, both again
        _grow_to(runtime, size)
        read = client.read()
        assert read.size == size
        assert read.origin == runtime.policy.program.checkpoint_origin
        with UnitOfWork(runtime.engine, read_only=True) as uow:
            stored = service.entries(uow, 0, size)
        assert [base64.b64encode(e).decode() for e in read.entries] == [row.leaf for row in stored]

    # Entries beyond the latest signed checkpoint are not served, though logged.
    _grow_to(runtime, 520, sign=False)
    assert client.checkpoint()[1] == 513
    assert httpx.get(f"{server}/log/tile/0/002.p/8", timeout=10).status_code == 404
    assert httpx.get(f"{server}/log/tile/entries/002.p/8", timeout=10).status_code == 404
    assert client.read().size == 513
    _grow_to(runtime, 520)
    assert client.read().size == 520

    full = httpx.get(f"{server}/log/tile/0/000", timeout=10)
    partial = httpx.get(f"{server}/log/tile/0/002.p/8", timeout=10)
    bundle = httpx.get(f"{server}/log/tile/entries/000", timeout=10)
    note = httpx.get(f"{server}/log/checkpoint", timeout=10)
    for response in (full, partial, bundle):
        assert response.headers["content-type"] == "application/octet-stream"
        assert response.headers["access-control-allow-origin"] == "*"
    assert full.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert bundle.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert partial.headers["cache-control"] == "public, max-age=5"
    assert note.headers["content-type"] == "text/plain; charset=utf-8"
    assert note.headers["cache-control"] == "public, max-age=5"
    assert note.text == httpx.get(f"{server}/audit/checkpoint", timeout=10).text
    assert bundle.headers["content-encoding"] == "gzip"  # httpx asks for it, and unpacks it
    plain = httpx.get(
        f"{server}/log/tile/entries/000", headers={"Accept-Encoding": "identity"}, timeout=10
    )
    assert "content-encoding" not in plain.headers
    assert plain.content == bundle.content


def test_the_export_is_the_served_bytes_and_a_static_host_serves_the_log(
    runtime: Runtime, server: str, cli, data_dir: Path, tmp_path: Path
) -> None:
    _grow_to(runtime, 700)
    out = tmp_path / "static-log"
    result = cli(
        "--json", "--data-dir", str(data_dir), "audit", "tiles", "export", "--out", str(out)
    )
    assert result.code == 0, result.out
    assert result.json["size"] == 700
    files = sorted(p for p in out.rglob("*") if p.is_file())
    # checkpoint; level 0: 2 full + .p/188; level 1: .p/2; the same 3 entry bundles
    assert len(files) == result.json["files"] == 1 + 3 + 1 + 3
    for path in files:
        relative = path.relative_to(out).as_posix()
        served = httpx.get(f"{server}/log/{relative}", timeout=10)
        assert served.status_code == 200, relative
        assert served.content == path.read_bytes(), relative

    # Exporting again after growth only rewrites what changed; old partials stay valid.
    _grow_to(runtime, 800)
    again = cli(
        "--json", "--data-dir", str(data_dir), "audit", "tiles", "export", "--out", str(out)
    )
    assert again.json["size"] == 800

    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(out))
    static = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=static.serve_forever, daemon=True)
    thread.start()
    try:
        read = SpecClient(f"http://127.0.0.1:{static.server_port}", _vkeys(server)).read()
    finally:
        static.shutdown()
        static.server_close()
    assert read.size == 800
    assert read.root == SpecClient(f"{server}/log", _vkeys(server)).read().root


def test_bad_tile_paths_are_refused_with_a_clear_message(runtime: Runtime) -> None:
    with TestClient(create_app(runtime)) as client:
        empty = client.get("/log/checkpoint")
        assert empty.status_code == 404
        assert "no checkpoint" in empty.json()["error"]["message"]
        _grow_to(runtime, 300)
        for path in (
            "tile/00/000",
            "tile/64/000",
            "tile/0/0",
            "tile/0/x000/001",
            "tile/0/000.p/0",
            "tile/0/000.p/256",
            "tile/0/000.p/08",
            "tile/entries/abc",
            "tile/0/",
            "tile/data/000",
        ):
            response = client.get(f"/log/{path}")
            assert response.status_code == 400, path
            error = response.json()["error"]
            assert error["code"] == "bad_tile_path", path
            assert "tile" in error["message"]
        for path in (
            "tile/0/001",
            "tile/0/001.p/45",
            "tile/0/002.p/1",
            "tile/1/000",
            "tile/2/000.p/1",
        ):
            response = client.get(f"/log/{path}")
            assert response.status_code == 404, path
            error = response.json()["error"]
            assert error["code"] == "tile_not_found"
            assert "beyond the latest signed checkpoint (size 300)" in error["message"]
        assert client.get("/log/tile/0/001.p/44").status_code == 200
        assert client.get("/log/tile/0/001.p/7").status_code == 200  # an older size's tile


def test_proofs_without_a_size_use_the_latest_signed_checkpoint(
    runtime: Runtime, cli, data_dir: Path
) -> None:
    _grow_to(runtime, 20)
    _grow_to(runtime, 30, sign=False)  # logged, not yet signed
    with TestClient(create_app(runtime)) as client:
        signed = client.get("/log/checkpoint").text
        root_b64 = signed.split("\n")[2]
        proof = client.get("/audit/proof/inclusion", params={"index": 5}).json()
        assert proof["size"] == 20
        assert base64.b64encode(bytes.fromhex(proof["root_hash"])).decode() == root_b64
        beyond = client.get("/audit/proof/inclusion", params={"index": 25})
        assert beyond.status_code == 404  # not in the signed tree: not_in_log
        assert beyond.json()["error"]["code"] == "not_in_log"
        assert "tree of size 20" in beyond.json()["error"]["message"]
        consistency = client.get("/audit/proof/consistency", params={"old": 10}).json()
        assert consistency["new"] == 20
        explicit = client.get("/audit/proof/inclusion", params={"index": 25, "size": 30})
        assert explicit.json()["size"] == 30
    by_cli = cli(
        "--json", "--data-dir", str(data_dir), "audit", "proof", "inclusion", "--index", "5"
    )
    assert by_cli.json["size"] == 20
    assert by_cli.json["root_hash"] == proof["root_hash"]


def test_an_entry_too_long_for_a_bundle_is_refused_and_nothing_is_logged(runtime: Runtime) -> None:
    with UnitOfWork(runtime.engine) as uow:
        before = service.log_size(uow)
        many = [f"app-{i:08d}" for i in range(6000)]
        with pytest.raises(AuditEntryError, match="65535 bytes"):
            audit_log.append_many(
                uow,
                [
                    audit_log.Event(CLERK, "application.read", ["app-1"]),
                    audit_log.Event(CLERK, "application.read", many),
                ],
            )
    with UnitOfWork(runtime.engine, read_only=True) as uow:
        assert service.log_size(uow) == before


def test_export_before_any_checkpoint_says_so_and_writes_nothing(
    cli, data_dir: Path, tmp_path: Path
) -> None:
    out = tmp_path / "static-log"
    result = cli(
        "--json", "--data-dir", str(data_dir), "audit", "tiles", "export", "--out", str(out)
    )
    assert result.code == 1
    assert "no checkpoint" in result.json["error"]["message"]
    assert not out.exists() or not any(out.iterdir())
