"""FastAPI dependencies: the runtime, a unit of work, the signed-in actor, permissions.

Routers stay thin: they declare what they need here and call a service.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from fastapi import Depends, Request

from cityid.errors import Forbidden, Unauthenticated
from cityid.operations import accounts
from cityid.runtime import Runtime
from cityid.staff.actor import Actor
from cityid.staff.permissions import authorize
from cityid.store.uow import UnitOfWork

SESSION_COOKIE_SECURE = "__Host-cityid_session"
SESSION_COOKIE_PLAIN = "cityid_session"
LOGIN_CSRF_COOKIE = "cityid_login_csrf"
PERMISSION_ATTRIBUTE = "cityid_permission"


def session_cookie_name(runtime: Runtime) -> str:
    # The __Host- prefix makes browsers insist on Secure, path=/ and no Domain.
    return SESSION_COOKIE_PLAIN if runtime.settings.insecure_cookies else SESSION_COOKIE_SECURE


def get_runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


def get_uow(runtime: Runtime = Depends(get_runtime)) -> Iterator[UnitOfWork]:
    with UnitOfWork(runtime.engine) as uow:
        yield uow


@dataclass(frozen=True)
class Staff:
    """The signed-in staff member, and the CSRF token of their console session."""

    actor: Actor
    csrf_token: str | None  # None for bearer-token (API) callers, who need no CSRF


def optional_staff(
    request: Request,
    runtime: Runtime = Depends(get_runtime),
    uow: UnitOfWork = Depends(get_uow),
) -> Staff | None:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        actor = accounts.token_actor(uow, header[7:].strip())
        if actor is None:
            raise Unauthenticated("the bearer token is not valid")
        return Staff(actor=actor, csrf_token=None)
    secret = request.cookies.get(session_cookie_name(runtime))
    if not secret:
        return None
    found = accounts.session_actor(uow, secret)
    if found is None:
        return None
    actor, csrf = found
    return Staff(actor=actor, csrf_token=csrf)


def current_staff(staff: Staff | None = Depends(optional_staff)) -> Staff:
    if staff is None:
        raise Unauthenticated("sign in first")
    return staff


def require(permission: str) -> Callable[..., Staff]:
    """A dependency that lets the request through only if the policy allows it."""

    def check(
        staff: Staff = Depends(current_staff), runtime: Runtime = Depends(get_runtime)
    ) -> Staff:
        authorize(runtime.policy, staff.actor, permission)
        return staff

    check.__name__ = f"require_{permission.replace('.', '_')}"
    # The RBAC matrix test reads this to know which permission guards each route.
    setattr(check, PERMISSION_ATTRIBUTE, permission)
    return check


def check_csrf(staff: Staff, submitted: str | None) -> None:
    """Forms posted from the console must carry the session's CSRF token."""
    if staff.csrf_token is None:
        return
    if not submitted or not hmac.compare_digest(submitted, staff.csrf_token):
        raise Forbidden("the form has expired or did not come from this console; reload it")
