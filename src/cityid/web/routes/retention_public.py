"""The public receipt check: paste an application reference and a destruction receipt."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse

from cityid.retention.receipts import receipts_in, verify_all_against_log
from cityid.web.deps import RuntimeDep
from cityid.web.routes.console import render

router = APIRouter(include_in_schema=False)
TEMPLATE = "public/receipt_check.html"


@router.get("/receipts/check", response_class=HTMLResponse)
def check_page(request: Request) -> HTMLResponse:
    return render(request, TEMPLATE, None, result=None, reference="")


@router.post("/receipts/check", response_class=HTMLResponse)
def check(
    request: Request,
    receipt: Annotated[str, Form(max_length=200_000)],
    runtime: RuntimeDep,
    reference: Annotated[str, Form(max_length=32)] = "",
) -> HTMLResponse:
    """Read-only, no session: verifying changes nothing, so the form needs no CSRF token."""
    result: dict[str, Any]
    try:
        data = json.loads(receipt)
    except json.JSONDecodeError:
        data = None
    found = receipts_in(data)
    if not found:
        result = {"ok": False, "problem": "that is not a receipt (paste the whole JSON text)"}
    else:
        result = verify_all_against_log(runtime, found, reference=reference.strip() or None)
    return render(request, TEMPLATE, None, result=result, reference=reference)
