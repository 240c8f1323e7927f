"""The console for counsel and records officers: holds, disposition batches, certificates."""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from cityid.errors import BadInput
from cityid.retention import certificate, disposition, holds
from cityid.runtime import Runtime
from cityid.staff.permissions import is_allowed
from cityid.store.uow import UnitOfWork
from cityid.web.deps import Staff, check_csrf, get_runtime, get_uow, require
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
    staff: Staff = Depends(require("hold.read")),
    runtime: Runtime = Depends(get_runtime),
    uow: UnitOfWork = Depends(get_uow),
) -> HTMLResponse:
    found = holds.list_holds(uow, runtime, staff.actor)
    uow.commit()
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
    csrf_token: Annotated[str, Form(max_length=128)],
    order_date: Annotated[str, Form(max_length=10)] = "",
    staff: Staff = Depends(require("hold.place")),
    runtime: Runtime = Depends(get_runtime),
    uow: UnitOfWork = Depends(get_uow),
) -> Response:
    check_csrf(staff, csrf_token)
    holds.place_hold(
        uow, runtime, staff.actor, authority=authority, docket=docket, reason=reason,
        scope=scope, order_date=_date(order_date, "order date"),
    )  # fmt: skip
    uow.commit()
    return RedirectResponse("/console/retention/holds", status_code=303)


@router.post("/holds/{hold_id}/release")
def release(
    hold_id: str,
    reason: Annotated[str, Form(max_length=2000)],
    csrf_token: Annotated[str, Form(max_length=128)],
    staff: Staff = Depends(require("hold.release")),
    runtime: Runtime = Depends(get_runtime),
    uow: UnitOfWork = Depends(get_uow),
) -> Response:
    check_csrf(staff, csrf_token)
    holds.release_hold(uow, runtime, staff.actor, hold_id, reason=reason)
    uow.commit()
    return RedirectResponse("/console/retention/holds", status_code=303)


@router.get("/", response_class=HTMLResponse)
def batches_page(
    request: Request,
    staff: Staff = Depends(require("retention.read")),
    runtime: Runtime = Depends(get_runtime),
    uow: UnitOfWork = Depends(get_uow),
) -> HTMLResponse:
    batches = disposition.list_batches(uow, runtime, staff.actor)
    uow.commit()
    allowed = {
        name: is_allowed(runtime.policy, staff.actor, f"retention.{name}")
        for name in ("plan", "approve", "execute")
    }
    return render(
        request, "console/retention/batches.html", staff, batches=batches, allowed=allowed
    )


@router.post("/plan")
def plan(
    csrf_token: Annotated[str, Form(max_length=128)],
    as_of: Annotated[str, Form(max_length=10)] = "",
    staff: Staff = Depends(require("retention.plan")),
    runtime: Runtime = Depends(get_runtime),
    uow: UnitOfWork = Depends(get_uow),
) -> Response:
    check_csrf(staff, csrf_token)
    disposition.plan(uow, runtime, staff.actor, as_of=_date(as_of, "as of"))
    uow.commit()
    return RedirectResponse("/console/retention/", status_code=303)


@router.post("/{batch_id}/approve")
def approve(
    batch_id: str,
    csrf_token: Annotated[str, Form(max_length=128)],
    staff: Staff = Depends(require("retention.approve")),
    runtime: Runtime = Depends(get_runtime),
    uow: UnitOfWork = Depends(get_uow),
) -> Response:
    check_csrf(staff, csrf_token)
    disposition.approve(uow, runtime, staff.actor, batch_id)
    uow.commit()
    return RedirectResponse("/console/retention/", status_code=303)


@router.post("/{batch_id}/execute")
def execute(
    batch_id: str,
    csrf_token: Annotated[str, Form(max_length=128)],
    staff: Staff = Depends(require("retention.execute")),
    runtime: Runtime = Depends(get_runtime),
    uow: UnitOfWork = Depends(get_uow),
) -> Response:
    check_csrf(staff, csrf_token)
    uow.commit()  # let go of the request's transaction: execution runs its own
    disposition.execute(runtime, staff.actor, batch_id)
    return RedirectResponse("/console/retention/", status_code=303)


@router.get("/{batch_id}/certificate.{kind}")
def certificate_download(
    batch_id: str,
    kind: str,
    staff: Staff = Depends(require("retention.read")),
    runtime: Runtime = Depends(get_runtime),
    uow: UnitOfWork = Depends(get_uow),
) -> Response:
    if kind not in ("json", "pdf"):
        raise BadInput("a certificate is .json or .pdf")
    document = disposition.certificate_document(uow, runtime, staff.actor, batch_id)
    uow.commit()
    name = f"certificate-{batch_id}.{kind}"
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    if kind == "pdf":
        return Response(certificate.render_pdf(document), media_type="application/pdf",
                        headers=headers)  # fmt: skip
    return Response(json.dumps(document, indent=2, sort_keys=True),
                    media_type="application/json", headers=headers)  # fmt: skip
