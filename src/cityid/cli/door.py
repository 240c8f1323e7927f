"""The one door every command goes through.

    with acting(ctx) as act:
        result = service(act.uow, act.runtime, act.actor, ...)
    act.emit(result, human)

`acting` opens the data dir's runtime, signs the actor in (`--actor`, or `system`), opens
a unit of work and commits it when the body returns; when the body raises, nothing is
committed and `cityid.cli.main` turns the `CityIdError` into the JSON error and exit
code. Answers are printed only after the commit, so nothing is reported that did not
happen. Long jobs that commit as they go (an import, a disposition batch) take
`job(ctx)` instead: the same runtime and actor, and the job's runner owns its
transactions.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import typer

from cityid.cli.actor import resolve_actor
from cityid.cli.context import CliContext, cli_context
from cityid.runtime import Runtime
from cityid.staff.actor import Actor
from cityid.store.uow import UnitOfWork


@dataclass(frozen=True)
class Job:
    """One command's runtime and actor."""

    cli: CliContext
    runtime: Runtime
    actor: Actor

    def emit(self, data: object, human: str | Callable[[], None] | None = None) -> None:
        self.cli.emit(data, human)


@dataclass(frozen=True)
class Act(Job):
    """One command's runtime, actor and unit of work."""

    uow: UnitOfWork


def job(ctx: typer.Context, *, signed_in: bool = True) -> Job:
    """Runtime and actor for a command whose service owns its transactions."""
    cli = cli_context(ctx)
    runtime = cli.runtime()
    return Job(cli, runtime, resolve_actor(cli) if signed_in else Actor.system())


@contextmanager
def acting(ctx: typer.Context, *, read_only: bool = False, signed_in: bool = True) -> Iterator[Act]:
    """Runtime, actor (`system` when `signed_in` is false or none is named) and a unit of
    work that commits when the body returns (read-only units have nothing to commit)."""
    door = job(ctx, signed_in=signed_in)
    with UnitOfWork(door.runtime.engine, read_only=read_only) as uow:
        yield Act(door.cli, door.runtime, door.actor, uow)
        if not read_only:
            uow.commit()
