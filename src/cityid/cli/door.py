"""The one door every command goes through.

    with acting(ctx) as act:
        result = service(act.uow, act.runtime, act.actor, ...)
    act.emit(result, human)

`acting` opens the data dir's runtime, signs the actor in (`--actor`, or `system`), opens
a unit of work and commits it when the body returns; when the body raises, nothing is
committed. Answers are printed only after the commit, so nothing is reported that did
not happen. For the other kinds of command:

- `job(ctx)`: the runtime and actor of a long job whose runner owns its transactions
  (an import, a disposition batch); `Job.unit()` is one such transaction.
- `signed_in=False` (on either): the command needs no actor (verify, exports, proofs);
  it acts as `system` and never reads --actor. `operator=True` is `user add`'s.
- `plain(ctx)`: a command that opens no data dir (init, offline verify, the witness).

No command opens a unit of work, commits or signs anyone in by itself: `_unit` is the
only place the CLI does.

Errors have one answer too: `fail` writes `{"error": {"code", "message"}}` (or one line
on stderr) and `cityid.cli.main.run` turns every `CityIdError` into it with exit 1,
usage errors with exit 2, wherever the command raised.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass

import typer

from cityid.audit.refusals import LoggedRefusal, record_refusal
from cityid.cli.actor import credentials, local_operator
from cityid.cli.context import CliContext, cli_context
from cityid.operations.accounts import authenticate
from cityid.runtime import Runtime
from cityid.staff.actor import Actor
from cityid.store.uow import UnitOfWork


@dataclass(frozen=True)
class Door:
    """One command's global options and its way of answering."""

    cli: CliContext

    def emit(self, data: object, human: str | Callable[[], None] | None = None) -> None:
        self.cli.emit(data, human)


@dataclass(frozen=True)
class Job(Door):
    """One command's runtime and actor."""

    runtime: Runtime
    actor: Actor

    def unit(self, *, read_only: bool = False) -> AbstractContextManager[UnitOfWork]:
        """One of the job's transactions (see `_unit`)."""
        return _unit(self.runtime, read_only=read_only)


@dataclass(frozen=True)
class Act(Job):
    """One command's runtime, actor and unit of work."""

    uow: UnitOfWork


def plain(ctx: typer.Context) -> Door:
    """The door of a command that opens no data dir: options and output only."""
    return Door(cli_context(ctx))


def job(ctx: typer.Context, *, signed_in: bool = True, operator: bool = False) -> Job:
    """Runtime and actor for a command whose service owns its transactions.

    `signed_in=False`: act as `system` whatever --actor says. `operator=True` (`user
    add`, whose --password-file is the new user's): the actor's password comes from
    CITYID_PASSWORD, and with no actor named the local operator acts, once they have
    unlocked the keystore.
    """
    cli = cli_context(ctx)
    runtime = cli.runtime()
    actor = _sign_in(cli, runtime, operator=operator) if signed_in else Actor.system()
    return Job(cli, runtime, actor)


@contextmanager
def acting(
    ctx: typer.Context,
    *,
    read_only: bool = False,
    signed_in: bool = True,
    operator: bool = False,
) -> Iterator[Act]:
    """Runtime, actor (see `job`) and a unit of work that commits when the body returns."""
    door = job(ctx, signed_in=signed_in, operator=operator)
    with door.unit(read_only=read_only) as uow:
        yield Act(door.cli, door.runtime, door.actor, uow)


def _sign_in(cli: CliContext, runtime: Runtime, *, operator: bool) -> Actor:
    """The named staff user, signed in (a failed attempt counts even though the command
    is refused), or `system` (the local operator for `operator`) when none is named."""
    named = credentials(cli, password_file=not operator)
    if named is None:
        return local_operator(runtime) if operator else Actor.system()
    with _unit(runtime) as uow:
        return authenticate(uow, runtime.policy, named.username, named.password)


@contextmanager
def _unit(runtime: Runtime, *, read_only: bool = False) -> Iterator[UnitOfWork]:
    """The one place the CLI opens a unit of work: committed when the body returns
    (read-only units have nothing to commit), rolled back when it raises; a
    `LoggedRefusal` is then written to the audit log in a transaction of its own."""
    try:
        with UnitOfWork(runtime.engine, read_only=read_only) as uow:
            yield uow
            if not read_only:
                uow.commit()
    except LoggedRefusal as refusal:
        record_refusal(runtime.engine, refusal)
        raise


def fail(json_mode: bool, code: str, message: str, status: int) -> int:
    """The error answer: `{"error": {"code", "message"}}` on stdout with --json, else one
    line on stderr. Returns the exit status it was given (1 refused or failed, 2 usage)."""
    if json_mode:
        sys.stdout.write(json.dumps({"error": {"code": code, "message": message}}) + "\n")
    else:
        sys.stderr.write(f"cityid: {message}\n")
    return status
