"""The desk's side of a lost or stolen card: a console action on the card page.

The clerk has checked the holder's identity in person; the card is suspended on the
status list at once (`cards.lost.report_at_desk`) and the holder's contact on file gets
the `card_reported_lost` notice. A replacement is then the card page's "Replace".
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Form
from fastapi.responses import RedirectResponse, Response

from cityid.cards.lost import report_at_desk
from cityid.errors import CityIdError
from cityid.web.deps import RuntimeDep, Staff, UowDep, require
from cityid.web.routes.cards_console import _card_url

router = APIRouter(prefix="/console/cards", include_in_schema=False)


@router.post("/{card_number}/report-lost")
def report_lost(
    card_number: str,
    reason: Annotated[Literal["lost", "stolen"], Form()],
    staff: Annotated[Staff, Depends(require("card.report_lost"))],
    runtime: RuntimeDep,
    uow: UowDep,
) -> Response:
    try:
        report_at_desk(uow, runtime, staff.actor, card_number, reason)
    except CityIdError as exc:
        uow.rollback()  # the answer is a page, not an error: keep nothing
        return RedirectResponse(_card_url(card_number, error=exc.message), status_code=303)
    return RedirectResponse(
        _card_url(card_number, message=f"Reported {reason}: the card is suspended."),
        status_code=303,
    )
