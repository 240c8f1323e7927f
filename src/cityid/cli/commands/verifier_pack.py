"""verifier-pack export|show: the one signed file offline verifiers download daily."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from cityid.cli.app import app
from cityid.cli.context import read_file, write_file
from cityid.cli.door import acting, plain

verifier_pack_app = typer.Typer(
    help="The verifier pack: keys, status lists and checkpoint in one signed file.",
    no_args_is_help=True,
)
app.add_typer(verifier_pack_app, name="verifier-pack")


@verifier_pack_app.command("export")
def export(
    ctx: typer.Context,
    out: Annotated[Path, typer.Option("--out", help="The pack file to write.")],
) -> None:
    """Write a freshly signed pack (what GET /.well-known/cityid/verifier-pack serves)."""
    from cityid.cards import verifier_pack_service

    with acting(ctx, read_only=True, signed_in=False) as act:
        built = verifier_pack_service.build(act.runtime, act.uow)
    write_file(out, built.data)
    result = {
        "file": str(out),
        "bytes": len(built.data),
        "issued_at": built.issued_at.isoformat(),
        "ttl_seconds": built.ttl_seconds,
        "status_lists": list(built.status_lists),
        "keys": list(built.key_ids),
        "checkpoint_size": built.checkpoint_size,
    }
    act.emit(result, f"Wrote the verifier pack to {out} ({len(built.data)} bytes).")


@verifier_pack_app.command("show")
def show(
    ctx: typer.Context,
    pack: Annotated[Path, typer.Argument(help="The pack file.")],
    keys: Annotated[
        Path, typer.Option("--keys", help="The issuer keys you trust (COSE_KeySet or JWK Set).")
    ],
) -> None:
    """Check a pack against keys you trust and say what it holds (no network)."""
    from cityid.cards import verify_inputs
    from cityid.cards.verifier_pack import read_pack

    now = dt.datetime.now(dt.UTC)
    anchor = verify_inputs.issuer_keys_from_file(read_file(keys), keys.name)
    plain(ctx).emit(read_pack(read_file(pack), anchor, now=now).summary(now))
