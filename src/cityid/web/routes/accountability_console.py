"""Accountability in the console: the auditor's alert queue, supervisors' exceptions,
and the access report a clerk prints at the desk for a resident."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from cityid.accountability import alerts, exceptions, report
from cityid.errors import BadInput
from cityid.jsonable import to_json
from cityid.web.deps import FormDep, ReadUowDep, RuntimeDep, Staff, UowDep, require
from cityid.web.routes.console import render

router = APIRouter(prefix="/console/accountability", include_in_schema=False)

RULE_WORDS = {
    "read_rate": "More reads in an hour than normal",
    "off_shift": "Reads outside the shift",
    "other_centre": "Reads of another centre's applications",
    "no_open_task": "Reads of records with no open task",
    "search_without_intake": "Searches by name with no intake",
    "not_found_spike": "Many searches that found nothing",
}


def _text(form: object, name: str, limit: int = 100) -> str:
    value = form.get(name) if hasattr(form, "get") else None
    return str(value or "").strip()[:limit]


@router.get("/alerts", response_class=HTMLResponse)
def alert_queue(
    request: Request,
    staff: Annotated[Staff, Depends(require("access.alerts"))],
    runtime: RuntimeDep,
    uow: ReadUowDep,
    status: str = Query(default="open", max_length=8),
    message: str | None = Query(default=None, max_length=200),
) -> HTMLResponse:
    rows = to_json(alerts.queue(uow, runtime, staff.actor, status=status))
    return render(
        request,
        "console/accountability/alerts.html",
        staff,
        rows=rows,
        status=status,
        words=RULE_WORDS,
        message=message,
    )


@router.post("/alerts/scan")
def alert_scan(
    staff: Annotated[Staff, Depends(require("access.alerts"))],
    runtime: RuntimeDep,
    uow: UowDep,
) -> Response:
    result = alerts.scan(uow, runtime, staff.actor)
    message = f"Scanned {result.entries_read} entries: {result.raised} new alerts."
    return RedirectResponse(
        f"/console/accountability/alerts?message={quote(message)}", status_code=303
    )


@router.get("/alerts/{alert_id}", response_class=HTMLResponse)
def alert_page(
    request: Request,
    alert_id: str,
    staff: Annotated[Staff, Depends(require("access.alerts"))],
    runtime: RuntimeDep,
    uow: UowDep,
    message: str | None = Query(default=None, max_length=200),
) -> HTMLResponse:
    detail = to_json(alerts.show(uow, runtime, staff.actor, alert_id))
    return render(
        request,
        "console/accountability/alert.html",
        staff,
        detail=detail,
        words=RULE_WORDS,
        outcomes=alerts.OUTCOMES,
        message=message,
    )


@router.post("/alerts/{alert_id}/close")
def alert_close(
    alert_id: str,
    form: FormDep,
    staff: Annotated[Staff, Depends(require("access.alerts"))],
    runtime: RuntimeDep,
    uow: UowDep,
) -> Response:
    alerts.close(uow, runtime, staff.actor, alert_id, _text(form, "outcome", 32))
    return RedirectResponse(
        f"/console/accountability/alerts/{quote(alert_id)}?message={quote('Alert closed.')}",
        status_code=303,
    )


@router.get("/exceptions", response_class=HTMLResponse)
def exceptions_page(
    request: Request,
    staff: Annotated[Staff, Depends(require("access.exception"))],
    runtime: RuntimeDep,
    uow: ReadUowDep,
    message: str | None = Query(default=None, max_length=200),
) -> HTMLResponse:
    rows = to_json(exceptions.listed(uow, runtime, staff.actor))
    return render(
        request,
        "console/accountability/exceptions.html",
        staff,
        rows=rows,
        message=message,
        error=None,
        hours=runtime.policy.accountability.exception_max_hours,
    )


@router.post("/exceptions", response_class=HTMLResponse)
def exception_grant(
    request: Request,
    form: FormDep,
    staff: Annotated[Staff, Depends(require("access.exception"))],
    runtime: RuntimeDep,
    uow: UowDep,
) -> Response:
    try:
        hours = int(_text(form, "hours", 4) or "0")
    except ValueError:
        hours = 0
    try:
        granted = exceptions.grant(
            uow,
            runtime,
            staff.actor,
            username=_text(form, "username", 64),
            application_id=_text(form, "application_id", 32),
            hours=hours,
            reason=_text(form, "reason", 64),
        )
    except BadInput as error:
        uow.rollback()
        rows = to_json(exceptions.listed(uow, runtime, staff.actor))
        return render(
            request,
            "console/accountability/exceptions.html",
            staff,
            rows=rows,
            message=None,
            error=error.message,
            hours=runtime.policy.accountability.exception_max_hours,
        )
    message = f"Exception {granted.exception_id} granted until {granted.expires_at}."
    return RedirectResponse(
        f"/console/accountability/exceptions?message={quote(message)}", status_code=303
    )


@router.get("/report", response_class=HTMLResponse)
def desk_report(
    request: Request,
    staff: Annotated[Staff, Depends(require("access.report"))],
    runtime: RuntimeDep,
    uow: UowDep,
    application_id: str | None = Query(default=None, max_length=32),
    download: bool = Query(default=False),
) -> Response:
    """The access report a clerk gives a resident at the desk (never a staff name)."""
    if not application_id:
        return render(request, "console/accountability/report.html", staff, doc=None)
    doc = to_json(report.report_for_application(uow, runtime, staff.actor, application_id))
    if download:
        return _download(doc, application_id)
    return render(request, "console/accountability/report.html", staff, doc=doc)


def _download(doc: object, application_id: str) -> Response:
    import json

    return Response(
        json.dumps(doc, indent=2),
        media_type="application/json",
        headers={
            "Content-Disposition": f'attachment; filename="access-report-{application_id}.json"',
            "Cache-Control": "no-store",
        },
    )
