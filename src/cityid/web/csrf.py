"""CSRF protection, on by default: every unsafe request that a session cookie signs in.

The app installs `protect` as a dependency of every route (app.py). For POST, PUT,
PATCH and DELETE it lets a request through only if one of these holds:

- the route opts out by name in `EXEMPT` (public endpoints that no session signs in,
  and the sign-in form, which carries its own login CSRF token);
- the caller authenticates with a bearer token (no ambient credential to forge with);
- the request carries no live session cookie (the route then sees a signed-out caller);
- the request comes from this server's own origin (Sec-Fetch-Site, else Origin, else
  Referer, where the browser sends them) and carries the session's CSRF token, in the
  `X-CSRF-Token` header (JSON API) or the `csrf_token` form field (console forms).

A new route is protected without asking; opting out means adding its name here, which
tests/foundation/test_csrf_by_default.py pins.
"""

from __future__ import annotations

import hmac
from urllib.parse import urlsplit

from fastapi import Request
from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool

from cityid.errors import Forbidden
from cityid.operations import accounts
from cityid.runtime import Runtime
from cityid.store.uow import UnitOfWork
from cityid.web.deps import session_cookie_name

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")

# Routes that opt out, as "<routes module>.<function>": none reads the session cookie.
EXEMPT = frozenset(
    {
        "console.login",  # its own login CSRF token (a cookie and the form's copy)
        "auth_api.issue_token",  # a password for a bearer token: no session involved
        "enrollment_api.check_status",  # applicants: a reference and a date of birth
        "cards_public.verify_api",  # public verifier, rate limited, reads only
        "cards_public.verify_upload",
        "applicant.apply_start",  # applicant pages: public, rate limited
        "applicant.me_status",
        "applicant.me_receipt",
        "resident_card.card_code",  # /me/card: card number, date of birth, one-time code
        "resident_card.card_confirm",
        "accountability_resident.access_code",  # /me/access: same steps as /me/card
        "accountability_resident.access_confirm",
        "retention_public.check",  # a receipt checked against the log, reads only
        "appointments_public.appointments_book",  # residents: no account, rate limited
        "appointments_public.appointments_manage",
        "appointments_public.appointments_move",
        "appointments_public.appointments_cancel",
    }
)


def route_key(route: APIRoute) -> str:
    """The name a route opts out by: its routes module and function."""
    module = route.endpoint.__module__.rsplit(".", 1)[-1]
    return f"{module}.{route.endpoint.__name__}"


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def _check_origin(request: Request, runtime: Runtime) -> None:
    """Refuse a request a browser says came from another site (defence in depth)."""
    own = {_origin(str(request.base_url)), _origin(runtime.policy.program.public_base_url)}
    site = request.headers.get("sec-fetch-site")
    if site is not None:
        if site not in ("same-origin", "none"):
            raise Forbidden("the request did not come from this site")
        return
    # Under Referrer-Policy: no-referrer browsers send "Origin: null" on same-origin posts.
    origin = request.headers.get("origin")
    if origin and origin != "null":
        if origin.lower() not in own:
            raise Forbidden("the request did not come from this site")
        return
    referer = request.headers.get("referer")
    if referer and _origin(referer) not in own:
        raise Forbidden("the request did not come from this site")


async def _submitted_token(request: Request) -> str | None:
    header = request.headers.get(CSRF_HEADER)
    if header:
        return header
    if request.headers.get("content-type", "").startswith(_FORM_TYPES):
        value = (await request.form()).get(CSRF_FIELD)  # Starlette keeps the parsed form
        return value if isinstance(value, str) else None
    return None


def _session_token(runtime: Runtime, secret: str) -> str | None:
    with UnitOfWork(runtime.engine, read_only=True) as uow:
        return accounts.session_csrf(uow, secret)  # any stage: second-factor forms too


def check_token(expected: str, submitted: str | None) -> None:
    if not submitted or not hmac.compare_digest(submitted, expected):
        raise Forbidden("the form has expired or did not come from this console; reload it")


async def protect(request: Request) -> None:
    """The app-wide CSRF check (see the module docstring for who passes)."""
    if request.method not in UNSAFE_METHODS:
        return
    route = request.scope.get("route")
    if isinstance(route, APIRoute) and route_key(route) in EXEMPT:
        return
    if request.headers.get("authorization", "").lower().startswith("bearer "):
        return
    runtime: Runtime = request.app.state.runtime
    secret = request.cookies.get(session_cookie_name(runtime))
    if not secret:
        return
    expected = await run_in_threadpool(_session_token, runtime, secret)
    if expected is None:
        return
    _check_origin(request, runtime)
    check_token(expected, await _submitted_token(request))
