"""cityid request file|decide|show|list|package|notices|notice-sent, report transparency."""

from __future__ import annotations

import json
import mimetypes
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from cityid.cli.app import app
from cityid.cli.context import date_option, read_file, write_file
from cityid.cli.door import acting

if TYPE_CHECKING:
    from cityid.disclosure.requests import Attachment
    from cityid.disclosure.results import Decided, Filed

request_app = typer.Typer(help="Disclosure requests: file, decide, release.", no_args_is_help=True)
report_app = typer.Typer(help="Public reports.", no_args_is_help=True)
app.add_typer(request_app, name="request")
app.add_typer(report_app, name="report")


def _human(result: Filed | Decided) -> str:
    return f"{result.request_id}: {result.decision} (rule {result.rule})"


@request_app.command("file")
def request_file(
    ctx: typer.Context,
    requester_kind: Annotated[str, typer.Option("--requester-kind", help="applicant, ...")],
    instrument: Annotated[str, typer.Option("--instrument", help="none, judicial_warrant, ...")],
    scope: Annotated[str, typer.Option("--scope", help="JSON: application_ids, fields, from, to")],
    requester: Annotated[str | None, typer.Option("--requester", help="Who asks (sealed).")] = None,
    docket: Annotated[str | None, typer.Option("--docket", help="Docket or index number.")] = None,
    identity_checked: Annotated[
        bool, typer.Option("--identity-checked", help="Self-access: identity was checked.")
    ] = False,
    court_forbids_notice: Annotated[
        bool, typer.Option("--court-forbids-notice", help="A court forbids telling the applicant.")
    ] = False,
    received: Annotated[
        str | None, typer.Option("--received", help="Date received (default today).")
    ] = None,
    attach: Annotated[
        list[Path] | None, typer.Option("--attach", help="A document the requester sent.")
    ] = None,
) -> None:
    """File a request; prints the engine's proposed decision and the rule that made it."""
    from cityid.disclosure.filing import file_request

    received_on = date_option(received, "--received") if received else None
    attachments = [_read_attachment(path) for path in attach or []]
    with acting(ctx) as act:
        result = file_request(
            act.uow, act.runtime, act.actor,
            requester_kind=requester_kind, instrument=instrument, scope=scope,
            requester=requester, identity_checked=identity_checked,
            court_forbids_notice=court_forbids_notice, docket=docket,
            received_on=received_on,
            attachments=attachments,
        )  # fmt: skip
    act.emit(result, _human(result))


@request_app.command("decide")
def request_decide(
    ctx: typer.Context,
    request_id: Annotated[str, typer.Argument(help="The request id (req-...).")],
    override: Annotated[
        str | None,
        typer.Option("--override", help="granted|partially_granted|denied|no_records"),
    ] = None,
    reason: Annotated[
        str | None, typer.Option("--reason", help="Counsel's written reason.")
    ] = None,
    fields: Annotated[
        str | None, typer.Option("--fields", help="Granted fields, comma-separated.")
    ] = None,
) -> None:
    """Counsel confirms the proposal, or overrides it with a written reason."""
    from cityid.disclosure.decisions import decide

    names = [f.strip() for f in fields.split(",") if f.strip()] if fields else None
    with acting(ctx) as act:
        result = decide(
            act.uow, act.runtime, act.actor, request_id,
            override=override, reason=reason, fields=names,
        )  # fmt: skip
    act.emit(result, _human(result))


@request_app.command("show")
def request_show(
    ctx: typer.Context, request_id: Annotated[str, typer.Argument(help="The request id.")]
) -> None:
    """The whole request for counsel (the read is audited)."""
    from cityid.disclosure.requests import show

    with acting(ctx) as act:
        result = show(act.uow, act.runtime, act.actor, request_id)
    act.emit(result)


@request_app.command("list")
def request_list(
    ctx: typer.Context,
    status: Annotated[str | None, typer.Option("--status", help="open or decided")] = None,
) -> None:
    """Requests, soonest deadline first."""
    from cityid.disclosure.requests import list_requests

    with acting(ctx, read_only=True) as act:
        found = list_requests(act.uow, act.runtime, act.actor, status=status)
    act.emit(
        {"requests": found},
        "\n".join(
            f"{r.request_id}\t{r.status}\t{r.decision or r.proposed_decision}\t"
            f"{r.rule}\tby {r.respond_by}"
            for r in found
        )
        or "no requests",
    )


@request_app.command("package")
def request_package(
    ctx: typer.Context,
    request_id: Annotated[str, typer.Argument(help="The request id.")],
    out: Annotated[Path, typer.Option("--out", help="FILE.json or FILE.pdf")],
) -> None:
    """Write the release package: only the granted fields; every release is audited."""
    from cityid.disclosure.release import build_package, package_json
    from cityid.disclosure.release_pdf import render_pdf

    suffix = out.suffix.lower()
    if suffix not in (".json", ".pdf"):
        raise typer.BadParameter("--out must end in .json or .pdf")
    with acting(ctx) as act:
        package = build_package(act.uow, act.runtime, act.actor, request_id)
        data = package_json(package) if suffix == ".json" else render_pdf(package)
        write_file(out, data)  # inside the unit: no release is logged that was not written
    result = {
        "request_id": request_id,
        "decision": package["decision"],
        "rule": package["rule"],
        "records": len(package["records"]),
        "fields": package["fields"],
        "file": str(out),
    }
    act.emit(result, f"wrote {out}")


@request_app.command("notices")
def request_notices(
    ctx: typer.Context,
    request_id: Annotated[str, typer.Argument(help="The request id.")],
    text: Annotated[bool, typer.Option("--text", help="Include each notice's text.")] = False,
) -> None:
    """The applicant notices of a request, pending until marked sent."""
    from cityid.disclosure.notices import list_notices

    with acting(ctx) as act:
        found = list_notices(act.uow, act.runtime, act.actor, request_id, with_text=text)
    act.emit({"request_id": request_id, "notices": found})


@request_app.command("notice-sent")
def request_notice_sent(
    ctx: typer.Context, notice_id: Annotated[str, typer.Argument(help="The notice id.")]
) -> None:
    """Mark an applicant notice as sent."""
    from cityid.disclosure.notices import mark_sent

    with acting(ctx) as act:
        result = mark_sent(act.uow, act.runtime, act.actor, notice_id)
    act.emit(result, f"{notice_id}: sent")


@report_app.command("transparency")
def report_transparency(
    ctx: typer.Context,
    output_format: Annotated[str, typer.Option("--format", help="json, csv or html")] = "json",
) -> None:
    """The public transparency report (no login, no personal data)."""
    from cityid.disclosure.report import build_report, to_csv
    from cityid.disclosure.report_html import render_report_html

    if output_format not in ("json", "csv", "html"):
        raise typer.BadParameter("--format must be json, csv or html")
    with acting(ctx, read_only=True, signed_in=False) as act:
        report = build_report(act.uow, act.runtime)
    if output_format == "json":
        act.emit(report, json.dumps(report, indent=2))
        return
    text = (
        to_csv(report)
        if output_format == "csv"
        else render_report_html(report, act.runtime.policy.program)
    )
    if act.cli.json:  # exactly one JSON document, the report's text inside it
        act.emit({"format": output_format, "text": text})
    else:
        typer.echo(text, nl=False)


def _read_attachment(path: Path) -> Attachment:
    from cityid.disclosure.requests import Attachment

    content = read_file(path)
    media_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return Attachment(path.name, media_type, content)
