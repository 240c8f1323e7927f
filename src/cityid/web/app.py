"""The web application: JSON API, staff console, applicant and public pages."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy.exc import DBAPIError, OperationalError
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint

from cityid import __version__
from cityid.bootstrap import open_runtime
from cityid.devtools.faults import from_environment
from cityid.errors import CityIdError, Unavailable
from cityid.rendering.templating import STATIC_DIR, templates
from cityid.runtime import Runtime
from cityid.staff.actor import Actor
from cityid.web import csrf, openapi
from cityid.web.body_cap import BodyCap
from cityid.web.cors import PublicReadCors
from cityid.web.methods import HeadAsGet, allowed_methods
from cityid.web.public_pages import render_public
from cityid.web.routes import (
    accountability_api,
    accountability_console,
    accountability_resident,
    applicant,
    appointments_console,
    appointments_public,
    audit_console,
    audit_public,
    auth_api,
    cards_api,
    cards_console,
    cards_public,
    console,
    dashboard,
    disclosure_api,
    disclosure_console,
    enrollment_api,
    enrollment_console,
    front_door,
    health,
    log_tiles,
    production_console,
    resident_card,
    resident_desk,
    retention_api,
    retention_console,
    retention_public,
    review_api,
    review_console,
    second_factor_console,
    staff_console,
    transparency,
    verifier_pack,
)

log = logging.getLogger("cityid.web")

# Every door of the web app, one router each; the order only matters for overlapping paths.
ROUTE_MODULES = (
    front_door,
    health,
    console,
    second_factor_console,
    staff_console,
    auth_api,
    enrollment_api,
    enrollment_console,
    audit_public,
    audit_console,
    log_tiles,
    transparency,
    disclosure_api,
    disclosure_console,
    cards_public,
    verifier_pack,
    cards_api,
    cards_console,
    applicant,
    appointments_public,
    appointments_console,
    resident_card,
    resident_desk,
    review_api,
    review_console,
    retention_api,
    retention_console,
    retention_public,
    dashboard,
    accountability_console,
    accountability_api,
    accountability_resident,
    production_console,
)

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'; "
    "connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
)


class SecurityHeaders(BaseHTTPMiddleware):
    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        response = await call_next(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        response.headers.setdefault("X-Frame-Options", "DENY")
        if request.url.path.startswith(("/console", "/api", "/me")):
            response.headers.setdefault("Cache-Control", "no-store")
        return response


def _wants_html(request: Request) -> bool:
    path = request.url.path
    return not path.startswith("/api") and "text/html" in request.headers.get("accept", "")


def _is_staff_page(request: Request) -> bool:
    return request.url.path.startswith("/console")


def _error_response(
    request: Request, status: int, code: str, message: str, headers: dict[str, str] | None = None
) -> Response:
    """JSON for the API; the console's error page for staff pages; for everything else
    the public error page, with the public header and a way back to the front door."""
    if _wants_html(request):
        if status == 401 and _is_staff_page(request):
            return RedirectResponse("/console/login", status_code=303)
        if not _is_staff_page(request):
            return render_public(
                request, "public/error.html", status_code=status, headers=headers,
                status=status, message=message,
            )  # fmt: skip
        context = {"status": status, "message": message}
        runtime: Runtime = request.app.state.runtime
        return templates.TemplateResponse(
            request,
            "error.html",
            {**context, "staff": None, "nav": [], "program": runtime.policy.program},
            status_code=status,
            headers=headers,
        )
    return JSONResponse(
        {"error": {"code": code, "message": message}}, status_code=status, headers=headers
    )


async def _sign_checkpoints(runtime: Runtime, interval: int) -> None:
    """The schedule: sign a checkpoint whenever the log has grown since the last one."""
    from cityid.audit.cosigning import checkpoint_if_grown

    while True:
        await asyncio.sleep(interval)
        try:
            await run_in_threadpool(checkpoint_if_grown, runtime)
        except Exception as exc:  # keep serving; the next round tries again
            log.warning("could not sign an audit checkpoint: %s", type(exc).__name__)


async def _deliver_notices(runtime: Runtime, interval: int) -> None:
    """The notice worker: a round in a worker thread; renewals once a day, delivery
    every round."""
    from cityid.enrollment.renewal_notices import notice_round

    renewals_done_on: dt.date | None = None  # this worker's own memory, not shared state
    while True:
        await asyncio.sleep(interval)
        today = dt.datetime.now(dt.UTC).date()
        try:
            await run_in_threadpool(
                partial(notice_round, runtime, Actor.system(), renewals=renewals_done_on != today)
            )
            renewals_done_on = today
        except Exception as exc:  # keep serving; undelivered notices wait for the next round
            log.warning("could not deliver notices: %s", type(exc).__name__)


def create_app(runtime: Runtime) -> FastAPI:
    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        interval = runtime.settings.checkpoint_interval_seconds
        tasks = [asyncio.create_task(_sign_checkpoints(runtime, interval))] if interval > 0 else []
        notify_every = runtime.settings.notify_interval_seconds
        if notify_every > 0:
            tasks.append(asyncio.create_task(_deliver_notices(runtime, notify_every)))
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
            runtime.close()

    app = FastAPI(
        lifespan=lifespan,
        title="cityid",
        version=__version__,
        description="Records for a municipal identity card program.",
        docs_url="/api/docs",
        redoc_url=None,
        # Safe by default: every route's unsafe methods need the session's CSRF token.
        dependencies=[Depends(csrf.protect)],
    )
    app.state.runtime = runtime
    app.add_middleware(SecurityHeaders)
    app.add_middleware(HeadAsGet)
    app.add_middleware(PublicReadCors)
    # Outermost: an oversized body is refused before any other layer reads it.
    app.add_middleware(BodyCap, limit=runtime.policy.security.max_request_body_bytes)
    app.mount("/static", StaticFiles(directory=str(STATIC_DIR)), name="static")

    @app.exception_handler(CityIdError)
    async def cityid_error(request: Request, exc: CityIdError) -> Response:
        return _error_response(request, exc.http_status, exc.code, exc.message)

    @app.exception_handler(OperationalError)
    async def database_gone(request: Request, exc: OperationalError) -> Response:
        log.warning("database error: %s", type(exc.orig).__name__ if exc.orig else "unknown")
        error = Unavailable("the database does not answer; try again shortly")
        return _error_response(request, 503, error.code, error.message)

    @app.exception_handler(DBAPIError)
    async def database_error(request: Request, exc: DBAPIError) -> Response:
        if exc.connection_invalidated:
            error = Unavailable("the database connection was lost; try again shortly")
            return _error_response(request, 503, error.code, error.message)
        raise exc

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, exc: RequestValidationError) -> Response:
        fields = "; ".join(
            f"{'.'.join(str(p) for p in err['loc'][1:]) or 'body'}: {err['msg']}"
            for err in exc.errors()[:5]
        )
        return _error_response(request, 422, "bad_input", fields or "bad request")

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        headers = dict(exc.headers or {})
        if exc.status_code == 405:
            allowed = allowed_methods(request.app.router.routes, request.url.path)
            headers["Allow"] = ", ".join(allowed)
        return _error_response(request, exc.status_code, "http", str(exc.detail), headers)

    for module in ROUTE_MODULES:
        app.include_router(module.router)
    openapi.install(app)
    return app


def create_app_from_environment() -> FastAPI:
    """Uvicorn's factory: each worker process opens its own runtime."""
    return create_app(open_runtime(faults=from_environment()))
