"""cityid demo: the 2016 story, narrated; cityid demo-state: its end state for `make run`."""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer

from cityid.cli.app import app
from cityid.cli.context import CliContext, progress_console
from cityid.cli.door import Door, plain
from cityid.demo.checks import StepResult
from cityid.demo.state import DEFAULT_STATE_SIZE, FILES_DIR, load_end_state, write_logins
from cityid.demo.story import STEPS, Story, story_settings, tell

DEFAULT_SIZE = 2000
_NUMBER = {name: index for index, (name, _step) in enumerate(STEPS, 1)}


def _check_empty(data_dir: Path) -> None:
    if data_dir.exists() and (not data_dir.is_dir() or any(data_dir.iterdir())):
        raise typer.BadParameter(
            f"{data_dir} is not empty; the story needs a fresh data dir", param_hint="--data-dir"
        )


@contextmanager
def _narrator(
    cli: CliContext, headline: str
) -> Iterator[tuple[Callable[[StepResult], None], Callable[[str], None]]]:
    """One line per step on stdout (Rich), progress on stderr; quiet under --json."""
    from rich.console import Console
    from rich.markup import escape

    out = Console(highlight=False)
    err = progress_console()
    status = err.status("") if not cli.json else None
    started = time.monotonic()
    if not cli.json:
        out.print(f"[bold]{escape(headline)}[/]", soft_wrap=True)

    def on_result(result: StepResult) -> None:
        if cli.json:
            return
        mark = "[green]✓[/]" if result.ok else "[bold red]✗[/]"
        seconds = time.monotonic() - started
        detail = escape(result.detail) if result.ok else f"[red]{escape(result.detail)}[/]"
        out.print(
            f"{mark} {_NUMBER[result.name]:>2} [bold]{result.name}[/]: {detail}"
            f" [dim]({seconds:.0f}s)[/]",
            soft_wrap=True,
        )

    def note(text: str) -> None:
        if status is not None:
            status.update(text)

    if status is None:
        yield on_result, note
    else:
        with status:
            yield on_result, note


def _finish(door: Door, results: list[StepResult], extra: dict[str, Any]) -> None:
    ok = bool(results) and all(r.ok for r in results) and len(results) == len(STEPS)
    document = {"steps": [r.to_json() for r in results], "ok": ok, **extra}
    passed = sum(r.ok for r in results)
    summary = f"{passed}/{len(STEPS)} steps as the story says" + ("" if ok else ": FAILED")
    door.emit(document, summary)
    if not ok:
        raise typer.Exit(1)


@app.command()
def demo(
    ctx: typer.Context,
    size: Annotated[
        int, typer.Option("--size", min=20, help="How many synthetic applicants to enroll.")
    ] = DEFAULT_SIZE,
) -> None:
    """The 2016 story, start to end, each step checked (exit 1 if any differs)."""
    door = plain(ctx)  # the story makes its own data dir
    cli = door.cli
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="cityid-demo-") as scratch:
        if cli.data_dir is not None:
            data_dir = cli.data_dir.resolve()
            _check_empty(data_dir)
            settings = story_settings(data_dir, throwaway=False)
            work_dir = data_dir / FILES_DIR
        else:
            data_dir = Path(scratch) / "data"
            settings = story_settings(data_dir, throwaway=True)
            work_dir = Path(scratch) / "files"
        where = str(data_dir) if cli.data_dir is not None else "a throwaway data dir"
        headline = f"cityid demo: the 2016 story, {size} applicants, in {where}"
        with _narrator(cli, headline) as (on_result, note):
            story = Story(data_dir, settings, size, work_dir, note=note)
            try:
                results = tell(story, on_result)
            finally:
                story.close()
            kept = cli.data_dir is not None
            logins = write_logins(story) if kept and story.cast.passwords else None
    extra: dict[str, Any] = {"size": size, "seconds": round(time.monotonic() - started, 1)}
    if cli.data_dir is not None:
        extra["data_dir"] = str(data_dir)
        extra["logins"] = str(logins) if logins else None
        if not cli.json:
            _how_to_serve(data_dir, logins)
    _finish(door, results, extra)


def _how_to_serve(data_dir: Path, logins: Path | None) -> None:
    """The story's data dir is kept: say how to look at it (on stderr, beside progress)."""
    lines = [f"cityid: the story's data dir is kept in {data_dir}"]
    if logins is not None:
        lines.append(f"cityid: staff logins, one per role: {logins}")
    lines.append(
        f"cityid: serve it with: CITYID_INSECURE_COOKIES=1 cityid serve --data-dir {data_dir}"
        " (then open http://127.0.0.1:8000/)"
    )
    err = progress_console()
    for line in lines:
        err.print(line, soft_wrap=True, markup=False, highlight=False)


@app.command("demo-state", hidden=True)
def demo_state(
    ctx: typer.Context,
    size: Annotated[int, typer.Option("--size", min=20)] = DEFAULT_STATE_SIZE,
) -> None:
    """Load the story's end state into a fresh --data-dir and write DATA_DIR/logins.txt."""
    door = plain(ctx)  # the data dir is made here, from nothing
    data_dir = door.cli.resolved_data_dir()
    _check_empty(data_dir)
    headline = f"cityid: loading the 2016 story's end state into {data_dir}"
    with _narrator(door.cli, headline) as (on_result, note):
        results, logins = load_end_state(data_dir, size, on_result=on_result, note=note)
    _finish(door, results, {"data_dir": str(data_dir), "logins": str(logins) if logins else None})
