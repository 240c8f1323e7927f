"""Pieces the fault and multi-worker tests share: a PostgreSQL schema, `cityid serve` in a
child process, and a TCP proxy between the app and PostgreSQL that a test can cut."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
import sqlalchemy as sa

from cityid.devtools.synth.applicants import generate_applicants
from cityid.store import make_engine
from tests.conftest import ADMIN_PASSWORD, IN_CI, PASSPHRASE, PG_URL


def eligible_applicants(count: int, seed: int) -> list[dict[str, Any]]:
    """Synthetic applicants the rules accept, as the API takes them (no ground truth)."""
    lines = generate_applicants(count * 3, seed=seed, today=dt.date.today())
    chosen = [{k: v for k, v in line.items() if k != "truth"} for line in lines
              if line["truth"]["expect_eligible"]]  # fmt: skip
    return chosen[:count]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def postgres_schema() -> Iterator[str]:
    """A fresh PostgreSQL schema (its URL pins search_path to it), dropped afterwards."""
    admin = make_engine(PG_URL, poolclass=sa.pool.NullPool)
    try:
        with admin.begin() as conn:
            schema = f"rel_{uuid.uuid4().hex[:12]}"
            conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    except sa.exc.OperationalError:
        if IN_CI:
            pytest.fail(f"CI=true and PostgreSQL at {PG_URL} does not answer")
        pytest.skip(f"PostgreSQL at {PG_URL} does not answer")
    try:
        yield schema
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


def schema_url(schema: str, *, via_port: int | None = None) -> str:
    """PG_URL for `schema`, optionally through a proxy on `via_port`; TLS off so the
    proxy sees statements (loopback only)."""
    parts = urlsplit(PG_URL)
    netloc = parts.netloc
    if via_port is not None:
        netloc = (
            f"{parts.username}@127.0.0.1:{via_port}" if parts.username else f"127.0.0.1:{via_port}"
        )
    return f"{parts.scheme}://{netloc}{parts.path}?sslmode=disable&options=-csearch_path%3D{schema}"


def pg_address() -> tuple[str, int]:
    parts = urlsplit(PG_URL)
    return parts.hostname or "127.0.0.1", parts.port or 5432


def cityid_env(data_dir: Path, database_url: str | None) -> dict[str, str]:
    env = {**os.environ, "CITYID_KEYSTORE_PASSPHRASE": PASSPHRASE, "CITYID_DATA_DIR": str(data_dir)}
    env.pop("CITYID_DATABASE_URL", None)
    if database_url:
        env["CITYID_DATABASE_URL"] = database_url
    return env


def cityid(
    env: dict[str, str], *args: str, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """`cityid --json ARGS` in a child process."""
    return subprocess.run(
        [sys.executable, "-m", "cityid", "--json", *args],
        capture_output=True, text=True, env=env, timeout=timeout, check=False,
    )  # fmt: skip


def init_data_dir(tmp_path: Path, database_url: str | None) -> tuple[Path, dict[str, str]]:
    data_dir = tmp_path / "data"
    password_file = tmp_path / "admin.pw"
    password_file.write_text(ADMIN_PASSWORD)
    env = cityid_env(data_dir, database_url)
    done = cityid(env, "init", "--data-dir", str(data_dir), "--admin-password-file",
                  str(password_file))  # fmt: skip
    assert done.returncode == 0, done.stderr
    return data_dir, env


@dataclass
class Served:
    url: str
    process: subprocess.Popen[bytes]
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


@contextmanager
def serve(
    data_dir: Path, env: dict[str, str], log_path: Path, workers: int = 1
) -> Iterator[Served]:
    """`cityid serve` on a free loopback port until the block ends."""
    port = free_port()
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "cityid", "serve", "--data-dir", str(data_dir),
             "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)],
            env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        served = Served(f"http://127.0.0.1:{port}", process, log_path)
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                if process.poll() is not None:
                    raise RuntimeError(f"cityid serve exited:\n{served.log()}")
                try:
                    if httpx.get(f"{served.url}/healthz", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    time.sleep(0.2)
            else:
                raise RuntimeError(f"cityid serve did not start:\n{served.log()}")
            yield served
        finally:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)


def staff_token(url: str, username: str, password: str) -> str:
    answer = httpx.post(f"{url}/api/v1/tokens", json={"username": username, "password": password},
                        timeout=30)  # fmt: skip
    assert answer.status_code == 200, answer.text
    return str(answer.json()["token"])


@dataclass
class CuttableProxy:
    """A loopback TCP proxy to PostgreSQL, run by asyncio in a thread.

    `arm_cut_at(marker)`: the first client chunk containing `marker` on a connection
    that has already sent an INSERT is dropped, every connection is closed, and new
    ones are refused until `restore()`: the database is gone in the middle of a write.
    """

    target: tuple[str, int]
    port: int = 0
    cut_count: int = 0
    _marker: bytes | None = None
    _down: bool = False
    _writers: set[asyncio.StreamWriter] = field(default_factory=set)
    _loop: asyncio.AbstractEventLoop | None = None
    _ready: threading.Event = field(default_factory=threading.Event)

    def start(self) -> CuttableProxy:
        threading.Thread(target=self._run, daemon=True).start()
        assert self._ready.wait(10)
        return self

    def arm_cut_at(self, marker: bytes) -> None:
        self._marker = marker

    def restore(self) -> None:
        self._marker = None
        self._down = False

    def stop(self) -> None:
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)

    def _run(self) -> None:
        self._loop = asyncio.new_event_loop()
        server = self._loop.run_until_complete(asyncio.start_server(self._handle, "127.0.0.1", 0))
        self.port = int(server.sockets[0].getsockname()[1])
        self._ready.set()
        self._loop.run_forever()

    def _cut(self) -> None:
        self._down = True
        self._marker = None
        self.cut_count += 1
        for writer in list(self._writers):
            writer.transport.abort()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self._down:
            writer.transport.abort()
            return
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.transport.abort()
            return
        self._writers |= {writer, up_writer}
        wrote = [False]

        async def pump(
            src: asyncio.StreamReader, dst: asyncio.StreamWriter, upstream: bool
        ) -> None:
            try:
                while chunk := await src.read(65536):
                    if upstream:
                        wrote[0] = wrote[0] or b"INSERT" in chunk
                        if self._marker is not None and wrote[0] and self._marker in chunk:
                            self._cut()
                            return
                    dst.write(chunk)
                    await dst.drain()
            except (ConnectionError, OSError):
                pass
            finally:
                dst.transport.abort()

        await asyncio.gather(pump(reader, up_writer, True), pump(up_reader, writer, False))
        self._writers -= {writer, up_writer}


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def _socket_inodes_to(port: int) -> set[str]:
    """Inodes of established TCP sockets whose remote port is `port` (Linux /proc)."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if fields[3] == "01" and int(fields[2].rsplit(":", 1)[1], 16) == port:
                inodes.add(fields[9])
    return inodes


def workers_connected_to(parent_pid: int, port: int) -> int:
    """How many child processes of `parent_pid` hold a connection to `port` (their pool)."""
    inodes = _socket_inodes_to(port)
    connected = 0
    for child in _children(parent_pid):
        try:
            links = [
                os.readlink(f"/proc/{child}/fd/{fd}") for fd in os.listdir(f"/proc/{child}/fd")
            ]
        except OSError:
            continue
        if any(link.startswith("socket:[") and link[8:-1] in inodes for link in links):
            connected += 1
    return connected
