"""What every command shares: the global options and the way answers are printed."""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import typer

from cityid.bootstrap import open_runtime
from cityid.devtools.faults import from_environment
from cityid.errors import BadInput
from cityid.jsonable import to_json
from cityid.runtime import Runtime
from cityid.settings import Settings


@dataclass
class CliContext:
    json: bool = False
    data_dir: Path | None = None
    actor: str | None = None
    password_file: Path | None = None
    _runtime: Runtime | None = field(default=None, repr=False)

    @property
    def settings(self) -> Settings:
        return Settings()

    def resolved_data_dir(self) -> Path:
        return (self.data_dir or self.settings.data_dir).resolve()

    def runtime(self) -> Runtime:
        if self._runtime is None:
            self._runtime = open_runtime(
                self.resolved_data_dir(), self.settings, faults=from_environment()
            )
        return self._runtime

    def emit(self, data: object, human: str | Callable[[], None] | None = None) -> None:
        """Print the result: exactly one JSON document with --json, else the human text.
        Typed results (dataclasses, enums) become JSON here, through `to_json`."""
        data = to_json(data)
        if self.json:
            sys.stdout.write(json.dumps(data, ensure_ascii=False, default=str) + "\n")
        elif callable(human):
            human()
        elif human is not None:
            typer.echo(human)
        else:
            typer.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def cli_context(ctx: typer.Context) -> CliContext:
    obj = ctx.find_root().obj
    if not isinstance(obj, CliContext):
        obj = CliContext()
        ctx.find_root().obj = obj
    return obj


def read_file(path: Path) -> bytes:
    """A file named on the command line; unreadable is the caller's error, not a crash."""
    try:
        return path.read_bytes()
    except OSError as exc:
        raise BadInput(f"cannot read {path}: {exc.strerror or exc}") from None


def write_file(path: Path, data: bytes) -> None:
    try:
        path.write_bytes(data)
    except OSError as exc:
        raise BadInput(f"cannot write {path}: {exc.strerror or exc}") from None


def date_option(text: str | None, name: str) -> dt.date | None:
    """A YYYY-MM-DD option's value; a bad date is a usage error naming the option."""
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter("use YYYY-MM-DD", param_hint=name) from None


def progress_console() -> Any:
    """A Rich console on stderr, so progress never mixes with the JSON on stdout."""
    from rich.console import Console

    return Console(stderr=True)


@contextmanager
def stage_progress() -> Iterator[Callable[[str, int, int], None]]:
    """A Rich bar on stderr (stdout keeps the one JSON document), one task per stage;
    the callback is `update(stage, done, total)`. Rich draws it live on a terminal only."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    bar = Progress(
        "[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(),
        TimeElapsedColumn(), console=progress_console(), transient=False,
    )  # fmt: skip
    tasks: dict[str, Any] = {}

    def update(stage: str, done: int, total: int) -> None:
        if stage not in tasks:
            tasks[stage] = bar.add_task(stage, total=total)
        bar.update(tasks[stage], completed=done, total=total)

    with bar:
        yield update
