"""FastAPI dependencies: the runtime, a unit of work, the signed-in actor, permissions.

Routers stay thin: they declare what they need here, by alias, and call a service:

    def route(staff: StaffDep, runtime: RuntimeDep, uow: UowDep) -> ...

`UowDep` is the request's transaction: it commits when the route returns and rolls
back when it raises, and both happen before the response is sent (scope="function"),
so a client that gets a 2xx finds the data committed, and a failed commit is a 5xx.
A route that answers with an error page or redirect instead of raising calls
`uow.rollback()` before it returns; the commit afterwards then has nothing to commit.
`ReadUowDep` is a read-only connection (SQLite readers run beside a writer); it never
commits. Routes never call `uow.commit()` themselves. CSRF is checked app-wide (csrf.py).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from starlette.datastructures import FormData

from cityid.audit.refusals import LoggedRefusal, record_refusal
from cityid.errors import Unauthenticated
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


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


def client_address(request: Request) -> str:
    """The caller's address as the socket saw it (`serve` trusts no proxy headers): what
    sign-in throttling counts failures by."""
    return request.client.host if request.client else "unknown"


def get_uow(runtime: RuntimeDep) -> Iterator[UnitOfWork]:
    """The request's unit of work: committed after the route returns, rolled back if it
    raises (the exception reaches this `yield`). Use it as `UowDep`, never bare: the
    function scope is what makes the commit happen before the response is sent.
    A `LoggedRefusal` is written to the audit log after the rollback."""
    try:
        with UnitOfWork(runtime.engine) as uow:
            yield uow
            uow.commit()
    except LoggedRefusal as refusal:
        record_refusal(runtime.engine, refusal)
        raise


def get_read_uow(runtime: RuntimeDep) -> Iterator[UnitOfWork]:
    """A read-only unit of work; nothing is committed, the connection closes before the
    response is sent."""
    try:
        with UnitOfWork(runtime.engine, read_only=True) as uow:
            yield uow
    except LoggedRefusal as refusal:
        record_refusal(runtime.engine, refusal)
        raise


# scope="function": the code after `yield` runs when the route returns, before the
# response goes out (the default, "request", would run it after the response is sent).
UowDep = Annotated[UnitOfWork, Depends(get_uow, scope="function")]
ReadUowDep = Annotated[UnitOfWork, Depends(get_read_uow, scope="function")]


async def posted_form(request: Request) -> AsyncIterator[FormData]:
    """The posted form, read on the event loop so the route itself can be a plain `def`
    (run in the thread pool, where its database and CPU work belongs)."""
    form = await request.form()
    try:
        yield form
    finally:
        await form.close()


FormDep = Annotated[FormData, Depends(posted_form)]


@dataclass(frozen=True)
class Staff:
    """The signed-in staff member, and the CSRF token of their console session."""

    actor: Actor
    csrf_token: str | None  # None for bearer-token (API) callers, who need no CSRF


def optional_staff(request: Request, runtime: RuntimeDep, uow: UowDep) -> Staff | None:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        actor = accounts.token_actor(uow, header[7:].strip())
        if actor is None:
            raise Unauthenticated("the bearer token is not valid")
        return Staff(actor=actor, csrf_token=None)
    secret = request.cookies.get(session_cookie_name(runtime))
    if not secret:
        return None
    found = accounts.session_actor(uow, secret, runtime.policy, touch=True)
    if found is None:
        return None
    actor, csrf = found
    return Staff(actor=actor, csrf_token=csrf)


OptionalStaffDep = Annotated[Staff | None, Depends(optional_staff)]


def current_staff(staff: OptionalStaffDep) -> Staff:
    if staff is None:
        raise Unauthenticated("sign in first")
    return staff


StaffDep = Annotated[Staff, Depends(current_staff)]


def require(permission: str) -> Callable[..., Staff]:
    """A dependency that lets the request through only if the policy allows it."""

    def check(staff: StaffDep, runtime: RuntimeDep) -> Staff:
        authorize(runtime.policy, staff.actor, permission)
        return staff

    check.__name__ = f"require_{permission.replace('.', '_')}"
    # The RBAC matrix test reads this to know which permission guards each route.
    setattr(check, PERMISSION_ATTRIBUTE, permission)
    return check
