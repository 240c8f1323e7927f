"""cityid bench: the performance table."""

from __future__ import annotations

from typing import Annotated

import typer

from cityid.cli.app import app
from cityid.cli.context import stage_progress
from cityid.cli.door import plain


@app.command()
def bench(
    ctx: typer.Context,
    size: Annotated[
        int | None, typer.Option("--size", min=1, help="Scale sizes down for a quick look.")
    ] = None,
    only: Annotated[list[str] | None, typer.Option("--only", help="Run only these suites.")] = None,
) -> None:
    """Measure every figure with its target and anchor; prints one table."""
    from rich.console import Console
    from rich.table import Table

    from cityid.devtools.bench import suites as benchmarks

    door = plain(ctx)  # each bench makes its own throwaway data dirs
    with stage_progress() as progress:  # on stderr: stdout keeps the table or the JSON
        rows = benchmarks.run(size=size, only=only, progress=progress)

    def show() -> None:
        table = Table(title="cityid bench")
        for column in ("figure", "value", "unit", "target", "anchor", "anchor value", "ok"):
            table.add_column(column)
        for row in rows:
            table.add_row(
                row.name,
                f"{row.value:,.3f}".rstrip("0").rstrip("."),
                row.unit,
                "" if row.target is None else f"{row.target:,g}",
                row.anchor or "",
                "" if row.anchor_value is None else f"{row.anchor_value:,.3f}",
                {True: "yes", False: "NO", None: ""}[row.ok],
            )
        Console(width=160).print(table)

    door.emit({"results": [row.to_json() for row in rows]}, show)
