"""cityid keys: list, rotate, export-public."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cityid.cli.actor import resolve_actor
from cityid.cli.context import cli_context
from cityid.cli.main import app
from cityid.crypto import admin

keys_app = typer.Typer(help="Keys: list, rotate, export public keys.", no_args_is_help=True)
app.add_typer(keys_app, name="keys")


@keys_app.command("list")
def list_keys(ctx: typer.Context) -> None:
    """Key ids, kinds, purposes, states and dates (never material)."""
    cli = cli_context(ctx)
    keys = admin.list_keys(cli.runtime(), resolve_actor(cli))

    def table() -> None:
        for key in keys:
            typer.echo(
                f"{key.key_id:<28} {key.kind:<11} {key.purpose:<28} {key.state:<9} {key.created_at}"
            )

    cli.emit({"keys": keys}, table)


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
    cli = cli_context(ctx)
    new_ids = admin.rotate(
        cli.runtime(),
        resolve_actor(cli),
        kind,  # type: ignore[arg-type]
        purpose=purpose,
        record_class=record_class,
        period=period,
    )
    cli.emit({"kind": kind, "new_key_ids": new_ids}, f"New {kind} keys: {', '.join(new_ids)}")


@keys_app.command("export-public")
def export_public(
    ctx: typer.Context,
    out: Annotated[Path, typer.Option("--out", help="FILE.cbor (COSE_KeySet) or FILE.json")],
) -> None:
    """Export the card issuer's public keys for offline verifiers."""
    cli = cli_context(ctx)
    result = admin.export_public(cli.runtime(), out)
    cli.emit(result, f"Wrote {result.keys} public keys to {result.file}.")
