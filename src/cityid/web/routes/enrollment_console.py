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
from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import UploadFile

from cityid.appointments import bookings
from cityid.enrollment import lookup, pre_application, service, transitions, worklist
from cityid.enrollment.applicant import InvalidApplicant, parse_applicant
from cityid.enrollment.eligibility import decide
from cityid.enrollment.idempotency import KeyReused
from cityid.enrollment.pre_application import PreApplication
from cityid.enrollment.screening import FlagKind, flag_reason
from cityid.errors import CityIdError, NotFound
from cityid.jsonable import to_json
from cityid.runtime import Runtime
from cityid.staff.permissions import is_allowed
from cityid.web.deps import FormDep, RuntimeDep, Staff, UowDep, require
from cityid.web.purpose import (
    PURPOSE_COOKIE,
    ConsolePurposeDep,
    purpose_choices,
    remember,
)
from cityid.web.routes.console import render
from cityid.web.routes.desk_form import (
    DOCUMENT_ROWS,
    MAX_PHOTO_BYTES,
    STEPS,
    form_values,
    language_choices,
    step_errors,
    to_line,
)
from cityid.web.routes.desk_messages import in_words

router = APIRouter(prefix="/console", include_in_schema=False)


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
    problems = in_words(errors or [], values, runtime.policy)
    return render(
        request,
        "console/enrollment/desk.html",
        staff,
        step=step,
        steps=STEPS,
        values=values,
        errors=problems,
        field_errors={p.field: p.text for p in problems if p.field},
        tally=tally,
        outcome=outcome,
        document_types=runtime.policy.document_types,
        languages=language_choices(runtime.policy.card.languages),
        genders=runtime.policy.card.genders,
        rows=range(DOCUMENT_ROWS),
        state=runtime.policy.residency.state,
        started=started,
        caretaker_rules=runtime.policy.eligibility.caretaker,
        caretaker_document_name=runtime.policy.caretaker_document_name,
    )


def _tally(runtime: Runtime, values: dict[str, str]) -> dict[str, Any]:
    """Points so far, from the eligibility engine; problems in the documents listed."""
    today = runtime.today()
    try:
        applicant = parse_applicant(to_line(values), runtime.policy, today)
    except InvalidApplicant as exc:
        return {"ready": False, "errors": in_words(exc.field_errors, values, runtime.policy)}
    decision = decide(applicant, runtime.policy, today)
    return {"ready": True, "decision": decision, "errors": []}


@router.get("/enrollment/", response_class=HTMLResponse)
def desk_start(
    request: Request,
    staff: Annotated[Staff, Depends(require("application.create"))],
    runtime: RuntimeDep,
    uow: UowDep,
    pre: Annotated[str | None, Query(max_length=32)] = None,
    appointment: Annotated[str | None, Query(max_length=32)] = None,
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
    if appointment:  # checked in just now: the intake carries the booking's reference
        values["appointment_reference"] = appointment
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
    values = form_values(form)
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
                mine = step_errors(exc.field_errors, step)
                if mine:
                    return _desk(
                        request, staff, runtime, step, values, mine, _tally(runtime, values)
                    )
            if target == "submit":
                return _desk(request, staff, runtime, "review", values, exc.field_errors)
        else:
            # Eligibility is decided before the photo: nobody is photographed to be refused.
            leaving_documents = current in STEPS[:2] and target not in STEPS[:2]
            if (
                leaving_documents
                and not decide(intake_request.applicant, runtime.policy, today).eligible
            ):
                return _refuse(request, staff, runtime, uow, values)
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
    if values.get("appointment_reference") and outcome.application_id:
        bookings.served(  # the booking's wait ends with this intake
            uow, runtime, staff.actor, values["appointment_reference"], outcome.application_id
        )
    return _outcome(request, staff, runtime, outcome, values)


def _outcome(
    request: Request,
    staff: Staff,
    runtime: Runtime,
    outcome: service.IntakeOutcome,
    values: dict[str, str],
) -> HTMLResponse:
    """What the clerk does next; the receipt slip; nothing internal in the applicant's view."""
    reasons = [flag_reason(str(f["kind"])) for f in outcome.flags]
    return render(
        request,
        "console/enrollment/outcome.html",
        staff,
        outcome=outcome,
        values=values if outcome.status == "rejected" else {},
        staff_reasons=sorted(set(reasons)),
        today=runtime.today(),
        centre=values.get("centre", ""),
        status_url=runtime.policy.program.public_base_url.rstrip("/") + "/me/",
    )


def _refuse(
    request: Request, staff: Staff, runtime: Runtime, uow: Any, values: dict[str, str]
) -> HTMLResponse:
    """The applicant is not eligible: intake says why (and audits it), nothing is stored.

    No idempotency key: the clerk may go back, add a document and carry on with this form.
    """
    outcome = service.intake_once(uow, runtime, staff.actor, to_line(values))
    return _outcome(request, staff, runtime, outcome, values)


@router.post("/enrollment/tally", response_class=HTMLResponse)
def desk_tally(
    request: Request,
    form: FormDep,
    staff: Annotated[Staff, Depends(require("application.create"))],
    runtime: RuntimeDep,
) -> Response:
    """The live points tally (an htmx partial); nothing is stored or audited."""
    return render(
        request, "console/enrollment/_tally.html", staff, tally=_tally(runtime, form_values(form))
    )


@router.get("/enrollment/queue", response_class=HTMLResponse)
def supervisor_queue(
    request: Request,
    staff: Annotated[Staff, Depends(require("application.decide"))],
    runtime: RuntimeDep,
    uow: UowDep,
    status: Annotated[str, Query(pattern="^(|flagged|submitted)$")] = "",
    flag: Annotated[str, Query(max_length=32)] = "",
    sort: Annotated[Literal["oldest", "newest"], Query()] = "oldest",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    size: Annotated[int, Query(ge=1, le=worklist.MAX_PAGE_SIZE)] = 25,
) -> Response:
    """The decisions queue: counted, filtered by status and signal, sorted, paged."""
    found = worklist.decisions(
        uow, runtime, staff.actor, status=status or None,
        flag=flag if flag in set(FlagKind) else None, sort=sort, page=page, size=size,
    )  # fmt: skip
    filters = {"status": status, "flag": flag, "sort": sort, "size": size}
    return render(
        request,
        "console/enrollment/queue.html",
        staff,
        found=found,
        rows=to_json(found.rows),
        filters=filters,
        flag_kinds=[(k.value, flag_reason(k)) for k in FlagKind],
        flag_reason=flag_reason,
        can_issue=is_allowed(runtime.policy, staff.actor, "card.issue"),
        page_url=lambda n: "?" + urlencode({**filters, "page": n}),
    )


@router.get("/applications/search", response_class=HTMLResponse)
def search_form(
    request: Request, staff: Annotated[Staff, Depends(require("application.read"))]
) -> Response:
    return render(
        request,
        "console/enrollment/search.html",
        staff,
        rows=None,
        error=None,
        query={"purpose": request.cookies.get(PURPOSE_COOKIE, "")},
        purposes=purpose_choices(request.app.state.runtime),
    )


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
        for name in ("family_name", "given_name", "date_of_birth", "purpose", "reference")
    }
    purpose = _purpose_of(query["purpose"], query["reference"])
    rows: list[dict[str, Any]] | None = None
    error = None
    try:
        born = dt.date.fromisoformat(query["date_of_birth"])
    except ValueError:
        error = "Date of birth: not a date (use YYYY-MM-DD)"
    else:
        rows = to_json(
            lookup.search(
                uow,
                runtime,
                staff.actor,
                query["family_name"],
                query["given_name"],
                born,
                purpose=purpose,
            )
        )
    response = render(
        request,
        "console/enrollment/search.html",
        staff,
        rows=rows,
        error=error,
        query=query,
        purposes=purpose_choices(runtime),
        purpose=purpose,
    )
    remember(response, runtime, purpose)
    return response


def _purpose_of(code: str, reference: str) -> str | None:
    """The form's purpose select and its reference box, as the guard reads them."""
    code, reference = code.strip(), reference.strip()
    if not code:
        return None
    return f"{code}:{reference}" if reference else code


@router.get("/applications/{application_id}", response_class=HTMLResponse)
def application_page(
    request: Request,
    application_id: str,
    staff: Annotated[Staff, Depends(require("application.read"))],
    runtime: RuntimeDep,
    uow: UowDep,
    purpose: ConsolePurposeDep,
) -> Response:
    if not purpose:
        # Ask first: nothing is opened (or logged) until the reader says why.
        uow.rollback()
        return render(
            request,
            "console/accountability/purpose.html",
            staff,
            application_id=application_id,
            purposes=purpose_choices(runtime),
        )
    shown = lookup.show(uow, runtime, staff.actor, application_id, purpose=purpose, documents=True)
    response = render(
        request,
        "console/enrollment/application.html",
        staff,
        app=to_json(shown),
        type_names={t.code: t.name for t in runtime.policy.document_types},
        languages=dict(language_choices(runtime.policy.card.languages)),
        flag_reason=flag_reason,
        purpose=purpose,
        can_decide=is_allowed(runtime.policy, staff.actor, "application.decide"),
        can_withdraw=is_allowed(runtime.policy, staff.actor, "application.withdraw"),
        can_issue=is_allowed(runtime.policy, staff.actor, "card.issue"),
    )
    remember(response, runtime, purpose)
    return response


@router.get("/applications/{application_id}/photo")
def application_photo(
    application_id: str,
    staff: Annotated[Staff, Depends(require("application.read"))],
    runtime: RuntimeDep,
    uow: UowDep,
    purpose: ConsolePurposeDep,
) -> Response:
    data = lookup.photo(uow, runtime, staff.actor, application_id, purpose=purpose)
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
