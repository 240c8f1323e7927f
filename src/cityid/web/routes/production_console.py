"""The console's card production room: the queue, print batches and their moves, and
the desk's pickup (identity check, hand-over)."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from typing import Annotated, Literal
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from cityid.errors import CityIdError
from cityid.production import batches, pickup
from cityid.production.results import Exported, PickupOutcome
from cityid.staff.permissions import is_allowed
from cityid.web.deps import RuntimeDep, Staff, UowDep, require
from cityid.web.routes.console import render

router = APIRouter(prefix="/console/production", include_in_schema=False)
HOME = "/console/production/"


def _back(url: str, *, message: str | None = None, error: str | None = None) -> Response:
    if message:
        url += f"?message={quote(message)}"
    elif error:
        url += f"?error={quote(error)}"
    return RedirectResponse(url, status_code=303)


@router.get("/", response_class=HTMLResponse)
def production_home(
    request: Request,
    staff: Annotated[Staff, Depends(require("production.read"))],
    runtime: RuntimeDep,
    uow: UowDep,
    message: str | None = Query(default=None, max_length=300),
    error: str | None = Query(default=None, max_length=300),
) -> HTMLResponse:
    policy, actor = runtime.policy, staff.actor
    return render(
        request,
        "console/production/index.html",
        staff,
        queue=batches.queue(uow, runtime, actor),
        batches=batches.list_batches(uow, runtime, actor),
        message=message,
        error=error,
        may_manage=is_allowed(policy, actor, "production.manage"),
        may_sweep=is_allowed(policy, actor, "production.uncollected"),
        uncollected_after_days=policy.production.uncollected_after_days,
    )


@router.post("/cut")
def cut_batch(
    staff: Annotated[Staff, Depends(require("production.manage"))],
    runtime: RuntimeDep,
    uow: UowDep,
) -> Response:
    try:
        batch = batches.cut(uow, runtime, staff.actor)
    except CityIdError as exc:
        uow.rollback()  # the answer is a page, not an error: keep nothing
        return _back(HOME, error=exc.message)
    return _back(f"{HOME}{batch.batch_id}", message=f"Print batch cut: {batch.cards} cards.")


def _zip(result: Exported) -> Response:
    """The three files for the print partner, in one download."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"{result.batch_id}-manifest.json", result.manifest)
        archive.writestr(f"{result.batch_id}-manifest.jws", result.signature)
        archive.writestr(f"{result.batch_id}-sheets.pdf", result.sheets)
    name = f"{result.batch_id}-export-{result.export_number}.zip"
    return Response(
        out.getvalue(),
        media_type="application/zip",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.post("/{batch_id}/export")
def export_batch(
    batch_id: str,
    staff: Annotated[Staff, Depends(require("production.manage"))],
    runtime: RuntimeDep,
    uow: UowDep,
) -> Response:
    """The signed manifest and the PDF sheets as a zip; once per batch."""
    try:
        result = batches.export(uow, runtime, staff.actor, batch_id)
    except CityIdError as exc:
        uow.rollback()
        return _back(f"{HOME}{quote(batch_id)}", error=exc.message)
    return _zip(result)


@router.post("/{batch_id}/reexport")
def reexport_batch(
    batch_id: str,
    reason: Annotated[str, Form(max_length=2000)],
    staff: Annotated[Staff, Depends(require("production.reexport"))],
    runtime: RuntimeDep,
    uow: UowDep,
) -> Response:
    """A supervisor's second export, with the reason kept in the batch's history."""
    try:
        result = batches.export(uow, runtime, staff.actor, batch_id, again=True, reason=reason)
    except CityIdError as exc:
        uow.rollback()
        return _back(f"{HOME}{quote(batch_id)}", error=exc.message)
    return _zip(result)


@router.post("/{batch_id}/move")
def move_batch(
    batch_id: str,
    step: Annotated[Literal["printed", "mailed", "delivered"], Form()],
    staff: Annotated[Staff, Depends(require("production.manage"))],
    runtime: RuntimeDep,
    uow: UowDep,
) -> Response:
    try:
        moved = batches.move(uow, runtime, staff.actor, batch_id, step)
    except CityIdError as exc:
        uow.rollback()
        return _back(f"{HOME}{quote(batch_id)}", error=exc.message)
    return _back(f"{HOME}{quote(batch_id)}", message=f"The batch is now {moved.status}.")


@router.post("/returned")
def returned_card(
    card_number: Annotated[str, Form(max_length=24)],
    staff: Annotated[Staff, Depends(require("production.manage"))],
    runtime: RuntimeDep,
    uow: UowDep,
) -> Response:
    try:
        pickup.returned(uow, runtime, staff.actor, card_number)
    except CityIdError as exc:
        uow.rollback()
        return _back(HOME, error=exc.message)
    return _back(HOME, message="Returned card recorded: it waits at the centre, suspended.")


@router.post("/uncollected")
def sweep(
    staff: Annotated[Staff, Depends(require("production.uncollected"))],
    runtime: RuntimeDep,
    uow: UowDep,
) -> Response:
    result = pickup.sweep_uncollected(uow, runtime, staff.actor)
    return _back(
        HOME,
        message=f"{len(result.revoked)} uncollected cards revoked; "
        f"{len(result.erasure_batches)} erasure batches await approval in Retention.",
    )


# ---- the desk: handing a waiting card over ------------------------------------------


@router.get("/pickup", response_class=HTMLResponse)
def pickup_page(
    request: Request,
    staff: Annotated[Staff, Depends(require("card.pickup"))],
    message: str | None = Query(default=None, max_length=300),
) -> HTMLResponse:
    return render(request, "console/production/pickup.html", staff, message=message,
                  errors={}, values={})  # fmt: skip


def _pickup_errors(card: str, date_of_birth: str, id_seen: bool) -> dict[str, str]:
    errors = {}
    if not card.strip():
        errors["card"] = "Enter the card number or the application reference."
    try:
        dt.date.fromisoformat(date_of_birth)
    except ValueError:
        errors["date_of_birth"] = "Enter the date of birth as on the ID (YYYY-MM-DD)."
    if not id_seen:
        errors["id_seen"] = "Confirm that you saw the person's photo ID."
    return errors


@router.post("/pickup", response_class=HTMLResponse)
def pickup_hand_over(
    request: Request,
    staff: Annotated[Staff, Depends(require("card.pickup"))],
    runtime: RuntimeDep,
    uow: UowDep,
    card: Annotated[str, Form(max_length=40)] = "",
    date_of_birth: Annotated[str, Form(max_length=10)] = "",
    id_seen: Annotated[bool, Form()] = False,
) -> Response:
    """Check the person, then hand the card over. A wrong answer is refused, logged
    (committed), and shown; the card stays suspended."""
    values = {"card": card}
    errors = _pickup_errors(card, date_of_birth, id_seen)
    if not errors:
        try:
            result = pickup.hand_over(
                uow, runtime, staff.actor, card,
                date_of_birth=dt.date.fromisoformat(date_of_birth), id_seen=id_seen,
            )  # fmt: skip
        except CityIdError as exc:
            uow.rollback()
            errors["card"] = exc.message
        else:
            if result.outcome is PickupOutcome.HANDED_OVER:
                return _back(
                    f"{HOME}pickup",
                    message=f"Card {result.card_number} handed over: it is now valid.",
                )
            reason = result.reason or "refused"
            errors["date_of_birth"] = f"{reason[:1].upper()}{reason[1:]}."
    page = render(request, "console/production/pickup.html", staff, message=None,
                  errors=errors, values=values)  # fmt: skip
    page.status_code = 422
    return page


@router.get("/{batch_id}", response_class=HTMLResponse)
def batch_page(
    request: Request,
    batch_id: str,
    staff: Annotated[Staff, Depends(require("production.read"))],
    runtime: RuntimeDep,
    uow: UowDep,
    message: str | None = Query(default=None, max_length=300),
    error: str | None = Query(default=None, max_length=300),
) -> HTMLResponse:
    policy, actor = runtime.policy, staff.actor
    return render(
        request,
        "console/production/batch.html",
        staff,
        shown=batches.show(uow, runtime, actor, batch_id),
        message=message,
        error=error,
        may_manage=is_allowed(policy, actor, "production.manage"),
        may_reexport=is_allowed(policy, actor, "production.reexport"),
    )
