"""cityid matching (batch self-deduplication, re-encoding) and cityid review (the queue)."""

from __future__ import annotations

from typing import Annotated

import typer

from cityid.cli.app import app
from cityid.cli.context import stage_progress
from cityid.cli.door import acting, job

matching_app = typer.Typer(
    help="Duplicate detection over the whole register.", no_args_is_help=True
)
review_app = typer.Typer(help="The investigators' review queue.", no_args_is_help=True)
app.add_typer(matching_app, name="matching")
app.add_typer(review_app, name="review")


@matching_app.command("dedupe")
def dedupe(ctx: typer.Context) -> None:
    """Score every pair of enrolled applications that share a blocking token; queue new hits."""
    from cityid.matching.service import deduplicate_register

    door = job(ctx)
    with stage_progress() as progress:
        summary = deduplicate_register(door.runtime, door.actor, progress)
    door.emit(
        summary,
        f"{summary.enrolled} enrolled, {summary.compared} pairs compared,"
        f" {summary.pairs} above the threshold, {summary.opened} new review items"
        f" ({summary.seconds} s)",
    )


@matching_app.command("reencode")
def reencode(
    ctx: typer.Context,
    everything: Annotated[
        bool, typer.Option("--all", help="Re-encode even those already under the active key.")
    ] = False,
) -> None:
    """Re-encode every application under the active match key (after a key rotation)."""
    from cityid.matching.service import reencode_register

    door = job(ctx)
    with stage_progress() as progress:
        summary = reencode_register(door.runtime, door.actor, progress, everything=everything)
    door.emit(
        summary,
        f"{summary.encoded} re-encoded under {summary.key_id},"
        f" {summary.skipped_current} already current, {summary.removed} removed",
    )


@review_app.command("list")
def review_list(
    ctx: typer.Context,
    status: Annotated[str, typer.Option("--status", help="open, decided or all.")] = "open",
    kind: Annotated[str | None, typer.Option("--kind", help="Only this signal.")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=10_000)] = 100,
) -> None:
    """Queue items: ids, kind, score, reasons (no personal data)."""
    from cityid.matching import review

    if status not in ("open", "decided", "all"):
        raise typer.BadParameter("--status must be open, decided or all")
    with acting(ctx, read_only=True) as act:
        items = review.list_items(
            act.uow,
            act.runtime,
            act.actor,
            status=None if status == "all" else status,
            kind=kind,
            limit=limit,
        )
    lines = [
        f"{i.item_id}  {i.kind:<18} {'' if i.score is None else i.score:<7}"
        f" {i.application_id} / {i.other_application_id or '-'}  {i.status}"
        for i in items
    ]
    act.emit({"items": items}, "\n".join(lines) or "the queue is empty")


@review_app.command("show")
def review_show(ctx: typer.Context, item_id: str) -> None:
    """An item with both applications decrypted for the investigator (audited)."""
    from cityid.matching import review

    with acting(ctx) as act:
        shown = review.show_item(act.uow, act.runtime, act.actor, item_id)
    act.emit(shown)


@review_app.command("decide")
def review_decide(
    ctx: typer.Context,
    item_id: str,
    decision: Annotated[
        str, typer.Option("--decision", help="duplicate, not_duplicate or fraud_referred.")
    ],
) -> None:
    """Record the investigator's decision on an open item."""
    from cityid.matching import review

    if decision not in review.DECISIONS:
        raise typer.BadParameter(f"--decision must be one of {', '.join(review.DECISIONS)}")
    with acting(ctx) as act:
        decided = review.decide(act.uow, act.runtime, act.actor, item_id, decision)
    act.emit(decided, f"{item_id}: {decision}")
