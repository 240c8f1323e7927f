"""The staff console: sign-in, sign-out and the home page later issues fill in."""

from __future__ import annotations

import hmac
import secrets
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from cityid.errors import Unauthenticated
from cityid.operations import accounts, second_factor
from cityid.rendering.templating import templates
from cityid.runtime import Runtime
from cityid.web.deps import (
    LOGIN_CSRF_COOKIE,
    OptionalStaffDep,
    RuntimeDep,
    Staff,
    StaffDep,
    UowDep,
    client_address,
    session_cookie_name,
)
from cityid.web.navigation import navigation_for

router = APIRouter(prefix="/console", include_in_schema=False)

# Where a new session goes first, by stage (see accounts.start_session).
NEXT_PAGE = {"full": "/console/", "mfa": "/console/login/code", "enrol": "/console/second-factor"}


def set_cookie(response: Response, runtime: Runtime, name: str, value: str, max_age: int) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path="/",
        secure=not runtime.settings.insecure_cookies,
        httponly=True,
        samesite="strict",
    )


def render(request: Request, template: str, staff: Staff | None, **context: object) -> HTMLResponse:
    runtime: Runtime = request.app.state.runtime
    nav = navigation_for(runtime.policy, staff.actor) if staff else []
    return templates.TemplateResponse(
        request,
        template,
        {"staff": staff, "nav": nav, "program": runtime.policy.program, **context},
    )


@router.get("/", response_class=HTMLResponse)
def home(request: Request, staff: OptionalStaffDep) -> Response:
    if staff is None:
        return RedirectResponse("/console/login", status_code=303)
    return render(request, "console/home.html", staff)


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, runtime: RuntimeDep) -> Response:
    token = secrets.token_urlsafe(32)
    response = render(request, "console/login.html", None, login_csrf=token, error=None)
    set_cookie(response, runtime, LOGIN_CSRF_COOKIE, token, max_age=1800)
    return response


@router.post("/login", response_class=HTMLResponse)
def login(
    request: Request,
    username: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=1024)],
    csrf_token: Annotated[str, Form(max_length=128)],
    runtime: RuntimeDep,
    uow: UowDep,
) -> Response:
    cookie = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not cookie or not hmac.compare_digest(cookie, csrf_token):
        return _login_again(request, runtime, "The form expired. Please sign in again.")
    try:
        actor = accounts.authenticate(
            uow, runtime.policy, username, password, client_address(request)
        )
    except Unauthenticated as exc:
        return _login_again(request, runtime, exc.message, status=401)
    # The second factor comes before anything else: a code, or its set-up if the role
    # requires one and the account has none yet.
    stage: accounts.SessionStage = "full"
    if second_factor.has_second_factor(uow, actor.user_id):
        stage = "mfa"
    elif second_factor.required_for(runtime.policy, actor):
        stage = "enrol"
    secret, _csrf = accounts.start_session(uow, runtime.policy, actor, stage)
    response = RedirectResponse(NEXT_PAGE[stage], status_code=303)
    set_cookie(
        response,
        runtime,
        session_cookie_name(runtime),
        secret,
        max_age=runtime.policy.security.session_minutes * 60,
    )
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/")
    return response


def _login_again(request: Request, runtime: Runtime, error: str, status: int = 400) -> Response:
    token = secrets.token_urlsafe(32)
    response = render(request, "console/login.html", None, login_csrf=token, error=error)
    response.status_code = status
    set_cookie(response, runtime, LOGIN_CSRF_COOKIE, token, max_age=1800)
    return response


@router.post("/logout")
def logout(
    request: Request,
    staff: StaffDep,
    runtime: RuntimeDep,
    uow: UowDep,
) -> Response:
    secret = request.cookies.get(session_cookie_name(runtime))
    if secret:
        accounts.end_session(uow, secret)
    response = RedirectResponse("/console/login", status_code=303)
    response.delete_cookie(session_cookie_name(runtime), path="/")
    return response
