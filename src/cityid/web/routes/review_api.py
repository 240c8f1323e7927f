"""The investigators' review queue as JSON: the same operations as `cityid review ...`."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from cityid.jsonable import to_json
from cityid.matching import review
from cityid.web.deps import RuntimeDep, Staff, UowDep, require

router = APIRouter(prefix="/api/v1/review", tags=["review"])

Decision = Literal["duplicate", "not_duplicate", "fraud_referred"]


class ReviewItem(BaseModel):
    item_id: str
    application_id: str
    other_application_id: str | None
    kind: str
    score: float | None
    reasons: list[str]
    source: str
    status: Literal["open", "decided"]
    decision: Decision | None
    decided_by: str | None
    decided_at: str | None
    created_at: str | None


class ReviewItems(BaseModel):
    items: list[ReviewItem]


class ReviewItemShown(ReviewItem):
    applications: list[dict[str, Any]] = Field(
        description="Each application as `application show` gives it (decrypted, audited),"
        ' or {"application_id", "unavailable": "destroyed|not_found"}'
    )


class DecisionRequest(BaseModel):
    decision: Decision


class DecisionCounts(BaseModel):
    kinds: dict[str, dict[str, int]]


@router.get("/items", response_model=ReviewItems)
def list_items(
    staff: Annotated[Staff, Depends(require("review.read"))],
    runtime: RuntimeDep,
    uow: UowDep,
    status: Literal["open", "decided", "all"] = Query(default="open"),
    kind: str | None = Query(default=None, max_length=32),
    limit: int = Query(default=100, ge=1, le=1000),
) -> ReviewItems:
    items = review.list_items(
        uow, runtime, staff.actor, status=None if status == "all" else status, kind=kind,
        limit=limit,
    )  # fmt: skip
    return ReviewItems(items=[ReviewItem(**to_json(i)) for i in items])


@router.get("/counts", response_model=DecisionCounts)
def counts(
    staff: Annotated[Staff, Depends(require("review.read"))],
    runtime: RuntimeDep,
    uow: UowDep,
) -> DecisionCounts:
    return DecisionCounts(kinds=review.decision_counts(uow, runtime, staff.actor))


@router.get("/items/{item_id}", response_model=ReviewItemShown)
def show_item(
    item_id: str,
    staff: Annotated[Staff, Depends(require("review.read"))],
    runtime: RuntimeDep,
    uow: UowDep,
) -> ReviewItemShown:
    shown = review.show_item(uow, runtime, staff.actor, item_id)
    return ReviewItemShown(**to_json(shown))


@router.post("/items/{item_id}/decision", response_model=ReviewItem)
def decide(
    item_id: str,
    body: DecisionRequest,
    staff: Annotated[Staff, Depends(require("review.decide"))],
    runtime: RuntimeDep,
    uow: UowDep,
) -> ReviewItem:
    decided = review.decide(uow, runtime, staff.actor, item_id, body.decision)
    return ReviewItem(**to_json(decided))
