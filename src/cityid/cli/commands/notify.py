"""notify: deliver the outbox (SMTP, the SMS gateway) and queue the renewal notices."""

from __future__ import annotations

import time
from typing import Annotated

import typer

from cityid.cli.app import app
from cityid.cli.door import job
from cityid.jsonable import to_json

notify_app = typer.Typer(help="Notices to applicants: the outbox.", no_args_is_help=True)
app.add_typer(notify_app, name="notify")


@notify_app.command("run")
def notify_run(
    ctx: typer.Context,
    loop: Annotated[
        bool, typer.Option("--loop", help="Keep running: a round every --interval seconds.")
    ] = False,
    interval: Annotated[
        int, typer.Option("--interval", min=1, help="Seconds between rounds with --loop.")
    ] = 30,
) -> None:
    """Queue today's renewal notices, send what is due, destroy past months' spent outbox
    keys (one round, or --loop)."""
    from cityid.enrollment.renewal_notices import notice_round

    door = job(ctx)
    while True:
        report = notice_round(door.runtime, door.actor)
        sent = report.delivery
        door.emit(
            to_json(report),
            f"renewals queued {report.renewals_queued}; sent {sent.sent}, "
            f"retry later {sent.retried}, failed {sent.failed}; "
            f"old monthly keys destroyed {report.keys_destroyed}",
        )
        if not loop:
            return
        time.sleep(interval)
