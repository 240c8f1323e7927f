"""The investigators' console: the queue, a pair side by side (decrypted, audited), a decision."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from cityid.jsonable import to_json
from cityid.matching import review
from cityid.staff.permissions import is_allowed
from cityid.web.deps import ReadUowDep, RuntimeDep, Staff, UowDep, require
from cityid.web.routes.console import render

router = APIRouter(prefix="/console/review", include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
def queue_page(
    request: Request,
    staff: Annotated[Staff, Depends(require("review.read"))],
    runtime: RuntimeDep,
    uow: ReadUowDep,
    status: str = Query(default="open", pattern="^(open|decided|all)$"),
) -> Response:
    items = to_json(
        review.list_items(
            uow, runtime, staff.actor, status=None if status == "all" else status, limit=200
        )
    )
    counts = review.decision_counts(uow, runtime, staff.actor)
    return render(
        request, "console/review/queue.html", staff, items=items, status=status, counts=counts
    )


@router.get("/{item_id}", response_class=HTMLResponse)
def item_page(
    request: Request,
    item_id: str,
    staff: Annotated[Staff, Depends(require("review.read"))],
    runtime: RuntimeDep,
    uow: UowDep,
    message: str | None = Query(default=None, max_length=200),
) -> Response:
    shown = to_json(review.show_item(uow, runtime, staff.actor, item_id))
    return render(
        request,
        "console/review/item.html",
        staff,
        item=shown,
        apps=shown["applications"],
        decisions=review.DECISIONS,
        can_decide=is_allowed(runtime.policy, staff.actor, "review.decide"),
        message=message,
    )


@router.post("/{item_id}/decision")
def decide(
    item_id: str,
    decision: Annotated[str, Form(max_length=32)],
    staff: Annotated[Staff, Depends(require("review.decide"))],
    runtime: RuntimeDep,
    uow: UowDep,
) -> Response:
    review.decide(uow, runtime, staff.actor, item_id, decision)
    return RedirectResponse(
        f"/console/review/{quote(item_id)}?message={quote('Decision recorded.')}", status_code=303
    )
