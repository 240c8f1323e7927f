"""hold, retention, backup, import legacy, receipt: holds, disposition and the backlog."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from cityid.cli.app import app
from cityid.cli.context import date_option, progress_console, stage_progress
from cityid.cli.door import acting, job
from cityid.errors import BadInput

hold_app = typer.Typer(
    help="Legal holds: court orders that stop destruction.", no_args_is_help=True
)
retention_app = typer.Typer(help="Disposition batches: plan, approve, execute, certify.",
                            no_args_is_help=True)  # fmt: skip
backup_app = typer.Typer(help="Database backups (never the keystore).", no_args_is_help=True)
import_app = typer.Typer(help="Bulk imports.", no_args_is_help=True)
receipt_app = typer.Typer(help="Cardholders' destruction receipts.", no_args_is_help=True)
app.add_typer(hold_app, name="hold")
app.add_typer(retention_app, name="retention")
app.add_typer(backup_app, name="backup")
app.add_typer(import_app, name="import")
app.add_typer(receipt_app, name="receipt")


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text("utf-8"))
    except OSError as exc:
        raise BadInput(f"cannot read {path}: {exc.strerror or exc}") from None
    except json.JSONDecodeError:
        raise BadInput(f"{path} is not JSON") from None


def _with_progress(label: str) -> Any:
    """A Rich progress bar on stderr (never stdout), and the callback that moves it."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    bar = Progress(
        "[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(),
        TimeRemainingColumn(), console=progress_console(), transient=False,
    )  # fmt: skip
    task = bar.add_task(label, total=None)

    def update(done: int, total: int) -> None:
        bar.update(task, completed=done, total=total)

    return bar, update


# --- holds --------------------------------------------------------------------------------


@hold_app.command("place")
def hold_place(
    ctx: typer.Context,
    authority: Annotated[str, typer.Option("--authority", help="The court or authority.")],
    docket: Annotated[str, typer.Option("--docket", help="Index or docket number.")],
    reason: Annotated[str, typer.Option("--reason", help="Why (kept with the hold only).")],
    scope: Annotated[str, typer.Option("--scope", help='JSON, e.g. {"all": true}.')],
    order_date: Annotated[
        str | None, typer.Option("--order-date", help="Date of the order, YYYY-MM-DD.")
    ] = None,
) -> None:
    """Place a legal hold (counsel only). Prints {"hold_id"}."""
    from cityid.retention import holds

    with acting(ctx) as act:
        hold_id = holds.place_hold(
            act.uow, act.runtime, act.actor, authority=authority, docket=docket, reason=reason,
            scope=scope, order_date=date_option(order_date, "--order-date"),
        )  # fmt: skip
    act.emit({"hold_id": hold_id}, hold_id)


@hold_app.command("release")
def hold_release(
    ctx: typer.Context,
    hold_id: Annotated[str, typer.Argument(help="The hold to release.")],
    reason: Annotated[str, typer.Option("--reason", help="Why the hold ends (required).")],
) -> None:
    """Release a hold, with a reason. The hold itself is kept forever."""
    from cityid.retention import holds

    with acting(ctx) as act:
        result = holds.release_hold(act.uow, act.runtime, act.actor, hold_id, reason=reason)
    act.emit(result, f"{hold_id} released")


@hold_app.command("list")
def hold_list(ctx: typer.Context) -> None:
    """Every hold, active and released."""
    from cityid.retention import holds

    with acting(ctx, read_only=True) as act:
        found = holds.list_holds(act.uow, act.runtime, act.actor)
    act.emit(
        {"holds": found},
        "\n".join(f"{h.hold_id}\t{h.status}\t{h.docket}\t{json.dumps(h.scope)}"
                  for h in found) or "no holds",
    )  # fmt: skip


# --- disposition --------------------------------------------------------------------------


@retention_app.command("plan")
def retention_plan(
    ctx: typer.Context,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="YYYY-MM-DD (default today).")
    ] = None,
    record_class: Annotated[
        list[str] | None, typer.Option("--record-class", help="Only these classes.")
    ] = None,
) -> None:
    """Plan a disposition batch: what is due, what is blocked and by which holds."""
    from cityid.retention import disposition

    with acting(ctx) as act:
        result = disposition.plan(
            act.uow,
            act.runtime,
            act.actor,
            as_of=date_option(as_of, "--as-of"),
            record_classes=record_class,
        )
    act.emit(
        result,
        f"{result.batch_id}: {result.due} due, {result.blocked} blocked "
        f"{json.dumps(result.blocked_by)}",
    )


@retention_app.command("erase")
def retention_erase(
    ctx: typer.Context,
    application_id: Annotated[str, typer.Argument(help="The application to erase early.")],
    reason: Annotated[str, typer.Option("--reason", help="withdrawn | applicant_request")],
) -> None:
    """Plan the early erasure of one application (then approve and execute as any batch)."""
    from cityid.retention import disposition

    with acting(ctx) as act:
        result = disposition.plan_erasure(
            act.uow, act.runtime, act.actor, application_id, reason=reason
        )
    act.emit(result, f"{result.batch_id}: {result.due} due, {result.blocked} blocked")


@retention_app.command("approve")
def retention_approve(
    ctx: typer.Context, batch_id: Annotated[str, typer.Argument(help="The batch.")]
) -> None:
    """Approve a batch: a records officer and counsel, two different people."""
    from cityid.retention import disposition

    with acting(ctx) as act:
        result = disposition.approve(act.uow, act.runtime, act.actor, batch_id)
    act.emit(result, f"{batch_id}: {result.status}")


@retention_app.command("execute")
def retention_execute(
    ctx: typer.Context, batch_id: Annotated[str, typer.Argument(help="The batch.")]
) -> None:
    """Execute (or resume) an approved batch; safe to run again after any interruption."""
    from cityid.retention import disposition

    door = job(ctx)
    bar, update = _with_progress("destroying")
    with bar:
        result = disposition.execute(door.runtime, door.actor, batch_id, progress=update)
    door.emit(
        result,
        f"{batch_id}: {result.destroyed} destroyed, {result.skipped_held} held back, "
        f"{len(result.cohort_keys_destroyed)} cohort keys destroyed",
    )


@retention_app.command("show")
def retention_show(
    ctx: typer.Context, batch_id: Annotated[str, typer.Argument(help="The batch.")]
) -> None:
    """A batch's state and counts."""
    from cityid.retention import disposition
    from cityid.staff.permissions import authorize

    door = job(ctx)
    authorize(door.runtime.policy, door.actor, "retention.read")
    door.emit(disposition.summary(door.runtime, batch_id))


@retention_app.command("list")
def retention_list(ctx: typer.Context) -> None:
    """Recent batches, newest first."""
    from cityid.retention import disposition

    with acting(ctx, read_only=True) as act:
        act.emit({"batches": disposition.list_batches(act.uow, act.runtime, act.actor)})


@retention_app.command("certificate")
def retention_certificate(
    ctx: typer.Context,
    batch_id: Annotated[str, typer.Argument(help="The completed batch.")],
    out: Annotated[Path | None, typer.Option("--out", help="FILE.json or FILE.pdf")] = None,
    verify: Annotated[
        Path | None, typer.Option("--verify", help="Check a certificate JSON file instead.")
    ] = None,
) -> None:
    """Write the signed certificate of destruction (JSON) or its PDF; or verify one."""
    from cityid.audit.service import verifier_keys
    from cityid.retention import certificate, disposition

    if verify is not None:
        door = job(ctx, signed_in=False)
        body = certificate.verify_certificate(_read_json(verify), verifier_keys(door.runtime))
        door.emit({"ok": True, "batch_id": body["batch_id"], "certificate": body},
                  f"certificate of {body['batch_id']} verifies")  # fmt: skip
        return
    with acting(ctx, read_only=True) as act:
        document = disposition.certificate_document(act.uow, act.runtime, act.actor, batch_id)
    if out is None:
        act.emit(document)
        return
    if out.suffix.lower() == ".pdf":
        out.write_bytes(certificate.render_pdf(document))
    elif out.suffix.lower() == ".json":
        out.write_text(json.dumps(document, indent=2, sort_keys=True) + "\n", "utf-8")
    else:
        raise typer.BadParameter("the file must end in .json or .pdf", param_hint="--out")
    act.emit({"batch_id": batch_id, "file": str(out)}, str(out))


# --- backups ------------------------------------------------------------------------------


@backup_app.command("create")
def backup_create(
    ctx: typer.Context,
    out: Annotated[Path, typer.Option("--out", help="The backup file to write.")],
) -> None:
    """Back up the database (never the keystore) to one portable file."""
    from cityid.operations.backup import create_backup
    from cityid.staff.permissions import authorize

    door = job(ctx)
    authorize(door.runtime.policy, door.actor, "keys.manage")
    with stage_progress() as progress:  # PostgreSQL's copy, table by table, on stderr
        written = create_backup(door.runtime.engine, out, progress)
    door.emit(written, str(out))


@backup_app.command("restore")
def backup_restore(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="A file made by `backup create`.")],
    replace: Annotated[
        bool, typer.Option("--replace", help="Overwrite a database that holds applications.")
    ] = False,
) -> None:
    """Restore a backup into --data-dir's database (the keystore stays as it is)."""
    from cityid.operations.backup import restore_backup

    door = job(ctx, signed_in=False)  # the local operator, who holds the data dir
    with stage_progress() as progress:
        result = restore_backup(
            file,
            door.runtime.engine,
            replace=replace,
            faults=door.runtime.faults,
            progress=progress,
        )
    door.emit(result, f"restored {result.rows} rows into {door.runtime.data_dir}")


# --- the backlog --------------------------------------------------------------------------


@import_app.command("legacy")
def import_legacy(
    ctx: typer.Context,
    file: Annotated[Path, typer.Option("--file", help="Backlog lines (JSON lines).")],
) -> None:
    """Import the backlog with its document copies; resumable, bad lines reported by number."""
    from cityid.retention.legacy_import import import_legacy as run_import

    door = job(ctx)
    bar, update = _with_progress("importing")
    with bar:
        report = run_import(door.runtime, door.actor, file, progress=update)
    door.emit(
        report.to_json(),
        f"{report.imported} imported ({report.copies} document copies), {report.invalid} "
        f"bad lines, {report.skipped_done} already imported",
    )


# --- receipts -----------------------------------------------------------------------------


@receipt_app.command("show")
def receipt_show(
    ctx: typer.Context,
    application_id: Annotated[str, typer.Argument(help="The application.")],
    out: Annotated[Path | None, typer.Option("--out", help="Write the receipts here.")] = None,
) -> None:
    """The destruction receipts of an application, to hand to the cardholder."""
    from cityid.jsonable import to_json
    from cityid.retention.receipts import issue_receipts
    from cityid.staff.permissions import authorize

    door = job(ctx)
    authorize(door.runtime.policy, door.actor, "retention.read")
    receipts = issue_receipts(door.runtime, application_id)
    if out is not None:
        out.write_text(json.dumps(to_json({"receipts": receipts}), indent=2) + "\n", "utf-8")
    door.emit({"receipts": receipts})


@receipt_app.command("verify")
def receipt_verify(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help='A receipt (or {"receipts": [...]}) JSON file.')],
    checkpoint: Annotated[
        Path | None,
        typer.Option("--checkpoint", help="A later signed checkpoint to check against."),
    ] = None,
) -> None:
    """Check receipts with the log's verifier key, against theirs or a later checkpoint."""
    from cityid.audit import service
    from cityid.retention.receipts import verify_receipt

    door = job(ctx, signed_in=False)
    runtime = door.runtime
    data = _read_json(file)
    receipts = data.get("receipts", [data]) if isinstance(data, dict) else []
    keys = service.verifier_keys(runtime)
    origin = runtime.policy.program.checkpoint_origin
    results = []
    for receipt in receipts:
        if checkpoint is None:
            results.append(verify_receipt(receipt, keys, origin=origin))
            continue
        note = checkpoint.read_text("utf-8")
        from cityid.audit.checkpoint import parse_checkpoint

        size = parse_checkpoint(note.split("\n\n", 1)[0] + "\n").size
        proof = service.inclusion_proof(runtime, int(receipt.get("entry_index", -1)), size)
        results.append(
            verify_receipt(receipt, keys, origin=origin, checkpoint_note=note, proof=proof.proof)
        )
    ok = bool(results) and all(r.ok for r in results)
    door.emit({"ok": ok, "results": results}, "receipt verifies" if ok else "receipt FAILS")
    if not ok:
        raise typer.Exit(1)
