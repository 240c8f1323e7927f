"""Rendering a public page: the public header and footer, in the visitor's language.

Every page the public sees (the front door, /apply, /me, /verify, /transparency, the
receipt check, public error pages) extends `public/layout.html`, which needs the program,
this request's language (`_`, `lang`, `dir`) and the language picker's action. One
function makes that context, so every public page has the same header, footer and picker.
The picker's `?lang=` choice is remembered in a cookie (no login, no personal data).
"""

from __future__ import annotations

from typing import Any

from fastapi.responses import HTMLResponse
from starlette.requests import Request

from cityid.rendering import i18n
from cityid.rendering.templating import templates
from cityid.runtime import Runtime

LANGUAGE_COOKIE_SECONDS = 365 * 24 * 3600


def public_context(request: Request, *, picker_action: str | None = None) -> dict[str, Any]:
    """The context public/layout.html needs. The picker asks again with GET, so a POST
    answer's picker goes to `picker_action` (its section's start page), "/" by default."""
    runtime: Runtime = request.app.state.runtime
    language = i18n.language_for(request)
    if request.method == "GET":
        picker_action = request.url.path
    return {
        "staff": None,
        "nav": [],
        "program": runtime.policy.program,
        "policy": runtime.policy,
        "path": request.url.path,
        "picker_action": picker_action or "/",
        "keep": [],
        **language.template_context(),
    }


def remember_language(request: Request, response: HTMLResponse) -> HTMLResponse:
    """Content-Language, Vary, and the picker's choice kept for the next page."""
    runtime: Runtime = request.app.state.runtime
    response.headers["Content-Language"] = i18n.language_for(request).html_lang
    response.headers["Vary"] = "Accept-Language, Cookie"
    picked = i18n.supported(request.query_params.get("lang"))
    if picked:
        response.set_cookie(
            i18n.COOKIE,
            picked,
            max_age=LANGUAGE_COOKIE_SECONDS,
            path="/",
            secure=not runtime.settings.insecure_cookies,
            httponly=True,
            samesite="lax",
        )
    return response


def render_public(
    request: Request,
    template: str,
    *,
    status_code: int = 200,
    picker_action: str | None = None,
    headers: dict[str, str] | None = None,
    **context: Any,
) -> HTMLResponse:
    """A public page: `template` extends public/layout.html; `context` adds to the base."""
    base = public_context(request, picker_action=picker_action)
    response = templates.TemplateResponse(
        request, template, {**base, **context}, status_code=status_code, headers=headers
    )
    return remember_language(request, response)
