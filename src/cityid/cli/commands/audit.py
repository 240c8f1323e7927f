"""cityid audit: checkpoints, the verifier key, entries, proofs and full verification."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from cityid.audit import service, tile_service
from cityid.cli.app import app
from cityid.cli.context import read_file
from cityid.cli.door import acting, job, plain
from cityid.errors import BadInput
from cityid.staff.permissions import authorize

if TYPE_CHECKING:
    from cityid.audit.witnesses import Witness

audit_app = typer.Typer(help="The tamper-evident audit log.", no_args_is_help=True)
proof_app = typer.Typer(help="Inclusion and consistency proofs.", no_args_is_help=True)
tiles_app = typer.Typer(help="The log as C2SP tlog-tiles.", no_args_is_help=True)
witness_app = typer.Typer(help="The witnesses that cosign the log.", no_args_is_help=True)
app.add_typer(audit_app, name="audit")
audit_app.add_typer(proof_app, name="proof")
audit_app.add_typer(tiles_app, name="tiles")
audit_app.add_typer(witness_app, name="witness")


@audit_app.command("checkpoint")
def checkpoint(ctx: typer.Context) -> None:
    """Sign a checkpoint of the log as it is now (C2SP signed note); the registered
    witnesses are asked to cosign it and their cosignatures are added."""
    from cityid.audit.cosigning import request_cosignatures

    with acting(ctx, signed_in=False) as act:
        made = service.create_checkpoint(act.runtime, act.uow)
    # Only once committed: no witness cosigns a checkpoint that was rolled back.
    witnessed = request_cosignatures(act.runtime, made)
    note = witnessed.checkpoint.note
    act.emit(
        {
            "checkpoint": note,
            "size": made.size,
            "witnesses": [
                {"name": o.witness, "status": o.status, "http_status": o.http_status}
                for o in witnessed.outcomes
            ],
        },
        note.rstrip("\n"),
    )


@audit_app.command("public-key")
def public_key(ctx: typer.Context) -> None:
    """The signed-note verifier key(s) that check the log's checkpoints."""
    door = job(ctx, signed_in=False)
    keys = service.verifier_keys(door.runtime)
    door.emit({"verifier_keys": keys, "verifier_key": keys[-1]}, "\n".join(keys))


@audit_app.command("entries")
def entries(
    ctx: typer.Context,
    start: Annotated[int, typer.Option("--start", min=0)] = 0,
    end: Annotated[int | None, typer.Option("--end", min=0)] = None,
) -> None:
    """Entries as the exact bytes hashed into each leaf (base64)."""
    with acting(ctx, read_only=True) as act:
        authorize(act.runtime.policy, act.actor, "audit.read")
        rows = service.entries(act.uow, start, end)
    act.emit({"entries": rows}, "\n".join(f"{r.index}\t{r.leaf}" for r in rows))


@proof_app.command("inclusion")
def inclusion(
    ctx: typer.Context,
    index: Annotated[int, typer.Option("--index", min=0)],
    size: Annotated[int | None, typer.Option("--size", min=0)] = None,
) -> None:
    """The RFC 6962 inclusion proof of entry INDEX in the tree of SIZE.

    Without --size, against the latest signed checkpoint."""
    door = job(ctx, signed_in=False)
    door.emit(service.inclusion_proof(door.runtime, index, size))


@proof_app.command("consistency")
def consistency(
    ctx: typer.Context,
    old: Annotated[int, typer.Option("--old", min=0)],
    new: Annotated[int | None, typer.Option("--new", min=0)] = None,
) -> None:
    """The RFC 6962 consistency proof between tree sizes OLD and NEW.

    Without --new, to the latest signed checkpoint."""
    door = job(ctx, signed_in=False)
    door.emit(service.consistency_proof(door.runtime, old, new))


@audit_app.command("verify")
def verify(ctx: typer.Context) -> None:
    """Recompute the tree from every entry, check every checkpoint; name the first bad index."""
    door = job(ctx, signed_in=False)
    result = service.verify(door.runtime)
    human = (
        f"audit log OK: {result.size} entries, {result.checkpoints_checked} checkpoints"
        if result.ok
        else f"audit log FAILED at index {result.first_bad_index} ({result.reason})"
    )
    door.emit(result, human)
    if not result.ok:
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
        result,
        f"wrote the log of {result.size} entries to {result.out} "
        f"({result.files} files, {result.bytes_written} bytes changed)",
    )


@witness_app.command("add")
def witness_add(
    ctx: typer.Context,
    name: Annotated[str, typer.Option("--name", help="A short label, e.g. w1.")],
    url: Annotated[str, typer.Option("--url", help="The witness's submission prefix.")],
    vkey: Annotated[str, typer.Option("--vkey", help="Its cosignature/v1 verifier key.")],
) -> None:
    """Register a witness: every new checkpoint is sent to it for a cosignature."""
    from cityid.audit.witnesses import add_witness

    with acting(ctx) as act:
        added = add_witness(act.uow, act.runtime.policy, act.actor, name, url, vkey)
    act.emit(_witness_json(added), f"Added witness {added.name} ({added.url}).")


@witness_app.command("list")
def witness_list(ctx: typer.Context) -> None:
    """The registered witnesses: name, URL, verifier key."""
    from cityid.audit.witnesses import list_witnesses

    with acting(ctx, read_only=True) as act:
        authorize(act.runtime.policy, act.actor, "keys.read")
        found = list_witnesses(act.uow)
    act.emit(
        {"witnesses": [_witness_json(w) for w in found]},
        "\n".join(f"{w.name}\t{w.url}\t{w.vkey}" for w in found) or "No witnesses.",
    )


@audit_app.command("verify-checkpoint")
def verify_checkpoint(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="A signed checkpoint, cosignatures included.")],
    witness_vkeys: Annotated[
        list[str], typer.Option("--witness-vkey", help="A witness key you trust (repeat).")
    ],
    quorum: Annotated[int, typer.Option("--quorum", min=1, help="How many must cosign.")],
    log_vkeys: Annotated[
        list[str] | None,
        typer.Option("--log-vkey", help="The log's verifier key (else not checked)."),
    ] = None,
) -> None:
    """Check a checkpoint's witness cosignatures against a quorum; exit 1 if not met."""
    from cityid.audit.verify_checkpoint import verify_checkpoint as verify_note

    verdict = verify_note(read_file(file), witness_vkeys, quorum, log_vkeys or ())
    result = {
        "ok": verdict.ok,
        "origin": verdict.checkpoint.origin,
        "size": verdict.checkpoint.size,
        "root_hash": verdict.checkpoint.root.hex(),
        "log_signature": verdict.log_signature,
        "witnesses": [
            {"name": c.name, "vkey": c.vkey, "status": c.status, "timestamp": c.timestamp}
            for c in verdict.quorum.cosigners
        ],
        "valid_cosignatures": verdict.quorum.valid,
        "quorum": quorum,
        "quorum_met": verdict.quorum.met,
        "message": verdict.message,
    }
    plain(ctx).emit(result, verdict.message)
    if not verdict.ok:
        raise typer.Exit(1)


@audit_app.command("verify-report")
def verify_report(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="An access report (JSON) as downloaded.")],
    log_vkeys: Annotated[
        list[str] | None,
        typer.Option("--log-vkey", help="The log's verifier key (`cityid audit public-key`)."),
    ] = None,
) -> None:
    """Check an access report offline: every line's entry names the application, hashes
    to its leaf and proves its inclusion in the report's checkpoint; exit 1 if not."""
    import json

    from cityid.accountability.report_check import verify_report as check

    try:
        document = json.loads(read_file(file))
    except ValueError:
        raise BadInput("the report is not JSON") from None
    verdict = check(document if isinstance(document, dict) else {}, log_vkeys or ())
    plain(ctx).emit(verdict, verdict.message)
    if not verdict.ok:
        raise typer.Exit(1)


def _witness_json(witness: Witness) -> dict[str, str]:
    return {
        "name": witness.name,
        "url": witness.url,
        "vkey": witness.vkey,
        "added_at": witness.added_at.isoformat(),
    }
