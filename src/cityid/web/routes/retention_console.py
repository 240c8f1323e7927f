"""The console for counsel and records officers: holds, disposition batches, certificates."""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from cityid.errors import BadInput
from cityid.retention import certificate, disposition, holds
from cityid.staff.permissions import is_allowed
from cityid.web.deps import RuntimeDep, Staff, UowDep, require
from cityid.web.routes.console import render

router = APIRouter(prefix="/console/retention", include_in_schema=False)


def _date(text: str | None, name: str) -> dt.date | None:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise BadInput(f"{name}: use YYYY-MM-DD") from None


@router.get("/holds", response_class=HTMLResponse)
def holds_page(
    request: Request,
    staff: Annotated[Staff, Depends(require("hold.read"))],
    runtime: RuntimeDep,
    uow: UowDep,
) -> HTMLResponse:
    found = holds.list_holds(uow, runtime, staff.actor)
    return render(
        request,
        "console/retention/holds.html",
        staff,
        holds=found,
        may_place=is_allowed(runtime.policy, staff.actor, "hold.place"),
        scope_json={h.hold_id: json.dumps(h.scope) for h in found},
    )


@router.post("/holds")
def place(
    authority: Annotated[str, Form(max_length=200)],
    docket: Annotated[str, Form(max_length=100)],
    reason: Annotated[str, Form(max_length=2000)],
    scope: Annotated[str, Form(max_length=200_000)],
    staff: Annotated[Staff, Depends(require("hold.place"))],
    runtime: RuntimeDep,
    uow: UowDep,
    order_date: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    holds.place_hold(
        uow, runtime, staff.actor, authority=authority, docket=docket, reason=reason,
        scope=scope, order_date=_date(order_date, "order date"),
    )  # fmt: skip
    return RedirectResponse("/console/retention/holds", status_code=303)


@router.post("/holds/{hold_id}/release")
def release(
    hold_id: str,
    reason: Annotated[str, Form(max_length=2000)],
    staff: Annotated[Staff, Depends(require("hold.release"))],
    runtime: RuntimeDep,
    uow: UowDep,
) -> Response:
    holds.release_hold(uow, runtime, staff.actor, hold_id, reason=reason)
    return RedirectResponse("/console/retention/holds", status_code=303)


@router.get("/", response_class=HTMLResponse)
def batches_page(
    request: Request,
    staff: Annotated[Staff, Depends(require("retention.read"))],
    runtime: RuntimeDep,
    uow: UowDep,
) -> HTMLResponse:
    batches = disposition.list_batches(uow, runtime, staff.actor)
    allowed = {
        name: is_allowed(runtime.policy, staff.actor, f"retention.{name}")
        for name in ("plan", "approve", "execute")
    }
    return render(
        request, "console/retention/batches.html", staff, batches=batches, allowed=allowed
    )


@router.post("/plan")
def plan(
    staff: Annotated[Staff, Depends(require("retention.plan"))],
    runtime: RuntimeDep,
    uow: UowDep,
    as_of: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    disposition.plan(uow, runtime, staff.actor, as_of=_date(as_of, "as of"))
    return RedirectResponse("/console/retention/", status_code=303)


@router.post("/{batch_id}/approve")
def approve(
    batch_id: str,
    staff: Annotated[Staff, Depends(require("retention.approve"))],
    runtime: RuntimeDep,
    uow: UowDep,
) -> Response:
    disposition.approve(uow, runtime, staff.actor, batch_id)
    return RedirectResponse("/console/retention/", status_code=303)


@router.post("/{batch_id}/execute")
def execute(
    batch_id: str,
    staff: Annotated[Staff, Depends(require("retention.execute"))],
    runtime: RuntimeDep,
    uow: UowDep,
) -> Response:
    uow.rollback()  # let go of the request's transaction (reads only): execution runs its own
    disposition.execute(runtime, staff.actor, batch_id)
    return RedirectResponse("/console/retention/", status_code=303)


@router.get("/{batch_id}/certificate.{kind}")
def certificate_download(
    batch_id: str,
    kind: str,
    staff: Annotated[Staff, Depends(require("retention.read"))],
    runtime: RuntimeDep,
    uow: UowDep,
) -> Response:
    if kind not in ("json", "pdf"):
        raise BadInput("a certificate is .json or .pdf")
    document = disposition.certificate_document(uow, runtime, staff.actor, batch_id)
    name = f"certificate-{batch_id}.{kind}"
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    if kind == "pdf":
        return Response(certificate.render_pdf(document), media_type="application/pdf",
                        headers=headers)  # fmt: skip
    return Response(json.dumps(document, indent=2, sort_keys=True),
                    media_type="application/json", headers=headers)  # fmt: skip
