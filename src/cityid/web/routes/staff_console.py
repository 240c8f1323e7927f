"""The administrator's staff page: add an account, change its role, disable or enable it,
reset its password or second factor, unlock it. Each a form; the services log each."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from cityid.errors import BadInput, CityIdError, Refused
from cityid.operations import accounts, second_factor, staff_admin
from cityid.store.uow import UnitOfWork
from cityid.vocabulary import ROLES
from cityid.web.deps import RuntimeDep, Staff, UowDep, require
from cityid.web.routes.console import render

router = APIRouter(prefix="/console/staff", include_in_schema=False)
ManagerDep = Annotated[Staff, Depends(require("staff.manage"))]
PAGE = "/console/staff/"
# What the page says after a change: a fixed sentence per change, never text from the URL.
DONE = {
    "added": "Added {who}.",
    "role": "Changed the role of {who}; they sign in again.",
    "disabled": "Disabled {who}; they are signed out everywhere.",
    "enabled": "Enabled {who}.",
    "unlocked": "Unlocked {who}.",
    "second_factor_reset": "Reset the second step of {who}; they set it up again at sign-in.",
    "password_reset": "Set a new password for {who}; tell them out of band.",
}


def _page(
    request: Request, staff: Staff, runtime: RuntimeDep, uow: UnitOfWork, status: int = 200,
    **context: object,
) -> HTMLResponse:  # fmt: skip
    found = staff_admin.list_staff(uow, runtime.policy, staff.actor)
    done, who = context.pop("done", ""), context.pop("who", "")
    if done in DONE and who in {a.username for a in found}:
        context["notice"] = DONE[str(done)].format(who=who)
    context.setdefault("form", {})
    context.setdefault("errors", {})
    response = render(
        request, "console/staff.html", staff, accounts=found, roles=ROLES,
        required_roles=runtime.policy.security.second_factor_required_roles,
        min_password=runtime.policy.security.password_min_length, **context,
    )  # fmt: skip
    response.status_code = status
    return response


@router.get("/", response_class=HTMLResponse)
def staff_page(
    request: Request, staff: ManagerDep, runtime: RuntimeDep, uow: UowDep, done: str = "",
    who: str = "",
) -> HTMLResponse:  # fmt: skip
    return _page(request, staff, runtime, uow, done=done, who=who)


@router.post("/", response_class=HTMLResponse)
def add_staff(
    request: Request,
    username: Annotated[str, Form(max_length=64)],
    role: Annotated[str, Form(max_length=32)],
    password: Annotated[str, Form(max_length=1024)],
    staff: ManagerDep,
    runtime: RuntimeDep,
    uow: UowDep,
) -> Response:
    try:
        user = accounts.add_user(
            uow, runtime.policy, username=username, role=role, password=password, by=staff.actor
        )
    except (BadInput, Refused) as exc:
        uow.rollback()
        field = _field_of(exc)
        return _page(
            request, staff, runtime, uow, status=exc.http_status,
            form={"username": username, "role": role}, errors={field: exc.message},
        )  # fmt: skip
    return RedirectResponse(f"{PAGE}?done=added&who={user.username}", status_code=303)


def _field_of(exc: CityIdError) -> str:
    for field in ("username", "role", "password"):
        if exc.message.startswith(field) or field in exc.code:
            return field
    return "username"  # "already exists"


def _act(
    request: Request, staff: Staff, runtime: RuntimeDep, uow: UnitOfWork, username: str,
    done: str, action: Callable[[], object],
) -> Response:  # fmt: skip
    try:
        action()
    except CityIdError as exc:
        uow.rollback()
        return _page(
            request, staff, runtime, uow, status=exc.http_status,
            action_error=f"{username}: {exc.message}",
        )  # fmt: skip
    return RedirectResponse(f"{PAGE}?done={done}&who={username}", status_code=303)


@router.post("/{username}/role", response_class=HTMLResponse)
def change_role(
    request: Request, username: str, role: Annotated[str, Form(max_length=32)],
    staff: ManagerDep, runtime: RuntimeDep, uow: UowDep,
) -> Response:  # fmt: skip
    return _act(
        request, staff, runtime, uow, username, "role",
        lambda: staff_admin.set_role(uow, runtime.policy, staff.actor, username, role),
    )  # fmt: skip


@router.post("/{username}/disable", response_class=HTMLResponse)
def disable(
    request: Request, username: str, staff: ManagerDep, runtime: RuntimeDep, uow: UowDep
) -> Response:
    return _act(
        request, staff, runtime, uow, username, "disabled",
        lambda: staff_admin.set_disabled(uow, runtime.policy, staff.actor, username, disabled=True),
    )  # fmt: skip


@router.post("/{username}/enable", response_class=HTMLResponse)
def enable(
    request: Request, username: str, staff: ManagerDep, runtime: RuntimeDep, uow: UowDep
) -> Response:
    return _act(
        request, staff, runtime, uow, username, "enabled",
        lambda: staff_admin.set_disabled(
            uow, runtime.policy, staff.actor, username, disabled=False
        ),
    )  # fmt: skip


@router.post("/{username}/unlock", response_class=HTMLResponse)
def unlock(
    request: Request, username: str, staff: ManagerDep, runtime: RuntimeDep, uow: UowDep
) -> Response:
    return _act(
        request, staff, runtime, uow, username, "unlocked",
        lambda: accounts.unlock(uow, runtime.policy, staff.actor, username),
    )  # fmt: skip


@router.post("/{username}/reset-second-factor", response_class=HTMLResponse)
def reset_second_factor(
    request: Request, username: str, staff: ManagerDep, runtime: RuntimeDep, uow: UowDep
) -> Response:
    return _act(
        request, staff, runtime, uow, username, "second_factor_reset",
        lambda: second_factor.reset_second_factor(uow, runtime.policy, staff.actor, username),
    )  # fmt: skip


@router.post("/{username}/password", response_class=HTMLResponse)
def reset_password(
    request: Request, username: str, password: Annotated[str, Form(max_length=1024)],
    staff: ManagerDep, runtime: RuntimeDep, uow: UowDep,
) -> Response:  # fmt: skip
    return _act(
        request, staff, runtime, uow, username, "password_reset",
        lambda: staff_admin.reset_password(uow, runtime.policy, staff.actor, username, password),
    )  # fmt: skip
