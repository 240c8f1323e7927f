"""A data dir (both database backends) with a supervisor and an approved application."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from cityid.bootstrap import open_runtime
from cityid.cards import issuing, service
from cityid.cards.results import Issued
from cityid.runtime import Runtime
from cityid.staff.actor import Actor
from cityid.store.uow import UnitOfWork
from tests.cards_service.card_helpers import approved_application, password_file, supervisor


@dataclass
class Desk:
    """What a card test needs: the runtime, a supervisor, and the CLI acting as them."""

    runtime: Runtime
    actor: Actor
    data_dir: Path
    run: Callable[..., Any]  # as the supervisor (signing in costs an Argon2 check)
    anon: Callable[..., Any]  # commands that act for nobody: verify, exports

    def new_application(self, **line: Any) -> str:
        return approved_application(self.runtime, self.actor, **line)

    def issue(self, **line: Any) -> Issued:
        """Issue in-process (the CLI door is tested once; sign-ins cost an Argon2 check)."""
        return self.do(issuing.issue, self.new_application(**line))

    def qr(self, card_number: str) -> str:
        return str(self.do(service.credential_qr, card_number)["qr"])

    def do(self, operation: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        with UnitOfWork(self.runtime.engine) as uow:
            result = operation(uow, self.runtime, self.actor, *args, **kwargs)
            uow.commit()
        return result


@pytest.fixture
def desk(data_dir: Path, cli: Any, tmp_path: Path) -> Iterator[Desk]:
    runtime = open_runtime(data_dir)
    actor = supervisor(runtime)
    secret = password_file(tmp_path)

    def run(*args: str) -> Any:
        return cli(
            "--json", "--data-dir", str(data_dir), "--actor", "sup",
            "--password-file", str(secret), *args,
        )  # fmt: skip

    def anon(*args: str) -> Any:
        return cli("--json", "--data-dir", str(data_dir), *args)

    found = Desk(runtime=runtime, actor=actor, data_dir=data_dir, run=run, anon=anon)
    yield found
    found.runtime.close()  # a test may have reopened it


@dataclass
class PublicSite:
    """`create_app` served by uvicorn on a free port, `public_base_url` set to its URL."""

    url: str
    desk: Desk


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def public_site(data_dir: Path, cli: Any, tmp_path: Path) -> Iterator[PublicSite]:
    """A real HTTP server over this backend's data dir, as a bank's verifier reaches it."""
    import threading
    import time

    import uvicorn

    from cityid.datadir import POLICY_FILE
    from cityid.web.app import create_app

    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    policy_file = data_dir / POLICY_FILE
    text = policy_file.read_text("utf-8")
    policy_file.write_text(
        text.replace('public_base_url = "http://127.0.0.1:8000"', f'public_base_url = "{url}"'),
        "utf-8",
    )
    runtime = open_runtime(data_dir)
    assert runtime.policy.program.public_base_url == url
    secret = password_file(tmp_path)
    desk = Desk(
        runtime=runtime,
        actor=supervisor(runtime),
        data_dir=data_dir,
        run=lambda *a: cli("--json", "--data-dir", str(data_dir), "--actor", "sup",
                           "--password-file", str(secret), *a),
        anon=lambda *a: cli("--json", "--data-dir", str(data_dir), *a),
    )  # fmt: skip
    server = uvicorn.Server(
        uvicorn.Config(create_app(runtime), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "the server did not start"
    try:
        yield PublicSite(url=url, desk=desk)
    finally:
        server.should_exit = True
        thread.join(timeout=15)
        runtime.close()
