"""Residents book, move and cancel an appointment at `/apply/appointments`, with no account.

Public and rate limited: booking by the booking limiter, every step that takes a date of
birth by the applicant look-up limiter (guessing dates for a reference must be slow).
The reference and the date of birth are the only key to a booking; the pages never show
the name kept with it. Errors are sentences beside their field, in the page's language.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time, get_day_names
from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from cityid.appointments import bookings, centres
from cityid.appointments.results import Booking, Centre, Slot
from cityid.appointments.rules import WEEKDAYS
from cityid.bootstrap import APPLICANT_LOOKUP_LIMITER, APPOINTMENT_BOOKING_LIMITER
from cityid.cards.issuance import language_name
from cityid.cards.rate_limit import RateLimited
from cityid.errors import CityIdError, NotFound
from cityid.rendering import i18n
from cityid.runtime import Runtime
from cityid.web.deps import UowDep
from cityid.web.routes.applicant import _client, _parse_date, _render

router = APIRouter(include_in_schema=False)

PAGE = "applicant/appointments.html"
DAYS_SHOWN = 3  # a phone's worth of times; "Later days" pages on
MOVE_DAYS_SHOWN = 7  # moving has no paging: a week of times from the first free one
# Refusals the page words itself (the service's English goes to the CLI and the API).
KNOWN_PROBLEMS = frozenset(
    {"slot_full", "slot_past", "slot_too_far", "already_booked", "no_slot", "same_slot",
     "booking_used", "no_booking"}
)  # fmt: skip


def _runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


def _views(request: Request) -> dict[str, Any]:
    """Helpers the template formats times, days and languages with, in the page's locale."""
    runtime = _runtime(request)
    zone = ZoneInfo(runtime.policy.program.timezone)
    code = i18n.language_for(request).code
    day_names = get_day_names("wide", locale=code)

    def time_text(moment: dt.datetime) -> str:
        return format_time(moment.astimezone(zone), format="short", locale=code)

    def day_text(day: dt.date) -> str:
        return format_date(day, format="full", locale=code)

    def weekday_text(key: str) -> str:
        return day_names[WEEKDAYS.index(key)]

    def language_names(codes: list[str]) -> list[str]:
        return [language_name(c) or c for c in codes]

    return {
        "time_text": time_text, "day_text": day_text, "weekday_text": weekday_text,
        "language_names": language_names,
    }  # fmt: skip


def _page(request: Request, uow: Any, *, status_code: int = 200, **context: Any) -> HTMLResponse:
    runtime = _runtime(request)
    listed = centres.list_centres(uow)
    chosen: Centre | None = context.pop("centre", None)
    today = centres.city_today(runtime)
    first: dt.date | None = context.pop("first_day", None)
    slots: list[Slot] = []
    if chosen is not None:
        if first is None:  # open at the first day with a free time, not at an empty week
            ahead = centres.open_slots(
                uow, chosen.centre_id, today, runtime.policy.appointments.book_ahead_days, _now()
            )
            first = ahead[0].day if ahead else today
        shown = MOVE_DAYS_SHOWN if context.get("mine") else DAYS_SHOWN
        slots = centres.open_slots(uow, chosen.centre_id, first, shown, _now())
    first = first or today
    step = dt.timedelta(days=DAYS_SHOWN)
    response = _render(
        request, PAGE, status_code=status_code, centres=listed, centre=chosen, slots=slots,
        by_day=_by_day(slots), later_day=first + step,
        earlier_day=max(today, first - step) if first > today else None,
        picker_action="/apply/appointments", **_views(request), **context,
    )  # fmt: skip
    response.headers["Cache-Control"] = "no-store"  # a booking's page is its holder's alone
    return response


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _by_day(slots: list[Slot]) -> list[tuple[dt.date, list[Slot]]]:
    days: dict[dt.date, list[Slot]] = {}
    for slot in slots:
        days.setdefault(slot.day, []).append(slot)
    return list(days.items())


def _centre_or_none(uow: Any, centre_id: str | None) -> Centre | None:
    if not centre_id:
        return None
    try:
        found = centres.get_centre(uow, centre_id[:40])
    except NotFound:
        return None
    return found if found.active else None


def _problem(exc: CityIdError) -> str:
    return exc.code if exc.code in KNOWN_PROBLEMS else "other"


@router.get("/apply/appointments/", include_in_schema=False)
def appointments_slash(request: Request) -> RedirectResponse:
    query = f"?{request.url.query}" if request.url.query else ""
    return RedirectResponse(f"/apply/appointments{query}", status_code=307)


@router.get("/apply/appointments", response_class=HTMLResponse)
def appointments_page(request: Request, uow: UowDep) -> HTMLResponse:
    centre = _centre_or_none(uow, request.query_params.get("centre"))
    first = _parse_date(request.query_params.get("from", "")[:10])
    today = centres.city_today(_runtime(request))
    first = first if first is None or first >= today else today
    keep = [("centre", centre.centre_id)] if centre else []
    return _page(request, uow, centre=centre, first_day=first, keep=keep)


@router.post("/apply/appointments/book", response_class=HTMLResponse)
def appointments_book(
    request: Request,
    uow: UowDep,
    centre: Annotated[str, Form(max_length=40)] = "",
    slot: Annotated[str, Form(max_length=64)] = "",
    given_name: Annotated[str, Form(max_length=200)] = "",
    family_name: Annotated[str, Form(max_length=200)] = "",
    date_of_birth: Annotated[str, Form(max_length=32)] = "",
    contact: Annotated[str, Form(max_length=200)] = "",
) -> HTMLResponse:
    runtime = _runtime(request)
    chosen = _centre_or_none(uow, centre)
    born = _parse_date(date_of_birth)
    typed = {"given_name": given_name, "family_name": family_name,
             "date_of_birth": date_of_birth, "contact": contact, "slot": slot}  # fmt: skip
    errors: dict[str, str] = {}
    if not slot:
        errors["slot"] = "missing"
    if not given_name.strip() and not family_name.strip():
        errors["name"] = "missing"
    if born is None:
        errors["date_of_birth"] = "missing"
    elif born > centres.city_today(runtime):
        errors["date_of_birth"] = "future"
    if errors:
        return _page(request, uow, status_code=422, centre=chosen, errors=errors, typed=typed)
    assert born is not None
    try:
        runtime.services.get(APPOINTMENT_BOOKING_LIMITER).take(_client(request))
    except RateLimited:
        return _page(request, uow, status_code=429, centre=chosen, typed=typed,
                     errors={"form": "too_many"})  # fmt: skip
    try:
        made = bookings.book(
            uow, runtime, slot, given_name, family_name, born, contact=contact or None,
            language=i18n.language_for(request).code,
        )  # fmt: skip
    except CityIdError as exc:
        uow.rollback()
        return _page(request, uow, status_code=exc.http_status, centre=chosen, typed=typed,
                     errors={"slot": _problem(exc)})  # fmt: skip
    return _done(request, made, "booked")


def _done(request: Request, made: Booking, what: str) -> HTMLResponse:
    response = _render(
        request, "applicant/appointment_done.html", booking=made, what=what,
        picker_action="/apply/appointments", **_views(request),
    )  # fmt: skip
    response.headers["Cache-Control"] = "no-store"
    return response


def _owner_step(request: Request, reference: str, date_of_birth: str) -> tuple[str, Any]:
    """("missing" | "too_many", None) or ("", date of birth) for a manage step."""
    born = _parse_date(date_of_birth)
    if not reference.strip() or born is None:
        return "missing", None
    try:
        _runtime(request).services.get(APPLICANT_LOOKUP_LIMITER).take(_client(request))
    except RateLimited:
        return "too_many", None
    return "", born


@router.post("/apply/appointments/manage", response_class=HTMLResponse)
def appointments_manage(
    request: Request,
    uow: UowDep,
    reference: Annotated[str, Form(max_length=64)] = "",
    date_of_birth: Annotated[str, Form(max_length=32)] = "",
) -> HTMLResponse:
    problem, born = _owner_step(request, reference, date_of_birth)
    if problem:
        code = 422 if problem == "missing" else 429
        return _page(request, uow, status_code=code, manage_problem=problem)
    try:
        found = bookings.find(uow, _runtime(request), reference, born)
    except NotFound:
        return _page(request, uow, status_code=404, manage_problem="not_found")
    centre = centres.get_centre(uow, found.slot.centre_id)
    return _page(request, uow, centre=centre, mine=found, mine_dob=born.isoformat())


@router.post("/apply/appointments/move", response_class=HTMLResponse)
def appointments_move(
    request: Request,
    uow: UowDep,
    reference: Annotated[str, Form(max_length=64)] = "",
    date_of_birth: Annotated[str, Form(max_length=32)] = "",
    slot: Annotated[str, Form(max_length=64)] = "",
) -> HTMLResponse:
    problem, born = _owner_step(request, reference, date_of_birth)
    if problem:
        return _page(request, uow, status_code=422 if problem == "missing" else 429,
                     manage_problem=problem)  # fmt: skip
    runtime = _runtime(request)
    try:
        mine = bookings.find(uow, runtime, reference, born)
        if not slot:
            raise NotFound("no time chosen", code="no_slot")
        moved = bookings.move(uow, runtime, reference, born, slot)
    except NotFound as exc:
        if exc.code != "no_slot":
            uow.rollback()
            return _page(request, uow, status_code=404, manage_problem="not_found")
        return _mine_again(request, uow, mine, born, exc)
    except CityIdError as exc:
        return _mine_again(request, uow, mine, born, exc)
    return _done(request, moved, "moved")


def _mine_again(
    request: Request, uow: Any, mine: Booking, born: dt.date, exc: CityIdError
) -> HTMLResponse:
    uow.rollback()
    centre = centres.get_centre(uow, mine.slot.centre_id)
    return _page(request, uow, status_code=exc.http_status, centre=centre, mine=mine,
                 mine_dob=born.isoformat(), errors={"move": _problem(exc)})  # fmt: skip


@router.post("/apply/appointments/cancel", response_class=HTMLResponse)
def appointments_cancel(
    request: Request,
    uow: UowDep,
    reference: Annotated[str, Form(max_length=64)] = "",
    date_of_birth: Annotated[str, Form(max_length=32)] = "",
) -> HTMLResponse:
    problem, born = _owner_step(request, reference, date_of_birth)
    if problem:
        return _page(request, uow, status_code=422 if problem == "missing" else 429,
                     manage_problem=problem)  # fmt: skip
    try:
        bookings.cancel(uow, _runtime(request), reference, born)
    except NotFound:
        return _page(request, uow, status_code=404, manage_problem="not_found")
    except CityIdError as exc:
        uow.rollback()
        return _page(request, uow, status_code=exc.http_status, manage_problem=_problem(exc))
    return _page(request, uow, cancelled=True)
