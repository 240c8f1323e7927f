"""Counsel's console: the queue of open requests, a request page to decide, the package."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData, UploadFile

from cityid.disclosure import decisions, filing, notices, release, release_pdf, requests
from cityid.disclosure.requests import MAX_DOCUMENT_BYTES, Attachment
from cityid.disclosure.rules import DECISIONS, RELEASABLE_FIELDS
from cityid.errors import CityIdError
from cityid.staff.permissions import is_allowed
from cityid.web.deps import FormDep, ReadUowDep, RuntimeDep, Staff, UowDep, require
from cityid.web.routes.console import render

router = APIRouter(prefix="/console/disclosure", include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
def queue(
    request: Request,
    staff: Annotated[Staff, Depends(require("disclosure.read"))],
    runtime: RuntimeDep,
    uow: ReadUowDep,
) -> HTMLResponse:
    open_requests = requests.list_requests(uow, runtime, staff.actor, status="open")
    decided = requests.list_requests(uow, runtime, staff.actor, status="decided")
    return render(
        request,
        "console/disclosure/queue.html",
        staff,
        open_requests=open_requests,
        decided=list(reversed(decided))[:50],
        may_file=is_allowed(runtime.policy, staff.actor, "disclosure.file"),
    )


KIND_NAMES = {
    "applicant": "The applicant (their own record)",
    "representative": "A representative with consent",
    "local_police": "Local police", "federal_law_enforcement": "Federal law enforcement",
    "other_agency": "Another agency", "court": "A court", "public": "The public (FOIL)",
}  # fmt: skip
INSTRUMENT_NAMES = {
    "none": "None", "administrative_subpoena": "Administrative subpoena",
    "judicial_subpoena": "Judicial subpoena", "judicial_warrant": "Judicial warrant",
    "court_order": "Court order", "written_consent": "Written consent",
}  # fmt: skip
FILE_FIELDS = ("requester_kind", "requester", "instrument", "docket", "received_on", "asks",
               "application_ids", "date_from", "date_to")  # fmt: skip


def scope_from_form(form: FormData) -> dict[str, Any]:
    """The request form's fields as the scope object `disclosure.scope` reads."""
    scope: dict[str, Any] = {}
    for key, name in (("from", "date_from"), ("to", "date_to")):
        value = str(form.get(name) or "").strip()
        if value:
            scope[key] = value
    if form.get("asks") == "aggregate":
        return {"aggregate": True, **scope}
    text = str(form.get("application_ids") or "").replace(",", "\n")
    ids = [line.strip() for line in text.splitlines() if line.strip()]
    if ids:
        scope["application_ids"] = ids
    scope["fields"] = [str(f) for f in form.getlist("fields") if str(f)]
    return scope


def _file_form(
    request: Request, staff: Staff, error: str | None = None, sent: dict[str, Any] | None = None
) -> HTMLResponse:
    return render(
        request, "console/disclosure/file.html", staff, error=error, sent=sent or {},
        kinds=KIND_NAMES, instruments=INSTRUMENT_NAMES, releasable=RELEASABLE_FIELDS,
    )  # fmt: skip


@router.get("/new", response_class=HTMLResponse)
def new_request_form(
    request: Request, staff: Annotated[Staff, Depends(require("disclosure.file"))]
) -> HTMLResponse:
    """Counsel logs a request that arrived (by mail, by hand) as fields, not JSON."""
    return _file_form(request, staff)


@router.post("/new")
def file_new_request(
    request: Request,
    form: FormDep,
    staff: Annotated[Staff, Depends(require("disclosure.file"))],
    runtime: RuntimeDep,
    uow: UowDep,
) -> Response:
    sent: dict[str, Any] = {name: str(form.get(name) or "") for name in FILE_FIELDS}
    sent["fields"] = [str(f) for f in form.getlist("fields")]
    try:
        received = dt.date.fromisoformat(sent["received_on"]) if sent["received_on"] else None
    except ValueError:
        return _file_form(request, staff, "Received on: not a date.", sent)
    attachments = []
    upload = form.get("document")
    if isinstance(upload, UploadFile) and upload.filename:
        content = upload.file.read(MAX_DOCUMENT_BYTES + 1)
        attachments.append(
            Attachment(
                upload.filename[:200], upload.content_type or "application/octet-stream", content
            )
        )
    try:
        filed = filing.file_request(
            uow, runtime, staff.actor,
            requester_kind=sent["requester_kind"], instrument=sent["instrument"],
            scope=scope_from_form(form), requester=sent["requester"] or None,
            identity_checked=form.get("identity_checked") == "on",
            court_forbids_notice=form.get("court_forbids_notice") == "on",
            docket=sent["docket"] or None, received_on=received, attachments=attachments,
        )  # fmt: skip
    except CityIdError as exc:
        uow.rollback()  # the answer is the form again, with the problem: keep nothing
        return _file_form(request, staff, exc.message, sent)
    return RedirectResponse(f"/console/disclosure/{filed.request_id}", status_code=303)


@router.get("/{request_id}", response_class=HTMLResponse)
def request_page(
    request: Request,
    request_id: str,
    staff: Annotated[Staff, Depends(require("disclosure.read"))],
    runtime: RuntimeDep,
    uow: UowDep,
) -> HTMLResponse:
    shown = requests.show(uow, runtime, staff.actor, request_id)
    notice_list = (
        notices.list_notices(uow, runtime, staff.actor, request_id)
        if is_allowed(runtime.policy, staff.actor, "disclosure.release")
        else []
    )
    return render(
        request,
        "console/disclosure/request.html",
        staff,
        req=shown,
        notices=notice_list,
        decisions=DECISIONS,
        releasable=shown.scope.get("fields") or list(RELEASABLE_FIELDS),
        may_decide=is_allowed(runtime.policy, staff.actor, "disclosure.decide"),
        may_release=is_allowed(runtime.policy, staff.actor, "disclosure.release"),
    )


@router.post("/{request_id}/decide")
def decide(
    request: Request,
    form: FormDep,
    request_id: str,
    staff: Annotated[Staff, Depends(require("disclosure.decide"))],
    runtime: RuntimeDep,
    uow: UowDep,
    action: Annotated[str, Form(max_length=16)] = "confirm",
    decision: Annotated[str, Form(max_length=24)] = "",
    reason: Annotated[str, Form(max_length=requests.MAX_REASON_CHARS)] = "",
) -> Response:
    fields = [str(v) for v in form.getlist("fields")]
    if action == "override":
        decisions.decide(
            uow, runtime, staff.actor, request_id,
            override=decision or None, reason=reason or None, fields=fields or None,
        )  # fmt: skip
    else:
        decisions.decide(uow, runtime, staff.actor, request_id, reason=reason or None)
    return RedirectResponse(f"/console/disclosure/{request_id}", status_code=303)


@router.get("/{request_id}/package.{kind}")
def package(
    request_id: str,
    kind: str,
    staff: Annotated[Staff, Depends(require("disclosure.release"))],
    runtime: RuntimeDep,
    uow: UowDep,
) -> Response:
    if kind not in ("json", "pdf"):
        return Response(status_code=404)
    built = release.build_package(uow, runtime, staff.actor, request_id)
    if kind == "json":
        data, media_type = release.package_json(built), "application/json"
    else:
        data, media_type = release_pdf.render_pdf(built), "application/pdf"
    return Response(
        data,
        media_type=media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{request_id}-package.{kind}"',
            "Cache-Control": "no-store",
        },
    )


@router.post("/notices/{notice_id}/sent")
def notice_sent(
    notice_id: str,
    request_id: Annotated[str, Form(max_length=32)],
    staff: Annotated[Staff, Depends(require("disclosure.release"))],
    runtime: RuntimeDep,
    uow: UowDep,
) -> Response:
    notices.mark_sent(uow, runtime, staff.actor, notice_id)
    return RedirectResponse(f"/console/disclosure/{request_id}", status_code=303)
