"""cityid keys: list, rotate, export-public."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cityid.cli.app import app
from cityid.cli.door import job
from cityid.operations import keys as admin

keys_app = typer.Typer(help="Keys: list, rotate, export public keys.", no_args_is_help=True)
app.add_typer(keys_app, name="keys")


@keys_app.command("list")
def list_keys(ctx: typer.Context) -> None:
    """Key ids, kinds, purposes, states and dates (never material)."""
    door = job(ctx)
    keys = admin.list_keys(door.runtime, door.actor)

    def table() -> None:
        for key in keys:
            typer.echo(
                f"{key.key_id:<28} {key.kind:<11} {key.purpose:<28} {key.state:<9} {key.created_at}"
            )

    door.emit({"keys": keys}, table)


@keys_app.command("rotate")
def rotate(
    ctx: typer.Context,
    kind: Annotated[str, typer.Option("--kind", help="signing, cohort or keyed-hash")],
    purpose: Annotated[str | None, typer.Option("--purpose")] = None,
    record_class: Annotated[str | None, typer.Option("--record-class")] = None,
    period: Annotated[str | None, typer.Option("--period")] = None,
) -> None:
    """Make new keys of a kind; old signing keys keep verifying what they signed."""
    if kind not in ("signing", "cohort", "keyed-hash"):
        raise typer.BadParameter("must be signing, cohort or keyed-hash", param_hint="--kind")
    door = job(ctx)
    new_ids = admin.rotate(
        door.runtime,
        door.actor,
        kind,  # type: ignore[arg-type]
        purpose=purpose,
        record_class=record_class,
        period=period,
    )
    door.emit({"kind": kind, "new_key_ids": new_ids}, f"New {kind} keys: {', '.join(new_ids)}")


@keys_app.command("export-public")
def export_public(
    ctx: typer.Context,
    out: Annotated[Path, typer.Option("--out", help="FILE.cbor (COSE_KeySet) or FILE.json")],
) -> None:
    """Export the card issuer's public keys for offline verifiers."""
    door = job(ctx, signed_in=False)
    result = admin.export_public(door.runtime, out)
    door.emit(result, f"Wrote {result.keys} public keys to {result.file}.")
