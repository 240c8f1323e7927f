"""The investigators' console: the queue, a pair side by side (decrypted, audited), a decision."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Annotated
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from cityid.enrollment.screening import FlagKind, flag_reason
from cityid.jsonable import to_json
from cityid.matching import review
from cityid.matching.reasons import reason_words
from cityid.staff.permissions import is_allowed
from cityid.web.deps import ReadUowDep, RuntimeDep, Staff, UowDep, require
from cityid.web.routes.console import render

router = APIRouter(prefix="/console/review", include_in_schema=False)


PAGE_SIZE = 50


@router.get("/", response_class=HTMLResponse)
def queue_page(
    request: Request,
    staff: Annotated[Staff, Depends(require("review.read"))],
    runtime: RuntimeDep,
    uow: ReadUowDep,
    status: str = Query(default="open", pattern="^(open|decided|all)$"),
    kind: str = Query(default="", max_length=32),
    sort: str = Query(default="strongest", pattern="^(strongest|oldest|newest)$"),
    page: int = Query(default=1, ge=1, le=100_000),
) -> Response:
    """The review queue: counted, filtered by status and signal, sorted, paged."""
    chosen = None if status == "all" else status
    signal = kind if kind in set(FlagKind) else None
    total = review.count_items(uow, runtime, staff.actor, status=chosen, kind=signal)
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(page, pages)
    items = to_json(
        review.list_items(
            uow,
            runtime,
            staff.actor,
            status=chosen,
            kind=signal,
            sort=sort,
            limit=PAGE_SIZE,
            offset=(page - 1) * PAGE_SIZE,
        )
    )
    counts = review.decision_counts(uow, runtime, staff.actor)
    filters = {"status": status, "kind": signal or "", "sort": sort}
    return render(
        request,
        "console/review/queue.html",
        staff,
        items=items,
        status=status,
        filters=filters,
        counts=counts,
        found=SimpleNamespace(total=total, page=page, pages=pages),
        page_url=lambda n: "?" + urlencode({**filters, "page": n}),
        flag_kinds=[(k.value, flag_reason(k)) for k in FlagKind],
        flag_reason=flag_reason,
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
        flag_reason=flag_reason,
        reason_words=reason_words,
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
