"""The root `cityid` command and its global options; every command module adds itself here.

Apart from `cityid.cli.main` so that the command modules import this, and `main` imports
them, without a circle.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cityid.cli.context import CliContext

app = typer.Typer(
    name="cityid",
    help="cityid: records for a municipal identity card program.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

# Options that may stand anywhere on the line (`cityid --json init --data-dir D`).
GLOBAL_FLAGS = {"--json"}
GLOBAL_VALUED = {"--data-dir", "--actor", "--password-file"}


@app.callback()
def root(
    ctx: typer.Context,
    json_output: Annotated[
        bool, typer.Option("--json", help="Print exactly one JSON document on stdout.")
    ] = False,
    data_dir: Annotated[
        Path | None,
        typer.Option(
            "--data-dir", help="The data dir (env CITYID_DATA_DIR; default ./cityid-data)."
        ),
    ] = None,
    actor: Annotated[
        str | None, typer.Option("--actor", help="Act as this staff user (env CITYID_ACTOR).")
    ] = None,
    password_file: Annotated[
        Path | None,
        typer.Option(
            "--password-file", help="File holding the actor's password (env CITYID_PASSWORD)."
        ),
    ] = None,
) -> None:
    ctx.obj = CliContext(
        json=json_output, data_dir=data_dir, actor=actor, password_file=password_file
    )
