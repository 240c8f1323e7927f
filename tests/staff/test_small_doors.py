"""Small doors: a data dir only its owner can read, and request bodies capped as they
stream in, against a real server (uvicorn) with chunked uploads sent by httpx."""

from __future__ import annotations

import socket
import stat
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from cityid.bootstrap import open_runtime
from cityid.web.app import create_app
from tests.conftest import ADMIN_PASSWORD, policy_without_second_factor

CAP = 65_536


def _modes(directory: Path) -> dict[str, int]:
    found = {".": stat.S_IMODE(directory.stat().st_mode)}
    for path in directory.rglob("*"):
        found[str(path.relative_to(directory))] = stat.S_IMODE(path.stat().st_mode)
    return found


def test_every_file_in_a_new_data_dir_is_the_owners_alone(data_dir: Path) -> None:
    runtime = open_runtime(data_dir)
    from fastapi.testclient import TestClient

    with TestClient(create_app(runtime)) as client:  # a server writing its database
        assert (
            client.post(
                "/api/v1/tokens", json={"username": "admin", "password": ADMIN_PASSWORD}
            ).status_code
            == 200
        )
        modes = _modes(data_dir)
    runtime.close()
    assert "config.toml" in modes and "policy.toml" in modes
    if runtime.engine.dialect.name == "sqlite" and runtime.engine.url.database:
        database = Path(runtime.engine.url.database)
        assert stat.S_IMODE(database.stat().st_mode) == 0o600, "the database, 0644 before"
        runtime = open_runtime(data_dir)
        with runtime.engine.connect() as conn:  # open: its write-ahead log exists now
            for suffix in ("-wal", "-shm"):
                beside = Path(f"{database}{suffix}")
                assert stat.S_IMODE(beside.stat().st_mode) == 0o600, suffix
            conn.rollback()
        runtime.close()
    for name, mode in modes.items():
        wanted = 0o700 if (data_dir / name).is_dir() else 0o600
        assert mode == wanted, f"{name}: {oct(mode)}"
    from cityid.operations.backup import create_backup

    backup = data_dir.parent / "backup.db"
    runtime = open_runtime(data_dir)
    create_backup(runtime.engine, backup)
    runtime.close()
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600, "a backup holds the records too"


@pytest.fixture
def served(tmp_path: Path, settings_for: Any) -> Iterator[str]:
    """A data dir whose policy caps bodies at 64 KiB, served by uvicorn in a thread."""
    from cityid.datadir import init_data_dir

    policy = tmp_path / "policy.toml"
    policy.write_text(
        policy_without_second_factor().replace(
            "max_request_body_bytes = 26214400", f"max_request_body_bytes = {CAP}"
        )
    )
    directory = tmp_path / "data"
    init_data_dir(directory, settings_for(directory), policy_file=policy,
                  admin_password=ADMIN_PASSWORD)  # fmt: skip
    runtime = open_runtime(directory)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(create_app(runtime), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


class Counted:
    """A body of many chunks that counts how much of it was read."""

    def __init__(self, chunks: int, size: int = 16_384) -> None:
        self.chunks, self.size, self.sent = chunks, size, 0

    def __iter__(self) -> Iterator[bytes]:
        for _ in range(self.chunks):
            self.sent += self.size
            yield b"x" * self.size


def test_an_oversized_chunked_body_gets_413_without_being_read_whole(served: str) -> None:
    body = Counted(chunks=2_000)  # 32 MB offered, 64 KiB allowed
    with httpx.Client(timeout=30) as client:
        answer = client.post(
            f"{served}/api/v1/tokens", content=body, headers={"content-type": "application/json"}
        )
    assert answer.status_code == 413, answer.text
    assert answer.json()["error"]["message"].startswith("the request body is larger")
    assert body.sent < 2_000 * 16_384 // 4, f"read {body.sent} bytes of 32 MB"


def test_a_declared_oversized_body_is_refused_before_it_is_sent(served: str) -> None:
    with httpx.Client(timeout=30) as client:
        answer = client.post(
            f"{served}/api/v1/tokens",
            content=b"x" * (CAP + 1),
            headers={"content-type": "application/json"},
        )
        assert answer.status_code == 413
        assert answer.json()["error"]["code"] == "too_large"
        small = client.post(
            f"{served}/api/v1/tokens", json={"username": "admin", "password": ADMIN_PASSWORD}
        )
        assert small.status_code == 200, "bodies under the cap are served as before"
        field = client.post(f"{served}/api/v1/tokens", json={"username": "a" * 65, "password": "x"})
        assert field.status_code == 422, "the per-field limits still hold under the cap"


def test_serving_tightens_a_data_dir_made_before(data_dir: Path) -> None:
    from cityid.datadir import make_private

    (data_dir / "policy.toml").chmod(0o644)
    data_dir.chmod(0o755)
    make_private(data_dir)  # what `cityid serve` does before it listens
    assert stat.S_IMODE((data_dir / "policy.toml").stat().st_mode) == 0o600
    assert stat.S_IMODE(data_dir.stat().st_mode) == 0o700
