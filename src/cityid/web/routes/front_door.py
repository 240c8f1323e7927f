"""The public front door at `/`: apply, book, check a status, verify a card, transparency.

Staff go to /console/ themselves (linked in the footer); the public never lands on the
staff sign-in.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from cityid.web.public_pages import render_public

router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
def front_door(request: Request) -> HTMLResponse:
    return render_public(request, "public/home.html")
