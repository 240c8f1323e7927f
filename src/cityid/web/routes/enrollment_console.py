"""The enrollment desk (a short wizard), the application view, the supervisor's queue.

The wizard keeps nothing on the server between steps: each step's answers travel in
the form itself (hidden fields) until "Submit" takes the application in, so an
abandoned desk leaves no trace. The points tally is an htmx partial that asks the
eligibility engine on every change.
"""

from __future__ import annotations

import base64
import datetime as dt
import secrets
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData, UploadFile

from cityid.enrollment import lookup, pre_application, service, transitions
from cityid.enrollment.applicant import InvalidApplicant, parse_applicant
from cityid.enrollment.eligibility import decide
from cityid.enrollment.idempotency import KeyReused
from cityid.enrollment.pre_application import PreApplication
from cityid.errors import CityIdError, NotFound
from cityid.jsonable import to_json
from cityid.runtime import Runtime
from cityid.web.deps import FormDep, RuntimeDep, Staff, UowDep, require
from cityid.web.routes.console import render

router = APIRouter(prefix="/console", include_in_schema=False)

STEPS = ("applicant", "documents", "photo", "review")
DOCUMENT_ROWS = 4
MAX_PHOTO_BYTES = 5 * 1024 * 1024
APPLICANT_FIELDS = (
    "given_name", "family_name", "date_of_birth", "line1", "line2", "city", "state",
    "postal_code", "gender", "language", "veteran", "organ_donor", "caretaker_present",
    "ec_name", "ec_phone", "ec_relationship", "centre",
)  # fmt: skip
DOCUMENT_FIELDS = ("type", "number", "country", "expires", "mrz")


def _values(form: FormData) -> dict[str, str]:
    """Every text field the wizard knows, from the posted form."""
    names = [*APPLICANT_FIELDS, "photo_b64", "intake_key", "pre_reference"]
    names += [f"doc{i}_{f}" for i in range(DOCUMENT_ROWS) for f in DOCUMENT_FIELDS]
    found: dict[str, str] = {}
    for name in names:
        value = form.get(name)
        if isinstance(value, str):
            found[name] = value
    return found


def to_line(values: dict[str, str]) -> dict[str, Any]:
    """The wizard's fields as an applicant line (INTERFACE.md shape)."""
    line: dict[str, Any] = {
        "given_name": values.get("given_name", ""),
        "family_name": values.get("family_name", ""),
        "date_of_birth": values.get("date_of_birth", ""),
        "address": {
            "line1": values.get("line1", ""),
            "line2": values.get("line2", ""),
            "city": values.get("city", ""),
            "state": values.get("state", ""),
            "postal_code": values.get("postal_code", ""),
        },
        "veteran": values.get("veteran") == "on",
        "organ_donor": values.get("organ_donor") == "on",
        "caretaker_present": values.get("caretaker_present") == "on",
        "documents": [],
    }
    for key in ("gender", "language", "centre"):
        if values.get(key):
            line[key] = values[key]
    if values.get("ec_name"):
        line["emergency_contact"] = {
            "name": values["ec_name"],
            "phone": values.get("ec_phone", ""),
            "relationship": values.get("ec_relationship", ""),
        }
    for i in range(DOCUMENT_ROWS):
        kind = values.get(f"doc{i}_type", "")
        if not kind:
            continue
        doc: dict[str, Any] = {
            "type": kind,
            "number": values.get(f"doc{i}_number", ""),
            "issuing_country": values.get(f"doc{i}_country", ""),
            "expires": values.get(f"doc{i}_expires") or None,
        }
        if values.get(f"doc{i}_mrz"):
            doc["mrz"] = values[f"doc{i}_mrz"]
        line["documents"].append(doc)
    if values.get("photo_b64"):
        line["photo"] = values["photo_b64"]
    return line


def _step_errors(errors: list[tuple[str, str]], step: str) -> list[tuple[str, str]]:
    """The errors that belong to the fields of one step."""
    if step == "applicant":
        return [e for e in errors if not e[0].startswith(("documents", "photo"))]
    if step == "documents":
        return [e for e in errors if e[0].startswith("documents")]
    if step == "photo":
        return [e for e in errors if e[0].startswith("photo")]
    return errors


def _desk(
    request: Request,
    staff: Staff,
    runtime: Runtime,
    step: str,
    values: dict[str, str],
    errors: list[tuple[str, str]] | None = None,
    tally: dict[str, Any] | None = None,
    outcome: dict[str, Any] | None = None,
    started: PreApplication | None = None,
) -> HTMLResponse:
    return render(
        request,
        "console/enrollment/desk.html",
        staff,
        step=step,
        steps=STEPS,
        values=values,
        errors=errors or [],
        tally=tally,
        outcome=outcome,
        document_types=runtime.policy.document_types,
        languages=runtime.policy.card.languages,
        genders=runtime.policy.card.genders,
        rows=range(DOCUMENT_ROWS),
        state=runtime.policy.residency.state,
        started=started,
    )


def _tally(runtime: Runtime, values: dict[str, str]) -> dict[str, Any]:
    """Points so far, from the eligibility engine; problems in the documents listed."""
    today = runtime.today()
    try:
        applicant = parse_applicant(to_line(values), runtime.policy, today)
    except InvalidApplicant as exc:
        return {"ready": False, "errors": exc.field_errors}
    decision = decide(applicant, runtime.policy, today)
    return {"ready": True, "decision": decision, "errors": []}


@router.get("/enrollment/", response_class=HTMLResponse)
def desk_start(
    request: Request,
    staff: Annotated[Staff, Depends(require("application.create"))],
    runtime: RuntimeDep,
    uow: UowDep,
    pre: Annotated[str | None, Query(max_length=32)] = None,
) -> Response:
    """The first step; with `pre`, the documents chosen online are already filled in."""
    # The form's own idempotency key: a double click or a resent form is one application.
    values = {"state": runtime.policy.residency.state, "intake_key": secrets.token_urlsafe(16)}
    errors: list[tuple[str, str]] = []
    started = None
    if pre:
        try:
            started = pre_application.find(uow, runtime, staff.actor, pre, runtime.today())
        except NotFound as exc:
            errors.append(("reference", exc.message))
    if started is not None:
        values["pre_reference"] = started.reference  # closed when the application goes in
        for i, kind in enumerate(started.documents[:DOCUMENT_ROWS]):
            values[f"doc{i}_type"] = kind.code
    return _desk(request, staff, runtime, "applicant", values, errors, started=started)


@router.post("/enrollment/", response_class=HTMLResponse)
def desk_step(
    request: Request,
    form: FormDep,
    staff: Annotated[Staff, Depends(require("application.create"))],
    runtime: RuntimeDep,
    uow: UowDep,
) -> Response:
    values = _values(form)
    upload = form.get("photo_file")
    if isinstance(upload, UploadFile) and upload.filename:
        data = upload.file.read(MAX_PHOTO_BYTES + 1)
        values["photo_b64"] = base64.b64encode(data).decode("ascii")
    current = str(form.get("step", "applicant"))
    target = str(form.get("go", "applicant"))
    if current not in STEPS or target not in (*STEPS, "submit"):
        current, target = "applicant", "applicant"
    today = runtime.today()

    # Moving forward checks the step being left; moving back never blocks.
    forward = target == "submit" or STEPS.index(target) > STEPS.index(current)
    if forward:
        try:
            intake_request = service.parse_request(to_line(values), runtime, today)
            if target in ("review", "submit"):
                service.check_photo(intake_request.applicant)
        except InvalidApplicant as exc:
            for step in STEPS[: STEPS.index(current) + 1] if target != "submit" else STEPS:
                mine = _step_errors(exc.field_errors, step)
                if mine:
                    return _desk(
                        request, staff, runtime, step, values, mine, _tally(runtime, values)
                    )
            if target == "submit":
                return _desk(request, staff, runtime, "review", values, exc.field_errors)
    if target != "submit":
        return _desk(request, staff, runtime, target, values, tally=_tally(runtime, values))
    key = f"desk:{values['intake_key']}" if values.get("intake_key") else None
    try:
        outcome = service.intake_once(
            uow, runtime, staff.actor, to_line(values),
            idempotency_key=key, pre_reference=values.get("pre_reference"),
        )  # fmt: skip
    except InvalidApplicant as exc:
        uow.rollback()  # the answer is the form again: keep nothing
        return _desk(request, staff, runtime, "review", values, exc.field_errors)
    except KeyReused:
        uow.rollback()
        problem = "This form was already submitted with other answers: start a new application."
        return _desk(request, staff, runtime, "review", values, [("(application)", problem)])
    except CityIdError as exc:
        uow.rollback()
        return _desk(request, staff, runtime, "review", values, [("(application)", exc.message)])
    return render(request, "console/enrollment/outcome.html", staff, outcome=outcome)


@router.post("/enrollment/tally", response_class=HTMLResponse)
def desk_tally(
    request: Request,
    form: FormDep,
    staff: Annotated[Staff, Depends(require("application.create"))],
    runtime: RuntimeDep,
) -> Response:
    """The live points tally (an htmx partial); nothing is stored or audited."""
    return render(
        request, "console/enrollment/_tally.html", staff, tally=_tally(runtime, _values(form))
    )


@router.get("/enrollment/queue", response_class=HTMLResponse)
def supervisor_queue(
    request: Request,
    staff: Annotated[Staff, Depends(require("application.decide"))],
    runtime: RuntimeDep,
    uow: UowDep,
) -> Response:
    rows = to_json(lookup.queue(uow, runtime, staff.actor))
    return render(request, "console/enrollment/queue.html", staff, rows=rows)


@router.get("/applications/search", response_class=HTMLResponse)
def search_form(
    request: Request, staff: Annotated[Staff, Depends(require("application.read"))]
) -> Response:
    return render(request, "console/enrollment/search.html", staff, rows=None, error=None, query={})


# A POST, so names and dates of birth never stand in a URL (proxies and logs keep URLs).
@router.post("/applications/search", response_class=HTMLResponse)
def search_page(
    request: Request,
    form: FormDep,
    staff: Annotated[Staff, Depends(require("application.read"))],
    runtime: RuntimeDep,
    uow: UowDep,
) -> Response:
    query = {
        name: str(form.get(name) or "")[:100]
        for name in ("family_name", "given_name", "date_of_birth")
    }
    rows: list[dict[str, Any]] | None = None
    error = None
    try:
        born = dt.date.fromisoformat(query["date_of_birth"])
    except ValueError:
        error = "Date of birth: not a date (use YYYY-MM-DD)"
    else:
        rows = to_json(
            lookup.search(
                uow, runtime, staff.actor, query["family_name"], query["given_name"], born
            )
        )
    return render(
        request, "console/enrollment/search.html", staff, rows=rows, error=error, query=query
    )


@router.get("/applications/{application_id}", response_class=HTMLResponse)
def application_page(
    request: Request,
    application_id: str,
    staff: Annotated[Staff, Depends(require("application.read"))],
    runtime: RuntimeDep,
    uow: UowDep,
) -> Response:
    shown = lookup.show(uow, runtime, staff.actor, application_id, documents=True)
    from cityid.staff.permissions import is_allowed

    return render(
        request,
        "console/enrollment/application.html",
        staff,
        app=to_json(shown),
        can_decide=is_allowed(runtime.policy, staff.actor, "application.decide"),
        can_withdraw=is_allowed(runtime.policy, staff.actor, "application.withdraw"),
    )


@router.get("/applications/{application_id}/photo")
def application_photo(
    application_id: str,
    staff: Annotated[Staff, Depends(require("application.read"))],
    runtime: RuntimeDep,
    uow: UowDep,
) -> Response:
    data = lookup.photo(uow, runtime, staff.actor, application_id)
    if data is None:
        uow.rollback()  # no portrait, so no read to audit
        return Response(status_code=404)
    return Response(data, media_type="image/jpeg", headers={"Cache-Control": "no-store"})


@router.post("/applications/{application_id}/decision")
def application_decision(
    request: Request,
    form: FormDep,
    application_id: str,
    staff: Annotated[Staff, Depends(require("application.read"))],
    runtime: RuntimeDep,
    uow: UowDep,
) -> Response:
    """Approve, reject or withdraw from the application view (the service checks roles)."""
    action = form.get("action")
    reason = form.get("reason")
    moves = {
        "approve": transitions.approve, "reject": transitions.reject,
        "withdraw": transitions.withdraw,
    }  # fmt: skip
    if not isinstance(action, str) or action not in moves:
        return RedirectResponse(f"/console/applications/{application_id}", status_code=303)
    moves[action](
        uow, runtime, staff.actor, application_id, reason if isinstance(reason, str) else None
    )
    return RedirectResponse(f"/console/applications/{application_id}", status_code=303)
