"""Refusals that must be logged even though the refused request rolls back.

A read refused for want of a purpose, or outside the reader's scope, is itself worth an
audit entry; but the door rolls back the refused request's unit of work, and the entry
with it. So the service raises a `LoggedRefusal` carrying the entry, and the door that
owns the unit of work (web `UowDep`, the CLI's `acting`) appends it in a fresh
transaction once the first has rolled back. The entry holds codes and opaque ids only.
"""

from __future__ import annotations

from sqlalchemy import Engine

from cityid.audit import log as audit_log
from cityid.errors import CityIdError
from cityid.staff.actor import Actor
from cityid.store.uow import UnitOfWork


class LoggedRefusal(CityIdError):
    """A refusal whose audit entry (`event`) the door writes after rolling back."""

    code = "refused_read"
    http_status = 403

    def __init__(
        self,
        message: str,
        *,
        actor: Actor,
        action: str,
        targets: tuple[str, ...],
        reason: str,
        code: str | None = None,
        http_status: int | None = None,
    ) -> None:
        super().__init__(message, code=code)
        if http_status is not None:
            self.http_status = http_status
        self.event = audit_log.Event(actor, action, targets, reason)


def record_refusal(engine: Engine, refusal: LoggedRefusal) -> None:
    """Append the refusal's entry in its own transaction (the request's rolled back)."""
    with UnitOfWork(engine) as uow:
        audit_log.append_many(uow, [refusal.event])
        uow.commit()
