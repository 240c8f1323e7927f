"""cityid audit: checkpoints, the verifier key, entries, proofs and full verification."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer

from cityid.audit import service, tile_service
from cityid.cli.actor import resolve_actor
from cityid.cli.context import cli_context
from cityid.cli.door import job
from cityid.cli.main import app
from cityid.staff.permissions import authorize
from cityid.store.uow import UnitOfWork

audit_app = typer.Typer(help="The tamper-evident audit log.", no_args_is_help=True)
proof_app = typer.Typer(help="Inclusion and consistency proofs.", no_args_is_help=True)
tiles_app = typer.Typer(help="The log as C2SP tlog-tiles.", no_args_is_help=True)
app.add_typer(audit_app, name="audit")
audit_app.add_typer(proof_app, name="proof")
audit_app.add_typer(tiles_app, name="tiles")


@audit_app.command("checkpoint")
def checkpoint(ctx: typer.Context) -> None:
    """Sign a checkpoint of the log as it is now (C2SP signed note)."""
    cli = cli_context(ctx)
    runtime = cli.runtime()
    with UnitOfWork(runtime.engine) as uow:
        made = service.create_checkpoint(runtime, uow)
        uow.commit()
    cli.emit({"checkpoint": made.note, "size": made.size}, made.note.rstrip("\n"))


@audit_app.command("public-key")
def public_key(ctx: typer.Context) -> None:
    """The signed-note verifier key(s) that check the log's checkpoints."""
    cli = cli_context(ctx)
    keys = service.verifier_keys(cli.runtime())
    cli.emit({"verifier_keys": keys, "verifier_key": keys[-1]}, "\n".join(keys))


@audit_app.command("entries")
def entries(
    ctx: typer.Context,
    start: Annotated[int, typer.Option("--start", min=0)] = 0,
    end: Annotated[int | None, typer.Option("--end", min=0)] = None,
) -> None:
    """Entries as the exact bytes hashed into each leaf (base64)."""
    cli = cli_context(ctx)
    runtime = cli.runtime()
    authorize(runtime.policy, resolve_actor(cli), "audit.read")
    with UnitOfWork(runtime.engine, read_only=True) as uow:
        rows = service.entries(uow, start, end)
    cli.emit({"entries": rows}, "\n".join(f"{r['index']}\t{r['leaf']}" for r in rows))


@proof_app.command("inclusion")
def inclusion(
    ctx: typer.Context,
    index: Annotated[int, typer.Option("--index", min=0)],
    size: Annotated[int | None, typer.Option("--size", min=0)] = None,
) -> None:
    """The RFC 6962 inclusion proof of entry INDEX in the tree of SIZE.

    Without --size, against the latest signed checkpoint."""
    cli = cli_context(ctx)
    proof = service.inclusion_proof(cli.runtime(), index, size)
    cli.emit(proof)


@proof_app.command("consistency")
def consistency(
    ctx: typer.Context,
    old: Annotated[int, typer.Option("--old", min=0)],
    new: Annotated[int | None, typer.Option("--new", min=0)] = None,
) -> None:
    """The RFC 6962 consistency proof between tree sizes OLD and NEW.

    Without --new, to the latest signed checkpoint."""
    cli = cli_context(ctx)
    cli.emit(service.consistency_proof(cli.runtime(), old, new))


@audit_app.command("verify")
def verify(ctx: typer.Context) -> None:
    """Recompute the tree from every entry, check every checkpoint; name the first bad index."""
    cli = cli_context(ctx)
    result = service.verify(cli.runtime())
    human = (
        f"audit log OK: {result['size']} entries, {result['checkpoints_checked']} checkpoints"
        if result["ok"]
        else f"audit log FAILED at index {result['first_bad_index']} ({result['reason']})"
    )
    cli.emit(result, human)
    if not result["ok"]:
        raise typer.Exit(1)


@tiles_app.command("export")
def tiles_export(
    ctx: typer.Context,
    out: Annotated[Path, typer.Option("--out", file_okay=False, help="directory to write")],
) -> None:
    """Write checkpoint, tile/... and tile/entries/... of the latest signed checkpoint to OUT:
    the bytes /log/ serves, for a static host."""
    door = job(ctx, signed_in=False)
    result = tile_service.export(door.runtime, out)
    door.emit(
        asdict(result),
        f"wrote the log of {result.size} entries to {result.out} "
        f"({result.files} files, {result.bytes_written} bytes changed)",
    )
