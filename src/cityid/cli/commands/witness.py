"""cityid witness: run a C2SP tlog-witness for somebody's log (its own data dir)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cityid.cli.app import app
from cityid.cli.context import CliContext
from cityid.cli.door import plain
from cityid.errors import BadInput

witness_app = typer.Typer(
    help="A tlog-witness: cosign other logs' checkpoints that extend what it saw.",
    no_args_is_help=True,
)
app.add_typer(witness_app, name="witness")


def _witness_dir(cli: CliContext) -> Path:
    # The witness never falls back on CITYID_DATA_DIR: that is the log's data dir.
    if cli.data_dir is None:
        raise BadInput("name the witness's own data dir with --data-dir DIR")
    return cli.data_dir.resolve()


@witness_app.command("init")
def init(
    ctx: typer.Context,
    origin: Annotated[
        str, typer.Option("--origin", help="The witness's name, e.g. example.org/w1.")
    ],
) -> None:
    """Create a witness: a new Ed25519 key and an empty state; print its verifier key."""
    from cityid.witness import service

    door = plain(ctx)  # the witness's own dir, never a cityid data dir
    made = service.init(_witness_dir(door.cli), origin)
    door.emit({"name": made.name, "verifier_key": made.verifier_key}, made.verifier_key)


@witness_app.command("add-log")
def add_log(
    ctx: typer.Context,
    origin: Annotated[str, typer.Option("--origin", help="The log's checkpoint origin.")],
    vkey: Annotated[str, typer.Option("--vkey", help="The log's signed-note verifier key.")],
) -> None:
    """Trust a log: cosign its checkpoints signed by VKEY (a second key adds a rotation)."""
    from cityid.witness import service
    from cityid.witness.store import WitnessStore

    door = plain(ctx)
    log = service.add_log(WitnessStore(_witness_dir(door.cli)), origin, vkey)
    door.emit(
        {"origin": log.origin, "vkeys": list(log.vkeys), "size": log.size},
        f"Witnessing {log.origin} ({len(log.vkeys)} key(s), size {log.size}).",
    )


@witness_app.command("status")
def status(ctx: typer.Context) -> None:
    """The witness's name, verifier key and the latest size it cosigned per log."""
    from cityid.witness import service
    from cityid.witness.store import WitnessStore

    door = plain(ctx)
    found = service.info(WitnessStore(_witness_dir(door.cli)))
    logs = [
        {"origin": log.origin, "size": log.size, "vkeys": list(log.vkeys)} for log in found.logs
    ]
    human = "\n".join(
        [found.verifier_key, *(f"{entry['origin']}\t{entry['size']}" for entry in logs)]
    )
    door.emit({"name": found.name, "verifier_key": found.verifier_key, "logs": logs}, human)


@witness_app.command("serve")
def serve(
    ctx: typer.Context,
    port: Annotated[int, typer.Option("--port", min=1, max=65535)],
    host: Annotated[str, typer.Option("--host")] = "127.0.0.1",
) -> None:
    """Serve POST /add-checkpoint (and the monitoring GET) until stopped."""
    import uvicorn

    from cityid.witness.server import create_app
    from cityid.witness.store import WitnessStore

    door = plain(ctx)
    web = create_app(WitnessStore(_witness_dir(door.cli)))
    typer.echo(f"cityid witness: serving at http://{host}:{port}/", err=True)
    uvicorn.run(
        web, host=host, port=port, log_level="warning", access_log=False, proxy_headers=False
    )
