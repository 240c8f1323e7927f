"""The console's appointments: the desk's day and check-in; centres and released weeks.

Clerks and supervisors see a centre's bookings for a day (names: one audited read) and
check people in; supervisors add or change centres and release weeks of slots. A refused
step shows its reason beside the form and changes nothing.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated, Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from cityid.appointments import bookings, centres
from cityid.errors import CityIdError
from cityid.runtime import Runtime
from cityid.staff.permissions import is_allowed
from cityid.web.deps import RuntimeDep, Staff, UowDep, require
from cityid.web.routes.console import render

router = APIRouter(prefix="/console/appointments", include_in_schema=False)
PAGE = "console/appointments/day.html"


def _day(text: str | None, runtime: Runtime) -> dt.date:
    try:
        return dt.date.fromisoformat(text) if text else centres.city_today(runtime)
    except ValueError:
        return centres.city_today(runtime)


def _page(
    request: Request, staff: Staff, runtime: Runtime, uow: Any, centre_id: str, day: dt.date,
    *, status_code: int = 200, **context: Any,
) -> HTMLResponse:  # fmt: skip
    zone = ZoneInfo(runtime.policy.program.timezone)
    listed = centres.list_centres(uow, active_only=False)
    chosen = centre_id or (listed[0].centre_id if listed else "")
    desk = bookings.desk_list(uow, runtime, staff.actor, chosen, day) if chosen else []
    may = {
        name: is_allowed(runtime.policy, staff.actor, f"appointment.{name}")
        for name in ("manage", "checkin")
    }
    response = render(
        request, PAGE, staff, centres=listed, centre_id=chosen, day=day, desk=desk, may=may,
        hours_json={c.centre_id: json.dumps(c.hours) for c in listed},
        time_text=lambda moment: moment.astimezone(zone).strftime("%H:%M"), **context,
    )  # fmt: skip
    response.status_code = status_code
    return response


@router.get("/", response_class=HTMLResponse)
def day_page(
    request: Request,
    staff: Annotated[Staff, Depends(require("appointment.read"))],
    runtime: RuntimeDep,
    uow: UowDep,
    centre: Annotated[str, Query(max_length=40)] = "",
    day: Annotated[str, Query(max_length=10)] = "",
    done: Annotated[str, Query(max_length=40)] = "",
) -> HTMLResponse:
    return _page(request, staff, runtime, uow, centre, _day(day, runtime), done=done)


@router.post("/check-in", response_class=HTMLResponse)
def check_in(
    request: Request,
    staff: Annotated[Staff, Depends(require("appointment.checkin"))],
    runtime: RuntimeDep,
    uow: UowDep,
    reference: Annotated[str, Form(max_length=64)] = "",
    centre: Annotated[str, Form(max_length=40)] = "",
    back: Annotated[str, Form(max_length=16)] = "",
) -> Response:
    """Check a booking in; from the enrollment desk (`back=desk`) the desk form opens next,
    carrying the booking's reference into the intake."""
    try:
        made = bookings.check_in(uow, runtime, staff.actor, reference)
    except CityIdError as exc:
        uow.rollback()
        return _page(request, staff, runtime, uow, centre, centres.city_today(runtime),
                     status_code=exc.http_status, checkin_error=exc.message)  # fmt: skip
    if back == "desk":
        return RedirectResponse(
            f"/console/enrollment/?appointment={quote(made.reference)}", status_code=303
        )
    target = f"/console/appointments/?centre={quote(made.slot.centre_id)}&done=checked_in"
    return RedirectResponse(target, status_code=303)


@router.post("/centres", response_class=HTMLResponse)
def save_centre(
    request: Request,
    staff: Annotated[Staff, Depends(require("appointment.manage"))],
    runtime: RuntimeDep,
    uow: UowDep,
    centre_id: Annotated[str, Form(max_length=40)] = "",
    name: Annotated[str, Form(max_length=200)] = "",
    borough: Annotated[str, Form(max_length=100)] = "",
    address: Annotated[str, Form(max_length=300)] = "",
    hours: Annotated[str, Form(max_length=2000)] = "",
    languages: Annotated[str, Form(max_length=400)] = "",
    accessibility: Annotated[str, Form(max_length=400)] = "",
    closed: Annotated[str, Form(max_length=8)] = "",
) -> Response:
    try:
        parsed = json.loads(hours) if hours.strip() else None
        if parsed is not None and not isinstance(parsed, dict):
            raise ValueError
    except ValueError:
        uow.rollback()
        problem = 'hours: JSON such as {"mon": ["09:00", "17:00"]}'
        return _page(request, staff, runtime, uow, centre_id, centres.city_today(runtime),
                     status_code=422, centre_error=problem)  # fmt: skip
    try:
        centres.save_centre(
            uow, runtime, staff.actor, centre_id.strip(), name=name, borough=borough,
            address=address, hours=parsed, languages=languages.replace(",", " ").split(),
            accessibility=accessibility, active=closed != "on",
        )  # fmt: skip
    except CityIdError as exc:
        uow.rollback()
        return _page(request, staff, runtime, uow, "", centres.city_today(runtime),
                     status_code=exc.http_status, centre_error=exc.message)  # fmt: skip
    return RedirectResponse(
        f"/console/appointments/?centre={quote(centre_id.strip())}&done=centre_saved",
        status_code=303,
    )


@router.post("/release", response_class=HTMLResponse)
def release(
    request: Request,
    staff: Annotated[Staff, Depends(require("appointment.manage"))],
    runtime: RuntimeDep,
    uow: UowDep,
    centre: Annotated[str, Form(max_length=40)] = "",
    week: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    try:
        monday = dt.date.fromisoformat(week)
    except ValueError:
        problem = "week: give the Monday as YYYY-MM-DD"
        return _page(request, staff, runtime, uow, centre, centres.city_today(runtime),
                     status_code=422, release_error=problem)  # fmt: skip
    try:
        made = centres.release_week(uow, runtime, staff.actor, centre, monday)
    except CityIdError as exc:
        uow.rollback()
        return _page(request, staff, runtime, uow, centre, centres.city_today(runtime),
                     status_code=exc.http_status, release_error=exc.message)  # fmt: skip
    return RedirectResponse(
        f"/console/appointments/?centre={quote(centre)}&done=released_{made.created}",
        status_code=303,
    )
