"""cityid access: access reports, supervisors' exceptions, insider alerts."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Annotated

import typer

from cityid.cli.app import app
from cityid.cli.door import acting
from cityid.errors import BadInput
from cityid.jsonable import to_json

access_app = typer.Typer(help="Who read whose record, and why.", no_args_is_help=True)
exception_app = typer.Typer(help="Supervisors' time-limited exceptions.", no_args_is_help=True)
alerts_app = typer.Typer(help="Insider alerts over the audit log.", no_args_is_help=True)
app.add_typer(access_app, name="access")
access_app.add_typer(exception_app, name="exception")
access_app.add_typer(alerts_app, name="alerts")


@access_app.command("report")
def access_report(
    ctx: typer.Context,
    application_id: Annotated[str, typer.Argument(help="The application id (app-...).")],
    out: Annotated[Path | None, typer.Option("--out", help="Write the report here.")] = None,
) -> None:
    """Every access to one application (when, office, role, purpose; never a name), each
    with its inclusion proof; check a saved report with `cityid audit verify-report`."""
    from cityid.accountability.report import report_for_application

    with acting(ctx) as door:
        doc = report_for_application(door.uow, door.runtime, door.actor, application_id)
    if out is not None:
        out.write_text(json.dumps(to_json(doc), indent=2) + "\n", encoding="utf-8")
    door.emit(
        doc,
        "\n".join(
            f"{line.index}\t{line.at}\t{line.what}\t{line.office or 'central office'}\t"
            f"{line.role}\t{line.purpose}"
            for line in doc.lines
        )
        or "No accesses.",
    )


@exception_app.command("grant")
def exception_grant(
    ctx: typer.Context,
    username: Annotated[str, typer.Option("--user", help="The staff member it lets in.")],
    application_id: Annotated[str, typer.Option("--application", help="The application.")],
    hours: Annotated[int, typer.Option("--hours", min=1, help="How long (policy maximum).")],
    reason: Annotated[str, typer.Option("--reason", help="A reason code.")],
) -> None:
    """Let one staffer open one application outside their scope for a few hours (logged)."""
    from cityid.accountability import exceptions

    with acting(ctx) as act:
        granted = exceptions.grant(
            act.uow,
            act.runtime,
            act.actor,
            username=username,
            application_id=application_id,
            hours=hours,
            reason=reason,
        )
    act.emit(granted, f"{granted.exception_id}: until {granted.expires_at}.")


@exception_app.command("list")
def exception_list(ctx: typer.Context) -> None:
    """Exceptions still running."""
    from cityid.accountability import exceptions

    with acting(ctx, read_only=True) as act:
        rows = exceptions.listed(act.uow, act.runtime, act.actor)
    act.emit({"exceptions": rows})


def _moment(text: str | None, name: str) -> dt.datetime | None:
    if text is None:
        return None
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise BadInput(f"{name}: use an ISO time such as 2026-12-04T18:00Z") from None
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment


@alerts_app.command("scan")
def alerts_scan(
    ctx: typer.Context,
    since: Annotated[str | None, typer.Option("--since", help="ISO time (default 2 days)")] = None,
    until: Annotated[str | None, typer.Option("--until", help="ISO time (default now)")] = None,
) -> None:
    """Run the insider-alert rules over the log; new alerts join the auditor's queue."""
    from cityid.accountability import alerts

    with acting(ctx) as act:
        result = alerts.scan(
            act.uow,
            act.runtime,
            act.actor,
            since=_moment(since, "--since"),
            until=_moment(until, "--until"),
        )
    act.emit(result, f"{result.entries_read} entries read; {result.raised} new alerts.")


@alerts_app.command("list")
def alerts_list(
    ctx: typer.Context,
    status: Annotated[str, typer.Option("--status", help="open or closed")] = "open",
) -> None:
    """The auditor's queue."""
    from cityid.accountability import alerts

    with acting(ctx, read_only=True) as act:
        rows = alerts.queue(act.uow, act.runtime, act.actor, status=status)
    act.emit(
        {"alerts": rows},
        "\n".join(
            f"{a.alert_id}\t{a.rule}\t{a.username}\t{a.window_start}\t{a.count}" for a in rows
        )
        or "No alerts.",
    )


@alerts_app.command("show")
def alerts_show(
    ctx: typer.Context, alert_id: Annotated[str, typer.Argument(help="alert-...")]
) -> None:
    """One alert with the entries that raised it."""
    from cityid.accountability import alerts

    with acting(ctx) as act:
        detail = alerts.show(act.uow, act.runtime, act.actor, alert_id)
    act.emit(detail)


@alerts_app.command("close")
def alerts_close(
    ctx: typer.Context,
    alert_id: Annotated[str, typer.Argument(help="alert-...")],
    outcome: Annotated[str, typer.Option("--outcome", help="explained|referred|false_positive")],
) -> None:
    """Close an alert with its outcome (logged)."""
    from cityid.accountability import alerts

    with acting(ctx) as act:
        closed = alerts.close(act.uow, act.runtime, act.actor, alert_id, outcome)
    act.emit(closed, f"{closed.alert_id}: closed ({closed.outcome}).")
