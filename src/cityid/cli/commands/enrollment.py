"""enroll, synth applicants, application show|approve|reject|withdraw|search."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

import typer

from cityid.cli.app import app
from cityid.cli.context import progress_console, stage_progress
from cityid.cli.door import acting, job, plain
from cityid.errors import BadInput, CityIdError

synth_app = typer.Typer(help="Synthetic data for tests, demos and benches.", no_args_is_help=True)
application_app = typer.Typer(help="Applications: read and decide.", no_args_is_help=True)
app.add_typer(synth_app, name="synth")
app.add_typer(application_app, name="application")


def _iter_lines(path: Path) -> Iterator[tuple[int, str]]:
    try:
        with path.open("r", encoding="utf-8") as handle:
            for number, text in enumerate(handle, start=1):
                if text.strip():
                    yield number, text
    except UnicodeDecodeError:
        raise BadInput(f"{path} is not UTF-8 text") from None
    except OSError as exc:
        raise BadInput(f"cannot read {path}: {exc.strerror or exc}") from None


def _count_lines(path: Path) -> int:
    try:
        with path.open("rb") as handle:
            return sum(1 for raw in handle if raw.strip())
    except OSError as exc:
        raise BadInput(f"cannot read {path}: {exc.strerror or exc}") from None


@app.command()
def enroll(
    ctx: typer.Context,
    file: Annotated[Path, typer.Option("--file", help="Applicant lines (JSON lines).")],
    centre: Annotated[
        str | None, typer.Option("--centre", help="Enrollment centre of lines that name none.")
    ] = None,
) -> None:
    """Batch intake. Each line is its own transaction: a bad line never half-saves.

    Prints {"enrolled", "flagged", "rejected", "invalid", "items"}: enrolled counts the
    applications stored (flagged ones included), rejected the ineligible (not stored),
    invalid the lines that could not be read (status "invalid", reasons per field).
    """
    from cityid.enrollment import service
    from cityid.enrollment.applicant import InvalidApplicant
    from cityid.enrollment.repository import EnrollmentKeys
    from cityid.enrollment.screening import IntakeChannel
    from cityid.jsonable import to_json
    from cityid.staff.permissions import authorize

    door = job(ctx)  # each line is its own unit of work, below
    runtime, actor = door.runtime, door.actor
    authorize(runtime.policy, actor, "application.create")
    total = _count_lines(file)
    today = runtime.today()
    items: list[dict[str, Any]] = []
    counts = {"enrolled": 0, "flagged": 0, "rejected": 0, "invalid": 0}

    from rich.progress import Progress

    with (
        EnrollmentKeys.open(runtime.keystore) as keys,
        Progress(console=progress_console(), transient=True, disable=total < 2) as progress,
    ):
        task = progress.add_task("enrolling", total=total)
        for number, text in _iter_lines(file):
            try:
                with door.unit() as uow:
                    request = service.parse_request_line(text, runtime, today)
                    outcome = service.intake(
                        uow, runtime, actor, request, keys=keys, today=today, centre=centre,
                        channel=IntakeChannel.BATCH,
                    )  # fmt: skip
                item = to_json(outcome.item(number))
                if outcome.status == "rejected":
                    counts["rejected"] += 1
                else:
                    counts["enrolled"] += 1
                    counts["flagged"] += outcome.status == "flagged"
            except InvalidApplicant as exc:
                counts["invalid"] += 1
                item = _invalid(number, [f"{f}: {m}" for f, m in exc.field_errors])
            except CityIdError as exc:
                if exc.code in ("forbidden", "unavailable", "keystore"):
                    raise  # nothing further would succeed
                counts["invalid"] += 1
                item = _invalid(number, [exc.message])
            items.append(item)
            progress.advance(task)

    result = {**counts, "items": items}
    door.emit(result, lambda: _print_enroll(result))


def _invalid(number: int, reasons: list[str]) -> dict[str, Any]:
    return {
        "line": number,
        "application_id": None,
        "status": "invalid",
        "flags": [],
        "reasons": reasons,
    }


def _print_enroll(result: dict[str, Any]) -> None:
    for item in result["items"]:
        if item["status"] in ("rejected", "invalid") or item["flags"]:
            detail = "; ".join(item["reasons"]) or ", ".join(f["kind"] for f in item["flags"])
            typer.echo(f"line {item['line']}: {item['status']}: {detail}")
    typer.echo(
        f"enrolled {result['enrolled']} (flagged {result['flagged']}),"
        f" rejected {result['rejected']}, invalid {result['invalid']}"
    )


@synth_app.command("applicants")
def synth_applicants(
    ctx: typer.Context,
    count: Annotated[int, typer.Option("--count", min=0, help="How many lines.")],
    out: Annotated[Path, typer.Option("--out", help="The JSON lines file to write.")],
    duplicate_rate: Annotated[
        float, typer.Option("--duplicate-rate", min=0.0, max=0.99, help="Share of duplicates.")
    ] = 0.0,
    documents: Annotated[
        bool, typer.Option("--documents", help="Add synthetic document scans.")
    ] = False,
    seed: Annotated[int, typer.Option("--seed", help="Same seed, same file.")] = 0,
) -> None:
    """Realistic synthetic New Yorkers, each line with its ground truth."""
    from cityid.devtools.synth.applicants import write_jsonl

    policy, today = _policy_and_today(ctx)
    with stage_progress() as progress:  # on stderr; stdout keeps the one answer
        written = write_jsonl(out, count, duplicate_rate, seed, documents, policy, today, progress)
    plain(ctx).emit({"written": written, "file": str(out)}, f"Wrote {written} applicants to {out}.")


def _policy_and_today(ctx: typer.Context) -> tuple[Any, dt.date]:
    """The data dir's policy when there is a data dir, else the shipped default."""
    from cityid.errors import ConfigError
    from cityid.policy import load_policy

    try:
        runtime = job(ctx, signed_in=False).runtime
        return runtime.policy, runtime.today()
    except ConfigError:
        return load_policy(), dt.datetime.now(dt.UTC).date()


_PurposeOption = Annotated[
    str | None,
    typer.Option(
        "--purpose",
        help="Why you read it: a purpose from the policy (intake, review_of_flag, "
        "desk_request, disclosure_request:REQUEST_ID, audit). Required.",
    ),
]


@application_app.command("show")
def application_show(
    ctx: typer.Context,
    application_id: Annotated[str, typer.Argument(help="The application id (app-...).")],
    documents: Annotated[
        bool, typer.Option("--documents", help="Include each attestation's details.")
    ] = False,
    purpose: _PurposeOption = None,
) -> None:
    """Decrypt an application for the actor; the read is audited with its purpose."""
    from cityid.enrollment import lookup

    with acting(ctx) as act:
        shown = lookup.show(
            act.uow, act.runtime, act.actor, application_id, purpose=purpose, documents=documents
        )
    act.emit(shown)


def _decide(ctx: typer.Context, action: str, application_id: str, reason: str | None) -> None:
    from cityid.enrollment import transitions

    move = {
        "approve": transitions.approve, "reject": transitions.reject,
        "withdraw": transitions.withdraw,
    }  # fmt: skip
    with acting(ctx) as act:
        result = move[action](act.uow, act.runtime, act.actor, application_id, reason)
    act.emit(result, f"{application_id}: {result.status}.")


_ReasonOption = Annotated[
    str | None, typer.Option("--reason", help="Why (kept sealed with the application).")
]
_IdArgument = Annotated[str, typer.Argument(help="The application id (app-...).")]


@application_app.command("approve")
def application_approve(
    ctx: typer.Context, application_id: _IdArgument, reason: _ReasonOption = None
) -> None:
    """Approve a submitted or flagged application (supervisor)."""
    _decide(ctx, "approve", application_id, reason)


@application_app.command("reject")
def application_reject(
    ctx: typer.Context, application_id: _IdArgument, reason: _ReasonOption = None
) -> None:
    """Reject a submitted or flagged application (supervisor)."""
    _decide(ctx, "reject", application_id, reason)


@application_app.command("withdraw")
def application_withdraw(
    ctx: typer.Context, application_id: _IdArgument, reason: _ReasonOption = None
) -> None:
    """Withdraw an application at the applicant's request."""
    _decide(ctx, "withdraw", application_id, reason)


@application_app.command("search")
def application_search(
    ctx: typer.Context,
    family_name: Annotated[str, typer.Option("--family-name")],
    given_name: Annotated[str, typer.Option("--given-name")],
    date_of_birth: Annotated[str, typer.Option("--date-of-birth", help="YYYY-MM-DD")],
    purpose: _PurposeOption = None,
) -> None:
    """Exact search by name and date of birth (keyed blind index; audited)."""
    from cityid.enrollment import lookup

    try:
        born = dt.date.fromisoformat(date_of_birth)
    except ValueError:
        raise BadInput("--date-of-birth: not a date (use YYYY-MM-DD)") from None
    with acting(ctx) as act:
        found = lookup.search(
            act.uow, act.runtime, act.actor, family_name, given_name, born, purpose=purpose
        )
    act.emit({"applications": found})
