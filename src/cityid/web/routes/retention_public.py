"""The public receipt check: paste an application reference and a destruction receipt."""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse

from cityid.retention.receipts import receipts_in, verify_all_against_log
from cityid.retention.results import ReceiptCheck
from cityid.web.deps import RuntimeDep
from cityid.web.public_pages import render_public

router = APIRouter(include_in_schema=False)
TEMPLATE = "public/receipt_check.html"


@router.get("/receipts/check", response_class=HTMLResponse)
def check_page(request: Request) -> HTMLResponse:
    return render_public(request, TEMPLATE, result=None, reference="")


@router.post("/receipts/check", response_class=HTMLResponse)
def check(
    request: Request,
    receipt: Annotated[str, Form(max_length=200_000)],
    runtime: RuntimeDep,
    reference: Annotated[str, Form(max_length=32)] = "",
) -> HTMLResponse:
    """Read-only, no session: verifying changes nothing, so the form needs no CSRF token."""
    result: ReceiptCheck
    try:
        data = json.loads(receipt)
    except json.JSONDecodeError:
        data = None
    found = receipts_in(data)
    if not found:
        result = ReceiptCheck(ok=False, problem="that is not a receipt (paste the whole JSON text)")
    else:
        result = verify_all_against_log(runtime, found, reference=reference.strip() or None)
    return render_public(
        request, TEMPLATE, picker_action="/receipts/check", result=result, reference=reference
    )
