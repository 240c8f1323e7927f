"""A data dir (both database backends) with a supervisor and an approved application."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from cityid.cards import service
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

    def issue(self, **line: Any) -> dict[str, Any]:
        """Issue in-process (the CLI door is tested once; sign-ins cost an Argon2 check)."""
        return self.do(service.issue, self.new_application(**line))

    def qr(self, card_number: str) -> str:
        return str(self.do(service.credential_qr, card_number)["qr"])

    def do(self, operation: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        with UnitOfWork(self.runtime.engine) as uow:
            result = operation(uow, self.runtime, self.actor, *args, **kwargs)
            uow.commit()
        return result


@pytest.fixture
def desk(data_dir: Path, cli: Any, tmp_path: Path) -> Iterator[Desk]:
    runtime = Runtime.open(data_dir)
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
