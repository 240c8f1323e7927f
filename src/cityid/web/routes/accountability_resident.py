"""/me/access: "who looked at my record", for the resident (public, rate limited).

Step one takes the application reference (or card number) and date of birth and sends
a one-time code to the contact on file; step two takes the code and shows every access
to the record (when, office, role, purpose; never a staff name), with a download that
carries each line's inclusion proof (`accountability.resident`). Wrong codes are pages,
not exceptions, so the counted attempt commits.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse

from cityid.accountability.resident import confirm, send_code
from cityid.cards.rate_limit import RateLimited
from cityid.errors import NotFound
from cityid.jsonable import to_json
from cityid.notices.codes import CodeCheck, NoContactOnFile, TooManyCodes
from cityid.runtime import Runtime
from cityid.web.deps import UowDep
from cityid.web.routes.applicant import _client, _limiter, _parse_date, _render

router = APIRouter(include_in_schema=False)
TEMPLATE = "applicant/me_access.html"


def _page(request: Request, *, status_code: int = 200, **context: Any) -> HTMLResponse:
    return _render(request, TEMPLATE, status_code=status_code, **context)


def _checked(given: str, date_of_birth: str) -> tuple[dict[str, str], dt.date | None]:
    errors: dict[str, str] = {}
    if not given.strip():
        errors["given"] = "missing"
    born = _parse_date(date_of_birth)
    if born is None:
        errors["date_of_birth"] = "missing"
    return errors, born


@router.get("/me/access", response_class=HTMLResponse)
def access_page(request: Request) -> HTMLResponse:
    return _page(request, step="start")


@router.post("/me/access/code", response_class=HTMLResponse)
def access_code(
    request: Request,
    uow: UowDep,
    given: Annotated[str, Form(max_length=40)] = "",
    date_of_birth: Annotated[str, Form(max_length=32)] = "",
) -> HTMLResponse:
    """Step one: check the reference or card and date of birth, send a code."""
    runtime: Runtime = request.app.state.runtime
    errors, born = _checked(given, date_of_birth)
    start = {"step": "start", "given": given[:40]}
    if errors or born is None:
        return _page(request, status_code=422, errors=errors, **start)
    try:
        _limiter(runtime).take(_client(request))
    except RateLimited:
        return _page(request, status_code=429, problem="too_many", **start)
    try:
        issued = send_code(uow, runtime, given, born)
    except NotFound:
        return _page(request, status_code=404, problem="not_found", **start)
    except NoContactOnFile:
        return _page(request, status_code=409, problem="no_contact", **start)
    except TooManyCodes:
        return _page(request, status_code=429, problem="too_many_codes", **start)
    return _page(
        request, step="code", given=given.strip(), date_of_birth=born.isoformat(),
        code_id=issued.code_id, channels=[str(c) for c in issued.channels],
        minutes=runtime.policy.notices.one_time_code_minutes,
    )  # fmt: skip


@router.post("/me/access/confirm", response_class=HTMLResponse)
def access_confirm(
    request: Request,
    uow: UowDep,
    given: Annotated[str, Form(max_length=40)] = "",
    date_of_birth: Annotated[str, Form(max_length=32)] = "",
    code_id: Annotated[str, Form(max_length=40)] = "",
    code: Annotated[str, Form(max_length=20)] = "",
) -> HTMLResponse:
    """Step two: a right code shows the report and its download."""
    runtime: Runtime = request.app.state.runtime
    errors, born = _checked(given, date_of_birth)
    again = {"step": "code", "given": given[:40], "date_of_birth": date_of_birth[:32],
             "code_id": code_id[:40]}  # fmt: skip
    if errors or born is None or not code_id:
        return _page(request, status_code=422, step="start", problem="start_again")
    if not code.strip():
        return _page(request, status_code=422, errors={"code": "missing"}, **again)
    try:
        _limiter(runtime).take(_client(request))
    except RateLimited:
        return _page(request, status_code=429, problem="too_many", **again)
    try:
        outcome = confirm(uow, runtime, given, born, code_id, code[:20])
    except NotFound:
        return _page(request, status_code=404, step="start", problem="not_found")
    check = outcome.check
    if check.outcome is CodeCheck.WRONG:
        return _page(
            request, status_code=422, errors={"code": "wrong"}, attempts_left=check.attempts_left,
            **again,
        )  # fmt: skip
    if not check.ok or outcome.report is None:
        return _page(request, status_code=422, step="start", problem=str(check.outcome))
    doc = to_json(outcome.report)
    download = base64.b64encode(json.dumps(doc, indent=2).encode()).decode("ascii")
    return _page(request, step="done", doc=doc, download=download)
