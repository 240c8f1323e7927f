"""card issue|show|qr|render|revoke|suspend|reinstate|renew|replace|report-lost, verify,
status-list."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Any, Literal, cast

import typer

from cityid.cli.app import app
from cityid.cli.context import read_file, write_file
from cityid.cli.door import acting, job, plain
from cityid.errors import BadInput
from cityid.jsonable import to_json
from cityid.vocabulary import ISSUER_PURPOSE

card_app = typer.Typer(help="Cards: issue, print, revoke, renew, replace.", no_args_is_help=True)
status_list_app = typer.Typer(help="Revocation status lists.", no_args_is_help=True)
app.add_typer(card_app, name="card")
app.add_typer(status_list_app, name="status-list")

_Reason = Annotated[str, typer.Option("--reason", help="Why (kept in the card's history).")]
_Code = Annotated[
    str | None, typer.Option("--code", help="Reason code for the audit log, e.g. fraud.")
]


@card_app.command("issue")
def card_issue(
    ctx: typer.Context,
    application_id: Annotated[str, typer.Argument(help="An approved application (app-...).")],
) -> None:
    """Issue the card of an approved application; the application becomes issued."""
    from cityid.cards import issuing

    with acting(ctx) as act:
        result = issuing.issue(act.uow, act.runtime, act.actor, application_id)
    act.emit(result, f"Card {result.card_number} issued, expires {result.expires}.")


@card_app.command("show")
def card_show(ctx: typer.Context, card_number: Annotated[str, typer.Argument()]) -> None:
    """The card's record and history (no personal data)."""
    from cityid.cards import service

    with acting(ctx, read_only=True) as act:
        card = service.get_card(act.uow, act.runtime, act.actor, card_number)
        shown = to_json(card.shown(act.runtime.today())) | {
            "history": service.history(act.uow, act.runtime, act.actor, card)
        }
    act.emit(shown)


@card_app.command("qr")
def card_qr(ctx: typer.Context, card_number: Annotated[str, typer.Argument()]) -> None:
    """Print the card's QR text: a credential freshly signed from current data."""
    from cityid.cards import service

    with acting(ctx) as act:
        result = service.credential_qr(act.uow, act.runtime, act.actor, card_number)
    act.emit(result, result["qr"])


@card_app.command("render")
def card_render(
    ctx: typer.Context,
    card_number: Annotated[str, typer.Argument()],
    out: Annotated[Path, typer.Option("--out", help="FILE.png (one side) or FILE.pdf (both)")],
    side: Annotated[str, typer.Option("--side", help="front or back (PNG only)")] = "front",
) -> None:
    """Draw the card: the front (or back) as PNG, or both sides as a print-ready PDF."""
    from cityid.cards import service

    suffix = out.suffix.lower()
    if suffix not in (".png", ".pdf"):
        raise typer.BadParameter("the file must end in .png or .pdf", param_hint="--out")
    if side not in ("front", "back"):
        raise typer.BadParameter("front or back", param_hint="--side")
    kind: Literal["png", "pdf"] = "pdf" if suffix == ".pdf" else "png"
    chosen = cast(Literal["front", "back"], side)
    with acting(ctx) as act:
        data = service.render(act.uow, act.runtime, act.actor, card_number, kind=kind, side=chosen)
    write_file(out, data)
    result = {"card_number": card_number, "file": str(out), "bytes": len(data), "side": side}
    act.emit(result, f"Wrote {out}.")


def _change(
    ctx: typer.Context, change: str, card_number: str, reason: str, code: str | None
) -> None:
    from cityid.cards import status_changes

    what = cast(Literal["revoke", "suspend", "reinstate"], change)
    with acting(ctx) as act:
        result = status_changes.change_status(
            act.uow, act.runtime, act.actor, card_number, what, reason, reason_code=code
        )
    act.emit(result, f"Card {result.card_number}: {result.status}.")


@card_app.command("revoke")
def card_revoke(
    ctx: typer.Context, card_number: Annotated[str, typer.Argument()], reason: _Reason,
    code: _Code = None,
) -> None:  # fmt: skip
    """Revoke for good; verifiers see it in the next status list."""
    _change(ctx, "revoke", card_number, reason, code)


@card_app.command("suspend")
def card_suspend(
    ctx: typer.Context, card_number: Annotated[str, typer.Argument()], reason: _Reason,
    code: _Code = None,
) -> None:  # fmt: skip
    """Suspend until reinstated."""
    _change(ctx, "suspend", card_number, reason, code)


@card_app.command("reinstate")
def card_reinstate(
    ctx: typer.Context, card_number: Annotated[str, typer.Argument()], reason: _Reason,
    code: _Code = None,
) -> None:  # fmt: skip
    """Lift a suspension."""
    _change(ctx, "reinstate", card_number, reason, code)


@card_app.command("renew")
def card_renew(
    ctx: typer.Context,
    card_number: Annotated[str, typer.Argument()],
    application: Annotated[
        str, typer.Option("--application", help="The approved renewal application.")
    ],
) -> None:
    """Renew (60 days before expiry to 6 months after, per policy): a new card, new term."""
    from cityid.cards import issuing

    with acting(ctx) as act:
        result = issuing.renew(act.uow, act.runtime, act.actor, card_number, application)
    act.emit(result, f"Card {result.card_number} issued, expires {result.expires}.")


@card_app.command("replace")
def card_replace(
    ctx: typer.Context,
    card_number: Annotated[str, typer.Argument()],
    reason: Annotated[str, typer.Option("--reason", help="lost, stolen or damaged")],
    note: Annotated[str | None, typer.Option("--note", help="Free text for the history.")] = None,
    waive_fee: Annotated[
        bool, typer.Option("--waive-fee", help="Hardship: no replacement fee.")
    ] = False,
) -> None:
    """A new card for a lost, stolen or damaged one; the old card is revoked."""
    from cityid.cards import issuing

    with acting(ctx) as act:
        result = issuing.replace(
            act.uow, act.runtime, act.actor, card_number,
            reason=reason, note=note, fee_waived=waive_fee,
        )  # fmt: skip
    act.emit(result, f"Card {result.card_number} replaces {result.replaces}.")


@card_app.command("report-lost")
def card_report_lost(
    ctx: typer.Context,
    card_number: Annotated[str, typer.Argument()],
    reason: Annotated[str, typer.Option("--reason", help="lost or stolen")] = "lost",
) -> None:
    """The holder reports it lost or stolen (identity checked at the desk): suspended at
    once, the holder notified; replace it afterwards with `card replace`."""
    from cityid.cards.lost import report_at_desk

    with acting(ctx) as act:
        result = report_at_desk(act.uow, act.runtime, act.actor, card_number, reason)
    act.emit(result, f"Card suspended (reported {reason}).")


@app.command("verify")
def verify(
    ctx: typer.Context,
    qr_text: Annotated[str | None, typer.Argument(help="The QR text (base45).")] = None,
    image: Annotated[Path | None, typer.Option("--image", help="A photo/scan of the card.")] = None,
    keys: Annotated[
        Path | None, typer.Option("--keys", help="Issuer keys: COSE_KeySet .cbor or JWK .json")
    ] = None,
    status_list: Annotated[
        list[Path] | None, typer.Option("--status-list", help="Status list token file(s).")
    ] = None,
    purpose: Annotated[str, typer.Option("--purpose", help="identity, age or residency")] = (
        "identity"
    ),
    no_status_check: Annotated[
        bool,
        typer.Option(
            "--no-status-check",
            help="Accept a card on its signature alone when no status list covers it.",
        ),
    ] = False,
    pack: Annotated[
        Path | None, typer.Option("--pack", help="A verifier pack, checked against --keys.")
    ] = None,
) -> None:
    """Check a card. With --keys it is fully offline; else the data dir's keys and lists.

    Exit 0 for every answer about the card (valid, revoked, expired...), 1 when it could
    not be checked: `status_unknown` (no status list covers it) included, so a script
    never takes an unchecked card for a good one.
    """
    from cityid.cards import verify_inputs
    from cityid.cards.verify import PURPOSES, Purpose, Result, Verifier

    if purpose not in PURPOSES:
        raise typer.BadParameter(f"one of {', '.join(PURPOSES)}", param_hint="--purpose")
    if (qr_text is None) == (image is None):
        raise typer.BadParameter("give the QR text or --image, not both")
    door = plain(ctx)
    text = qr_text if image is None else verify_inputs.qr_text_from_image(read_file(image))
    assert text is not None
    now = dt.datetime.now(dt.UTC)
    tokens = [
        t for path in status_list or [] for t in verify_inputs.status_list_tokens(read_file(path))
    ]
    stale_pack = False
    if pack is not None:
        verifier, stale_pack = _pack_verifier(
            pack, keys, tokens, now, require_status=not no_status_check
        )
        mode = "pack"
    elif keys is not None:
        issuer_keys = verify_inputs.issuer_keys_from_file(read_file(keys), keys.name)
        verifier = Verifier(issuer_keys, tokens, now=now, require_status=not no_status_check)
        mode = "offline"
    else:
        verifier = _data_dir_verifier(ctx, tokens, now, require_status=not no_status_check)
        mode = "offline" if tokens else "data_dir"
    outcome = verifier.verify(text, now=now, purpose=cast(Purpose, purpose))
    result = outcome.to_json() | {"mode": mode}
    result["status_stale"] = outcome.status_stale or (stale_pack and outcome.status_checked)
    if not outcome.status_checked and outcome.result is Result.VALID:
        result["note"] = "accepted without a status list: revocation was not checked"
    door.emit(result, lambda: _print_verify(result))
    if outcome.result is Result.STATUS_UNKNOWN:
        raise typer.Exit(1)


def _pack_verifier(
    pack: Path, keys: Path | None, tokens: list[bytes], now: dt.datetime, *, require_status: bool
) -> tuple[Any, bool]:
    """The pack's keys and lists, once the pack verifies under keys the verifier pinned."""
    from cityid.cards import verify_inputs
    from cityid.cards.verifier_pack import read_pack

    if keys is None:
        raise typer.BadParameter(
            "a pack cannot vouch for itself: give --keys, the issuer keys you trust",
            param_hint="--pack",
        )
    anchor = verify_inputs.issuer_keys_from_file(read_file(keys), keys.name)
    loaded = read_pack(read_file(pack), anchor, now=now)
    return loaded.verifier(now, tokens, require_status=require_status), loaded.is_stale(now)


def _data_dir_verifier(
    ctx: typer.Context, tokens: list[bytes], now: dt.datetime, *, require_status: bool
) -> Any:
    """The data dir's issuer keys, with the given lists or else the data dir's own."""
    from cityid.cards import service
    from cityid.cards.verify import Verifier

    if tokens:
        keystore = job(ctx, signed_in=False).runtime.keystore
        keys = [(k.key_id, k.public_key) for k in keystore.public_keys(ISSUER_PURPOSE)]
        return Verifier(keys, tokens, now=now, require_status=require_status)
    with acting(ctx, read_only=True, signed_in=False) as act:
        return service.local_verifier(act.runtime, act.uow, now, require_status=require_status)


def _print_verify(result: dict[str, Any]) -> None:
    typer.echo(f"result: {result['result']}")
    if result.get("message"):
        typer.echo(f"  {result['message']}")
    if not result["status_checked"]:
        typer.echo("status: NOT checked (no status list)")
    for key, value in result["claims"].items():
        if key != "photo":
            typer.echo(f"  {key}: {value}")


@status_list_app.command("export")
def status_list_export(
    ctx: typer.Context,
    out: Annotated[Path, typer.Option("--out", help="The token file to write.")],
    list_number: Annotated[int | None, typer.Option("--list", help="Only this list.")] = None,
) -> None:
    """Write the signed status list for offline verifiers (a CBOR array if several)."""
    import cbor2

    from cityid.cards import status_service

    with acting(ctx, read_only=True, signed_in=False) as act:
        uow, runtime = act.uow, act.runtime
        numbers = [list_number] if list_number is not None else status_service.list_numbers(uow)
        if not numbers:
            raise BadInput("no status list yet: no card has been issued")
        tokens = [status_service.signed_token(runtime, uow, n) for n in numbers]
    data = tokens[0] if len(tokens) == 1 else cbor2.dumps(tokens)
    write_file(out, data)
    result = {
        "file": str(out),
        "lists": numbers,
        "uris": [status_service.status_list_uri(runtime, n) for n in numbers],
        "bytes": len(data),
        "ttl_seconds": runtime.policy.card.status_list_ttl_seconds,
    }
    act.emit(result, f"Wrote {len(numbers)} status list(s) to {out}.")
