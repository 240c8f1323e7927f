"""The console's second factor: the code page after the password, and TOTP set-up.

A session short of its second factor (stage "mfa" or "enrol", see accounts) reaches only
these pages; every other page treats it as signed out. Their forms carry the session's
CSRF token like every console form (web/csrf.py checks sessions at any stage).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from cityid.errors import Unauthenticated
from cityid.operations import accounts, second_factor
from cityid.rendering.templating import templates
from cityid.runtime import Runtime
from cityid.staff.actor import Actor
from cityid.store.uow import UnitOfWork
from cityid.web.deps import RuntimeDep, Staff, UowDep, client_address, session_cookie_name
from cityid.web.navigation import navigation_for

router = APIRouter(prefix="/console", include_in_schema=False)


@dataclass(frozen=True)
class _Session:
    secret: str
    actor: Actor
    csrf: str
    stage: accounts.SessionStage


def _session(request: Request, runtime: Runtime, uow: UnitOfWork) -> _Session | None:
    secret = request.cookies.get(session_cookie_name(runtime))
    if not secret:
        return None
    found = accounts.pending_session(uow, runtime.policy, secret)
    if found is None:
        return None
    actor, csrf, stage = found
    return _Session(secret, actor, csrf, stage)


def _page(
    request: Request, runtime: Runtime, session: _Session, template: str, status: int = 200,
    **context: object,
) -> HTMLResponse:  # fmt: skip
    # A full session sees the console bar; a pending one sees nothing else to click.
    staff = Staff(session.actor, session.csrf) if session.stage == "full" else None
    nav = navigation_for(runtime.policy, session.actor) if staff else []
    return templates.TemplateResponse(
        request,
        template,
        {
            "staff": staff, "nav": nav, "program": runtime.policy.program,
            "csrf": session.csrf, "username": session.actor.username, **context,
        },
        status_code=status,
    )  # fmt: skip


def _to_login() -> Response:
    return RedirectResponse("/console/login", status_code=303)


@router.get("/login/code", response_class=HTMLResponse)
def code_page(request: Request, runtime: RuntimeDep, uow: UowDep) -> Response:
    session = _session(request, runtime, uow)
    if session is None or session.stage != "mfa":
        return _to_login()
    return _page(request, runtime, session, "console/login_code.html", error=None)


@router.post("/login/code", response_class=HTMLResponse)
def code_submit(
    request: Request,
    code: Annotated[str, Form(max_length=32)],
    runtime: RuntimeDep,
    uow: UowDep,
) -> Response:
    session = _session(request, runtime, uow)
    if session is None or session.stage != "mfa":
        return _to_login()
    try:
        kind = second_factor.check_second_factor(
            uow, runtime.keystore, runtime.policy, session.actor, code, client_address(request)
        )
    except Unauthenticated as exc:  # already logged and committed
        return _page(
            request, runtime, session, "console/login_code.html", status=401, error=exc.message
        )
    accounts.complete_session(uow, runtime.policy, session.secret, session.actor)
    if kind == "recovery":
        left = second_factor.recovery_codes_left(uow, session.actor.user_id)
        return RedirectResponse(f"/console/second-factor?recovery_left={left}", status_code=303)
    return RedirectResponse("/console/", status_code=303)


@router.get("/second-factor", response_class=HTMLResponse)
def setup_page(
    request: Request, runtime: RuntimeDep, uow: UowDep, recovery_left: int | None = None
) -> Response:
    session = _session(request, runtime, uow)
    if session is None or session.stage == "mfa":
        return _to_login()
    if second_factor.has_second_factor(uow, session.actor.user_id):
        left = second_factor.recovery_codes_left(uow, session.actor.user_id)
        return _page(
            request, runtime, session, "console/second_factor_status.html",
            codes_left=left, just_used=recovery_left is not None,
        )  # fmt: skip
    return _setup(request, runtime, uow, session, error=None)


def _setup(
    request: Request, runtime: Runtime, uow: UnitOfWork, session: _Session,
    error: str | None, status: int = 200,
) -> HTMLResponse:  # fmt: skip
    # After a wrong code the same secret again (it is on the phone already), else a new one.
    enrolment = (
        error
        and second_factor.pending_enrolment(uow, runtime.keystore, runtime.policy, session.actor)
    ) or second_factor.begin_enrolment(uow, runtime.keystore, runtime.policy, session.actor)
    return _page(
        request, runtime, session, "console/second_factor_setup.html", status=status,
        enrolment=enrolment, required=session.stage == "enrol", error=error,
        grouped=" ".join(enrolment.secret[i : i + 4] for i in range(0, len(enrolment.secret), 4)),
    )  # fmt: skip


@router.post("/second-factor", response_class=HTMLResponse)
def setup_submit(
    request: Request,
    code: Annotated[str, Form(max_length=32)],
    runtime: RuntimeDep,
    uow: UowDep,
) -> Response:
    session = _session(request, runtime, uow)
    if session is None or session.stage == "mfa":
        return _to_login()
    try:
        codes = second_factor.confirm_enrolment(
            uow, runtime.keystore, runtime.policy, session.actor, code, client_address(request)
        )
    except Unauthenticated as exc:  # logged and committed; a new secret for a new try
        return _setup(request, runtime, uow, session, error=exc.message, status=400)
    if session.stage == "enrol":
        accounts.complete_session(uow, runtime.policy, session.secret, session.actor)
    full = _Session(session.secret, session.actor, session.csrf, "full")
    return _page(request, runtime, full, "console/second_factor_codes.html", codes=codes)
