"""The console for counsel and records officers: holds, disposition batches, certificates."""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from cityid.errors import BadInput, CityIdError
from cityid.retention import certificate, disposition, holds
from cityid.runtime import Runtime
from cityid.staff.permissions import is_allowed
from cityid.web.deps import FormDep, RuntimeDep, Staff, UowDep, require
from cityid.web.routes.console import render

router = APIRouter(prefix="/console/retention", include_in_schema=False)


def _date(text: str | None, name: str) -> dt.date | None:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise BadInput(f"{name}: use YYYY-MM-DD") from None


CLASS_NAMES = {
    "application": "Applications", "document_attestation": "Document attestations",
    "document_copy": "Document copies", "photo": "Photos", "card": "Cards",
    "match_encoding": "Match encodings", "disclosure_request": "Disclosure requests",
    "audit_entry": "Audit entries",
}  # fmt: skip


def scope_words(scope: dict[str, Any]) -> str:
    """A hold's scope as a sentence ("Document copies; enrolled 2015-01-12 to 2016-12-06")."""
    if scope.get("all"):
        return "Everything"
    parts = []
    if scope.get("record_classes"):
        parts.append(", ".join(CLASS_NAMES.get(c, c) for c in scope["record_classes"]))
    if scope.get("enrolled_from") or scope.get("enrolled_to"):
        start, end = scope.get("enrolled_from") or "the start", scope.get("enrolled_to") or "now"
        parts.append(f"enrolled {start} to {end}")
    if scope.get("centres"):
        parts.append("centres: " + ", ".join(scope["centres"]))
    if scope.get("application_ids"):
        ids = scope["application_ids"]
        parts.append(f"{len(ids)} application{'s' if len(ids) != 1 else ''}: " + ", ".join(ids[:5]))
    return "; ".join(parts) or "Everything"


HOLD_FORM_FIELDS = (
    "authority", "docket", "reason", "order_date", "covers", "enrolled_from", "enrolled_to",
    "centres", "application_ids",
)  # fmt: skip


def _listed(text: str) -> list[str]:
    """One entry per line or comma, blanks dropped."""
    return [part.strip() for part in text.replace(",", "\n").splitlines() if part.strip()]


def scope_from_form(form: FormData) -> dict[str, Any]:
    """The hold form's fields as the scope object `parse_scope` reads (INTERFACE.md)."""
    if form.get("covers") == "all":
        return {"all": True}
    scope: dict[str, Any] = {}
    classes = [str(c) for c in form.getlist("record_classes") if str(c)]
    if classes:
        scope["record_classes"] = classes
    for key in ("enrolled_from", "enrolled_to"):
        value = str(form.get(key) or "").strip()
        if value:
            scope[key] = value
    for key in ("centres", "application_ids"):
        listed = _listed(str(form.get(key) or ""))
        if listed:
            scope[key] = listed
    if not scope:
        raise BadInput("Choose what the hold covers: everything, or at least one limit below.")
    return scope


def _holds(
    request: Request,
    staff: Staff,
    runtime: Runtime,
    uow: Any,
    error: str | None = None,
    sent: dict[str, Any] | None = None,
) -> HTMLResponse:
    found = holds.list_holds(uow, runtime, staff.actor)
    return render(
        request,
        "console/retention/holds.html",
        staff,
        holds=found,
        may_place=is_allowed(runtime.policy, staff.actor, "hold.place"),
        scope_text={h.hold_id: scope_words(h.scope) for h in found},
        class_names=CLASS_NAMES,
        error=error,
        sent=sent or {},
    )


@router.get("/holds", response_class=HTMLResponse)
def holds_page(
    request: Request,
    staff: Annotated[Staff, Depends(require("hold.read"))],
    runtime: RuntimeDep,
    uow: UowDep,
) -> HTMLResponse:
    return _holds(request, staff, runtime, uow)


@router.post("/holds")
def place(
    request: Request,
    form: FormDep,
    authority: Annotated[str, Form(max_length=200)],
    docket: Annotated[str, Form(max_length=100)],
    reason: Annotated[str, Form(max_length=2000)],
    staff: Annotated[Staff, Depends(require("hold.place"))],
    runtime: RuntimeDep,
    uow: UowDep,
    order_date: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    """Place a hold from the form's fields; the server builds the scope object."""
    try:
        holds.place_hold(
            uow, runtime, staff.actor, authority=authority, docket=docket, reason=reason,
            scope=scope_from_form(form), order_date=_date(order_date, "order date"),
        )  # fmt: skip
    except CityIdError as exc:
        uow.rollback()  # the answer is the form again, with the problem: keep nothing
        sent: dict[str, Any] = {k: str(form.get(k) or "") for k in HOLD_FORM_FIELDS}
        sent["record_classes"] = [str(c) for c in form.getlist("record_classes")]
        return _holds(request, staff, runtime, uow, error=exc.message, sent=sent)
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
    request: Request,
    batch_id: str,
    staff: Annotated[Staff, Depends(require("retention.approve"))],
    runtime: RuntimeDep,
    uow: UowDep,
    confirmed: Annotated[str, Form(max_length=3)] = "",
) -> Response:
    """Approving a destruction is confirmed on its own page first (not a script's dialog)."""
    if confirmed != "yes":
        found = [
            b for b in disposition.list_batches(uow, runtime, staff.actor) if b.batch_id == batch_id
        ]
        due = found[0].due if found else 0
        return render(
            request, "console/confirm.html", staff,
            title=f"Approve destruction batch {batch_id}?",
            lines=[f"{due} records are due in this batch. Once two people approve, it can be "
                   "executed: the records are deleted and their cohort keys destroyed."],
            action=f"/console/retention/{batch_id}/approve", fields=[],
            yes="Yes, approve the destruction", back="/console/retention/",
        )  # fmt: skip
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
