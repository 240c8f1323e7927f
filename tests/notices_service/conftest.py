"""A data dir on both databases, a supervisor, and applications with a contact on file."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from cityid.bootstrap import open_runtime
from cityid.notices.tables import notice_outbox
from cityid.runtime import Runtime
from cityid.staff.actor import Actor
from cityid.store.uow import UnitOfWork
from tests.cards_service.card_helpers import approved_application, supervisor

EMAIL = "maria.garcia@example.org"
PHONE = "+17185550123"


@dataclass
class Office:
    runtime: Runtime
    actor: Actor
    data_dir: Path

    def application(self, *, keep_decision: bool = False, **line: Any) -> str:
        """An approved application with an email on file. Its approval queues a decision
        notice; unless `keep_decision`, that one is taken out (as if long delivered), so a
        test sees only the notices it queues itself."""
        line.setdefault("contact_email", EMAIL)
        app = approved_application(self.runtime, self.actor, **line)
        if not keep_decision:
            with self.runtime.engine.begin() as conn:
                conn.execute(notice_outbox.delete().where(notice_outbox.c.subject_id == app))
        return app

    def do(self, operation: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        with UnitOfWork(self.runtime.engine) as uow:
            result = operation(uow, self.runtime, self.actor, *args, **kwargs)
            uow.commit()
        return result


@pytest.fixture
def office(data_dir: Path) -> Iterator[Office]:
    runtime = open_runtime(data_dir)
    yield Office(runtime, supervisor(runtime), data_dir)
    runtime.close()
