"""cityid production: queue, cut, export, printed, mailed, delivered, returned, pickup,
uncollected, list, show."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Literal

import typer

from cityid.cli.app import app
from cityid.cli.context import date_option, write_file
from cityid.cli.door import acting
from cityid.errors import BadInput

production_app = typer.Typer(
    help="Card production: print batches, mail, returned mail, pickup at a centre.",
    no_args_is_help=True,
)
app.add_typer(production_app, name="production")

_On = Annotated[str | None, typer.Option("--on", help="The day it happened (YYYY-MM-DD).")]
_Batch = Annotated[str, typer.Argument(help="A print batch (pb-...).")]


@production_app.command("queue")
def production_queue(ctx: typer.Context) -> None:
    """How many issued cards wait for a print batch (by mail, for pickup)."""
    from cityid.production import batches

    with acting(ctx, read_only=True) as act:
        result = batches.queue(act.uow, act.runtime, act.actor)
    act.emit(result, f"{result.waiting} cards wait ({result.for_pickup} for pickup).")


@production_app.command("cut")
def production_cut(
    ctx: typer.Context,
    limit: Annotated[int | None, typer.Option("--limit", help="At most this many cards.")] = None,
) -> None:
    """Cut a print batch from the oldest waiting cards."""
    from cityid.production import batches

    with acting(ctx) as act:
        result = batches.cut(act.uow, act.runtime, act.actor, limit=limit)
    act.emit(result, f"Print batch {result.batch_id}: {result.cards} cards.")


@production_app.command("export")
def production_export(
    ctx: typer.Context,
    batch_id: _Batch,
    out: Annotated[Path, typer.Option("--out", help="A directory for the three files.")],
    again: Annotated[
        bool, typer.Option("--again", help="Re-export (a supervisor, with --reason).")
    ] = False,
    reason: Annotated[
        str | None, typer.Option("--reason", help="Why it is exported again.")
    ] = None,
) -> None:
    """Write BATCH-manifest.json, its detached signature BATCH-manifest.jws and the
    print-ready sheets BATCH-sheets.pdf into --out. Once per batch unless --again."""
    from cityid.production import batches

    if out.exists() and not out.is_dir():
        raise BadInput(f"--out: {out} is not a directory")
    with acting(ctx) as act:
        result = batches.export(
            act.uow, act.runtime, act.actor, batch_id, again=again, reason=reason
        )
        out.mkdir(parents=True, exist_ok=True)
        files = {
            "manifest": out / f"{batch_id}-manifest.json",
            "signature": out / f"{batch_id}-manifest.jws",
            "sheets": out / f"{batch_id}-sheets.pdf",
        }
        write_file(files["manifest"], result.manifest)
        write_file(files["signature"], result.signature.encode("ascii"))
        write_file(files["sheets"], result.sheets)
    answer = {
        "batch_id": result.batch_id, "cards": result.cards, "export": result.export_number,
        "key_id": result.key_id, "manifest_sha256": result.manifest_sha256,
        "sheets_sha256": result.sheets_sha256, "files": {k: str(v) for k, v in files.items()},
    }  # fmt: skip
    act.emit(answer, f"Exported {result.cards} cards of {batch_id} into {out}.")


def _move(ctx: typer.Context, batch_id: str, step: Literal["printed", "mailed", "delivered"],
          on: str | None) -> None:  # fmt: skip
    from cityid.production import batches

    with acting(ctx) as act:
        result = batches.move(
            act.uow, act.runtime, act.actor, batch_id, step, on=date_option(on, "--on")
        )
    act.emit(result, f"Print batch {batch_id} is {result.status}.")


@production_app.command("printed")
def production_printed(ctx: typer.Context, batch_id: _Batch, on: _On = None) -> None:
    """The print partner printed the batch."""
    _move(ctx, batch_id, "printed", on)


@production_app.command("mailed")
def production_mailed(ctx: typer.Context, batch_id: _Batch, on: _On = None) -> None:
    """The batch went out: mail cards to the post, pickup cards to their centres."""
    _move(ctx, batch_id, "mailed", on)


@production_app.command("delivered")
def production_delivered(ctx: typer.Context, batch_id: _Batch, on: _On = None) -> None:
    """The post delivered the batch's mailed cards (those not returned)."""
    _move(ctx, batch_id, "delivered", on)


@production_app.command("returned")
def production_returned(
    ctx: typer.Context, card_number: Annotated[str, typer.Argument()], on: _On = None
) -> None:
    """The post returned a card: it waits at the centre, suspended, like a pickup card."""
    from cityid.production import pickup

    with acting(ctx) as act:
        result = pickup.returned(
            act.uow, act.runtime, act.actor, card_number, on=date_option(on, "--on")
        )
    act.emit(result, f"Card {result.card_number} returned; suspended until picked up.")


@production_app.command("pickup")
def production_pickup(
    ctx: typer.Context,
    card: Annotated[str, typer.Argument(help="Card number or application reference.")],
    date_of_birth: Annotated[str, typer.Option("--date-of-birth", help="YYYY-MM-DD")],
    id_seen: Annotated[
        bool, typer.Option("--id-seen", help="You saw the person's photo ID.")
    ] = False,
) -> None:
    """Hand a waiting card over at the desk after the identity check; it becomes valid."""
    from cityid.production import pickup
    from cityid.production.results import PickupOutcome

    born = date_option(date_of_birth, "--date-of-birth")
    assert born is not None
    with acting(ctx) as act:
        result = pickup.hand_over(
            act.uow, act.runtime, act.actor, card, date_of_birth=born, id_seen=id_seen
        )
    # A refusal is committed (it is logged), then answered as an error.
    if result.outcome is PickupOutcome.REFUSED:
        from cityid.cli.door import fail

        raise typer.Exit(fail(act.cli.json, "pickup_refused", result.reason or "", 1))
    act.emit(result, f"Card {result.card_number} handed over; it is now valid.")


@production_app.command("uncollected")
def production_uncollected(
    ctx: typer.Context,
    as_of: Annotated[str | None, typer.Option("--as-of", help="YYYY-MM-DD (default today)")] = None,
) -> None:
    """Revoke cards not collected within the policy's period; plan their erasure."""
    from cityid.production import pickup

    day: dt.date | None = date_option(as_of, "--as-of")
    with acting(ctx) as act:
        result = pickup.sweep_uncollected(act.uow, act.runtime, act.actor, as_of=day)
    act.emit(
        result,
        f"{len(result.revoked)} uncollected cards revoked; "
        f"erasure batches to approve: {', '.join(result.erasure_batches) or 'none'}.",
    )


@production_app.command("list")
def production_list(ctx: typer.Context) -> None:
    """The newest print batches."""
    from cityid.production import batches

    with acting(ctx, read_only=True) as act:
        result = batches.list_batches(act.uow, act.runtime, act.actor)
    act.emit(result)


@production_app.command("show")
def production_show(ctx: typer.Context, batch_id: _Batch) -> None:
    """A batch and its cards (numbers, delivery and state)."""
    from cityid.production import batches

    with acting(ctx, read_only=True) as act:
        result = batches.show(act.uow, act.runtime, act.actor, batch_id)
    act.emit(result)
