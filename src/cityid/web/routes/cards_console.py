"""The staff console's card room: find a card, see it, act on it, print it."""

from __future__ import annotations

from typing import Annotated, Literal
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from cityid.cards import issuing, service, status_changes
from cityid.cards.numbers import format_card_number, normalize_card_number
from cityid.enrollment import worklist
from cityid.errors import CityIdError
from cityid.jsonable import to_json
from cityid.staff.permissions import is_allowed
from cityid.web.deps import ReadUowDep, RuntimeDep, Staff, UowDep, require
from cityid.web.routes.console import render

router = APIRouter(prefix="/console/cards", include_in_schema=False)


def _card_url(number: str, message: str | None = None, error: str | None = None) -> str:
    url = f"/console/cards/{quote(normalize_card_number(number))}"
    if message:
        url += f"?message={quote(message)}"
    elif error:
        url += f"?error={quote(error)}"
    return url


@router.get("/", response_class=HTMLResponse)
def cards_home(
    request: Request,
    staff: Annotated[Staff, Depends(require("card.read"))],
    runtime: RuntimeDep,
    uow: ReadUowDep,
    number: str | None = Query(default=None, max_length=24),
    error: str | None = Query(default=None, max_length=300),
    sort: Literal["oldest", "newest"] = Query(default="oldest"),
    page: int = Query(default=1, ge=1, le=100_000),
    size: int = Query(default=25, ge=1, le=worklist.MAX_PAGE_SIZE),
) -> Response:
    """Find a card; for a supervisor, the approved applications waiting for one."""
    if number:
        return RedirectResponse(_card_url(number), status_code=303)
    can_issue = is_allowed(runtime.policy, staff.actor, "card.issue")
    found = (
        worklist.awaiting_card(uow, runtime, staff.actor, sort=sort, page=page, size=size)
        if can_issue
        else None
    )
    filters = {"sort": sort, "size": size}
    return render(
        request,
        "console/cards/index.html",
        staff,
        error=error,
        can_issue=can_issue,
        found=found,
        rows=to_json(found.rows) if found else [],
        filters=filters,
        page_url=lambda n: "?" + urlencode({**filters, "page": n}),
    )


@router.post("/issue")
def issue_card(
    application_id: Annotated[str, Form(max_length=32)],
    staff: Annotated[Staff, Depends(require("card.issue"))],
    runtime: RuntimeDep,
    uow: UowDep,
) -> Response:
    try:
        issued = issuing.issue(uow, runtime, staff.actor, application_id.strip())
    except CityIdError as exc:
        uow.rollback()  # the answer is a page, not an error: keep nothing
        return RedirectResponse(f"/console/cards/?error={quote(exc.message)}", status_code=303)
    return RedirectResponse(_card_url(issued.card_number, message="Card issued."), status_code=303)


@router.get("/{card_number}", response_class=HTMLResponse)
def card_page(
    request: Request,
    card_number: str,
    staff: Annotated[Staff, Depends(require("card.read"))],
    runtime: RuntimeDep,
    uow: UowDep,
    message: str | None = Query(default=None, max_length=300),
    error: str | None = Query(default=None, max_length=300),
) -> HTMLResponse:
    card = service.get_card(uow, runtime, staff.actor, card_number)
    events = service.history(uow, runtime, staff.actor, card)
    today = runtime.today()
    return render(
        request,
        "console/cards/card.html",
        staff,
        card=to_json(card.shown(today)),
        printed_number=format_card_number(card.card_number),
        events=to_json(events),
        message=message,
        error=error,
        can_manage=is_allowed(runtime.policy, staff.actor, "card.manage"),
        can_report_lost=is_allowed(runtime.policy, staff.actor, "card.report_lost"),
        fee_cents=runtime.policy.card.replacement_fee_cents,
        fee_waivable=runtime.policy.card.replacement_fee_waivable_for_hardship,
    )


@router.post("/{card_number}/status")
def change_status(
    request: Request,
    card_number: str,
    action: Annotated[Literal["revoke", "suspend", "reinstate"], Form()],
    reason: Annotated[str, Form(max_length=2000)],
    staff: Annotated[Staff, Depends(require("card.manage"))],
    runtime: RuntimeDep,
    uow: UowDep,
    confirmed: Annotated[str, Form(max_length=3)] = "",
) -> Response:
    """Revoking (final) is confirmed on its own page first; suspend and reinstate are not."""
    if action == "revoke" and confirmed != "yes":
        shown = format_card_number(normalize_card_number(card_number))
        return render(
            request, "console/confirm.html", staff,
            title=f"Revoke card {shown}?",
            lines=["A revoked card fails every check from the next status list on; it cannot "
                   "be reinstated. The cardholder needs a new application or a replacement.",
                   f"Reason: {reason}"],
            action=f"/console/cards/{quote(normalize_card_number(card_number))}/status",
            fields=[("action", "revoke"), ("reason", reason)],
            yes="Yes, revoke the card", back=_card_url(card_number),
        )  # fmt: skip
    try:
        result = status_changes.change_status(
            uow, runtime, staff.actor, card_number, action, reason
        )
    except CityIdError as exc:
        uow.rollback()  # the answer is a page, not an error: keep nothing
        return RedirectResponse(_card_url(card_number, error=exc.message), status_code=303)
    return RedirectResponse(
        _card_url(card_number, message=f"The card is now {result.status}."), status_code=303
    )


@router.post("/{card_number}/replace")
def replace_card(
    card_number: str,
    reason: Annotated[Literal["lost", "stolen", "damaged"], Form()],
    staff: Annotated[Staff, Depends(require("card.manage"))],
    runtime: RuntimeDep,
    uow: UowDep,
    note: Annotated[str, Form(max_length=2000)] = "",
    waive_fee: Annotated[bool, Form()] = False,
) -> Response:
    try:
        result = issuing.replace(
            uow, runtime, staff.actor, card_number,
            reason=reason, note=note or None, fee_waived=waive_fee,
        )  # fmt: skip
    except CityIdError as exc:
        uow.rollback()  # the answer is a page, not an error: keep nothing
        return RedirectResponse(_card_url(card_number, error=exc.message), status_code=303)
    return RedirectResponse(
        _card_url(result.card_number, message="New card issued; the old one is revoked."),
        status_code=303,
    )


@router.get("/{card_number}/print")
def print_card(
    card_number: str,
    staff: Annotated[Staff, Depends(require("card.read"))],
    runtime: RuntimeDep,
    uow: UowDep,
    format: Literal["pdf", "png"] = Query(default="pdf"),
    side: Literal["front", "back"] = Query(default="front"),
) -> Response:
    """The print-ready card (PDF, both sides) or one side as PNG; the read is audited."""
    data = service.render(uow, runtime, staff.actor, card_number, kind=format, side=side)
    number = normalize_card_number(card_number)
    name = f"card-{number}.pdf" if format == "pdf" else f"card-{number}-{side}.png"
    return Response(
        data,
        media_type="application/pdf" if format == "pdf" else "image/png",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
