"""The port every read of an application asks first: why (purpose) and may this reader.

Enrollment says what it asks (`ReadGuard`) and what it knows of the record
(`RecordFacts`: ids, centre, intake time, status; nothing personal). The rules (purposes
from the policy, scope by role and centre, supervisors' exceptions, the search cap and
rate) live in `cityid.accountability`, whose guard the composition root binds to
`READ_GUARD`; enrollment never imports it. A refusal is a `LoggedRefusal`: the door
writes its audit entry after rolling the refused request back.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Protocol

from cityid.runtime import ProcessService, Runtime
from cityid.staff.actor import Actor
from cityid.store.uow import UnitOfWork


@dataclass(frozen=True)
class RecordFacts:
    """What the guard may know of the record being opened (no personal data)."""

    application_id: str
    centre: str | None
    created_at: dt.datetime
    status: str


@dataclass(frozen=True)
class Grant:
    """A read the guard let through: what its audit entry says (codes and ids only)."""

    purpose: str
    reference: str | None = None
    extra: Mapping[str, str | int] = field(default_factory=lambda: MappingProxyType({}))


class ReadGuard(Protocol):
    """Asked before an application is opened and before a search; raises to refuse."""

    def check_open(
        self,
        uow: UnitOfWork,
        runtime: Runtime,
        actor: Actor,
        record: RecordFacts,
        purpose: str | None,
    ) -> Grant: ...

    def check_search(
        self, uow: UnitOfWork, runtime: Runtime, actor: Actor, purpose: str | None
    ) -> tuple[Grant, int]:
        """The grant and the most results the search may answer."""
        ...


# A port: no default, so a runtime the composition root did not build refuses to read.
READ_GUARD: ProcessService[ReadGuard] = ProcessService("read guard")


def guard(runtime: Runtime) -> ReadGuard:
    return runtime.services.get(READ_GUARD)


def facts(row: Any) -> RecordFacts:
    """The facts of an `applications` row."""
    created = row.created_at
    created = created.replace(tzinfo=dt.UTC) if created.tzinfo is None else created
    return RecordFacts(row.application_id, row.centre, created, row.status)
