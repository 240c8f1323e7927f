"""Counsel's console: the queue of open requests, a request page to decide, the package."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from cityid.disclosure import decisions, notices, release, release_pdf, requests
from cityid.disclosure.rules import DECISIONS, RELEASABLE_FIELDS
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
    )


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
