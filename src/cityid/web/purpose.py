"""How a purpose reaches the server, for the read guard (accountability/guard.py).

- JSON API: the `purpose` query parameter or the `X-Cityid-Purpose` header (both in the
  OpenAPI document); a read without one is refused with 403 "purpose_required", logged.
- Console: a select on the search and open forms; the choice is remembered for the
  session's current task in a cookie scoped to /console, until another is chosen.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Query, Request, Response

from cityid.runtime import Runtime

PURPOSE_COOKIE = "cityid_purpose"
PURPOSE_HELP = (
    "Why the record is read: one of the policy's purposes (intake, review_of_flag, "
    "desk_request, disclosure_request:REQUEST_ID, audit). Required; it is written into "
    "the audit entry of the read."
)


def api_purpose(
    purpose: Annotated[str | None, Query(max_length=100, description=PURPOSE_HELP)] = None,
    x_cityid_purpose: Annotated[
        str | None, Header(max_length=100, description=PURPOSE_HELP)
    ] = None,
) -> str | None:
    return purpose or x_cityid_purpose


PurposeDep = Annotated[str | None, Depends(api_purpose)]


def console_purpose(
    request: Request,
    purpose: Annotated[str | None, Query(max_length=100, description=PURPOSE_HELP)] = None,
    reference: Annotated[str | None, Query(max_length=64)] = None,
) -> str | None:
    """The purpose chosen on this page (with its reference box), else the one remembered
    for the current task."""
    if purpose and reference and ":" not in purpose:
        return f"{purpose}:{reference.strip()}"
    return purpose or request.cookies.get(PURPOSE_COOKIE) or None


ConsolePurposeDep = Annotated[str | None, Depends(console_purpose)]


def remember(response: Response, runtime: Runtime, purpose: str | None) -> None:
    """Keep the purpose for the session's current task (a browser-session cookie)."""
    if purpose:
        response.set_cookie(
            PURPOSE_COOKIE,
            purpose,
            path="/console",
            httponly=True,
            samesite="strict",
            secure=not runtime.settings.insecure_cookies,
        )


def purpose_choices(runtime: Runtime) -> list[str]:
    return list(runtime.policy.accountability.purposes)
