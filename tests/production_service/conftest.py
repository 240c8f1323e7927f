"""A data dir (both database backends) with the staff card production involves."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from cityid.bootstrap import open_runtime
from cityid.cards import issuing
from cityid.cards.results import Issued
from cityid.operations.accounts import add_user
from cityid.runtime import Runtime
from cityid.staff.actor import Actor
from cityid.store.uow import UnitOfWork
from tests.cards_service.card_helpers import approved_application

PASSWORD = "a long production passphrase 7"
ROLES = {
    "sup": "supervisor",
    "printer": "production",
    "officer": "records_officer",
    "counsel": "counsel",
    "clerk": "clerk",
}


@dataclass
class Floor:
    """The runtime, one actor per role, and the CLI acting as any of them."""

    runtime: Runtime
    staff: dict[str, Actor]
    data_dir: Path
    as_user: Callable[..., Any]  # as_user("printer", "production", "cut")
    anon: Callable[..., Any]

    def do(self, who: str, operation: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        with UnitOfWork(self.runtime.engine) as uow:
            result = operation(uow, self.runtime, self.staff[who], *args, **kwargs)
            uow.commit()
        return result

    def issue(self, **line: Any) -> Issued:
        application_id = approved_application(self.runtime, self.staff["sup"], **line)
        issued: Issued = self.do("sup", issuing.issue, application_id)
        return issued


@pytest.fixture
def floor(data_dir: Path, cli: Any, tmp_path: Path) -> Iterator[Floor]:
    runtime = open_runtime(data_dir)
    staff: dict[str, Actor] = {}
    with UnitOfWork(runtime.engine) as uow:
        for username, role in ROLES.items():
            staff[username] = add_user(
                uow, runtime.policy, username=username, role=role, password=PASSWORD,
                by=Actor("test", "test", "admin"),
            )  # fmt: skip
        uow.commit()
    secret = tmp_path / "staff.pw"
    secret.write_text(PASSWORD)

    def as_user(who: str, *args: str) -> Any:
        return cli(
            "--json", "--data-dir", str(data_dir), "--actor", who,
            "--password-file", str(secret), *args,
        )  # fmt: skip

    def anon(*args: str) -> Any:
        return cli("--json", "--data-dir", str(data_dir), *args)

    found = Floor(runtime=runtime, staff=staff, data_dir=data_dir, as_user=as_user, anon=anon)
    yield found
    found.runtime.close()
