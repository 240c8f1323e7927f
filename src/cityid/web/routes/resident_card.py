"""/me/card: a resident reports their card lost or stolen, or sees its status.

Public, no login. Step one takes the card number and date of birth and sends a one-time
code to the contact on file (`cards.lost.send_code`); step two takes the code and either
suspends the card on the status list or shows its status (`cards.lost.confirm`). Bad
input gets a message beside its field and changes nothing. A wrong code is answered with
a page, not an exception, so the request's unit of work commits the counted attempt.
Refusals are pages too and commit: nothing was written before them but their audit
entries (the date-of-birth check, the code check), which must stay.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse

from cityid.cards.lost import confirm, send_code
from cityid.cards.numbers import is_valid_card_number, normalize_card_number
from cityid.cards.rate_limit import RateLimited
from cityid.errors import NotFound, Refused
from cityid.notices.codes import CodeCheck, CodePurpose, NoContactOnFile, TooManyCodes
from cityid.runtime import Runtime
from cityid.web.deps import UowDep
from cityid.web.routes.applicant import _client, _limiter, _parse_date, _render

router = APIRouter(include_in_schema=False)
TEMPLATE = "applicant/me_card.html"
PURPOSES = {"lost": CodePurpose.LOST_CARD, "status": CodePurpose.STATUS}


def _page(request: Request, *, status_code: int = 200, **context: Any) -> HTMLResponse:
    return _render(request, TEMPLATE, status_code=status_code, **context)


def _checked_input(
    card_number: str, date_of_birth: str, want: str
) -> tuple[dict[str, str], str, dt.date | None]:
    errors: dict[str, str] = {}
    number = normalize_card_number(card_number)
    if not is_valid_card_number(card_number):
        errors["card_number"] = "not_a_card_number"
    born = _parse_date(date_of_birth)
    if born is None:
        errors["date_of_birth"] = "missing"
    if want not in PURPOSES:
        errors["want"] = "missing"
    return errors, number, born


@router.get("/me/card", response_class=HTMLResponse)
def card_page(request: Request) -> HTMLResponse:
    want = request.query_params.get("want", "lost")
    return _page(request, step="start", want=want if want in PURPOSES else "lost")


@router.post("/me/card/code", response_class=HTMLResponse)
def card_code(
    request: Request,
    uow: UowDep,
    card_number: Annotated[str, Form(max_length=40)] = "",
    date_of_birth: Annotated[str, Form(max_length=32)] = "",
    want: Annotated[str, Form(max_length=16)] = "",
) -> HTMLResponse:
    """Step one: check the card and date of birth, send a code to the contact on file."""
    runtime: Runtime = request.app.state.runtime
    errors, number, born = _checked_input(card_number, date_of_birth, want)
    start = {"step": "start", "want": want, "card_number": card_number[:40]}
    if errors or born is None:
        return _page(request, status_code=422, errors=errors, **start)
    try:
        _limiter(runtime).take(_client(request))
    except RateLimited:
        return _page(request, status_code=429, problem="too_many", **start)
    try:
        issued = send_code(uow, runtime, number, born, PURPOSES[want])
    except NotFound:
        return _page(request, status_code=404, problem="not_found", **start)
    except NoContactOnFile:
        return _page(request, status_code=409, problem="no_contact", **start)
    except TooManyCodes:
        return _page(request, status_code=429, problem="too_many_codes", **start)
    except Refused:
        return _page(request, status_code=409, problem="not_usable", **start)
    return _page(
        request, step="code", want=want, card_number=number, date_of_birth=born.isoformat(),
        code_id=issued.code_id, channels=[str(c) for c in issued.channels],
        minutes=runtime.policy.notices.one_time_code_minutes,
    )  # fmt: skip


@router.post("/me/card/confirm", response_class=HTMLResponse)
def card_confirm(
    request: Request,
    uow: UowDep,
    card_number: Annotated[str, Form(max_length=40)] = "",
    date_of_birth: Annotated[str, Form(max_length=32)] = "",
    want: Annotated[str, Form(max_length=16)] = "",
    code_id: Annotated[str, Form(max_length=40)] = "",
    code: Annotated[str, Form(max_length=20)] = "",
) -> HTMLResponse:
    """Step two: the code; when right, the card is suspended (lost) or shown (status)."""
    runtime: Runtime = request.app.state.runtime
    errors, number, born = _checked_input(card_number, date_of_birth, want)
    again = {"step": "code", "want": want, "card_number": number,
             "date_of_birth": date_of_birth[:32], "code_id": code_id[:40]}  # fmt: skip
    if errors or born is None or not code_id:
        return _page(request, status_code=422, step="start", want=want, problem="start_again")
    if not code.strip():
        return _page(request, status_code=422, errors={"code": "missing"}, **again)
    try:
        _limiter(runtime).take(_client(request))
    except RateLimited:
        return _page(request, status_code=429, problem="too_many", **again)
    try:
        outcome = confirm(uow, runtime, number, born, code_id, code[:20], PURPOSES[want])
    except NotFound:
        return _page(request, status_code=404, step="start", want=want, problem="not_found")
    except Refused:
        return _page(request, status_code=409, step="start", want=want, problem="not_usable")
    check = outcome.check
    if check.outcome is CodeCheck.WRONG:
        # Answered, not raised: the counted attempt commits with this request.
        return _page(
            request, status_code=422, errors={"code": "wrong"}, attempts_left=check.attempts_left,
            **again,
        )  # fmt: skip
    if not check.ok:
        return _page(request, status_code=422, step="start", want=want, problem=str(check.outcome))
    dates: dict[str, Any] = {}
    if outcome.state is not None:
        dates = {
            "expires_on": dt.date.fromisoformat(outcome.state.expires),
            "renewal_opens": dt.date.fromisoformat(outcome.state.renewal_opens),
        }
    fee = outcome.reported.replacement.fee_cents if outcome.reported else 0
    return _page(
        request, step="done", want=want, reported=outcome.reported, state=outcome.state,
        fee=f"${fee / 100:.2f}", **dates,
    )  # fmt: skip
