"""The JSON API for holds and disposition batches (same services as CLI and console)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from cityid.jsonable import to_json
from cityid.retention import disposition, holds
from cityid.web.deps import RuntimeDep, Staff, UowDep, require

router = APIRouter(prefix="/api/v1", tags=["retention"])


class HoldIn(BaseModel):
    authority: str = Field(max_length=200)
    docket: str = Field(max_length=100)
    reason: str = Field(max_length=2000)
    scope: dict[str, Any]
    order_date: dt.date | None = None


class HoldOut(BaseModel):
    hold_id: str


class ReleaseIn(BaseModel):
    reason: str = Field(max_length=2000)


class HoldList(BaseModel):
    holds: list[dict[str, Any]]


class PlanIn(BaseModel):
    as_of: dt.date | None = None


class PlanOut(BaseModel):
    batch_id: str
    due: int
    blocked: int
    blocked_by: dict[str, int]


class BatchOut(BaseModel):
    batch_id: str
    status: str
    destroyed: int = 0
    skipped_held: int = 0
    cohort_keys_destroyed: list[str] = []


@router.post("/holds", response_model=HoldOut)
def place_hold(
    body: HoldIn,
    staff: Annotated[Staff, Depends(require("hold.place"))],
    runtime: RuntimeDep,
    uow: UowDep,
) -> HoldOut:
    hold_id = holds.place_hold(
        uow, runtime, staff.actor, authority=body.authority, docket=body.docket,
        reason=body.reason, scope=body.scope, order_date=body.order_date,
    )  # fmt: skip
    return HoldOut(hold_id=hold_id)


@router.post("/holds/{hold_id}/release", response_model=HoldOut)
def release_hold(
    hold_id: str,
    body: ReleaseIn,
    staff: Annotated[Staff, Depends(require("hold.release"))],
    runtime: RuntimeDep,
    uow: UowDep,
) -> HoldOut:
    holds.release_hold(uow, runtime, staff.actor, hold_id, reason=body.reason)
    return HoldOut(hold_id=hold_id)


@router.get("/holds", response_model=HoldList)
def list_holds(
    staff: Annotated[Staff, Depends(require("hold.read"))],
    runtime: RuntimeDep,
    uow: UowDep,
) -> HoldList:
    found = holds.list_holds(uow, runtime, staff.actor)
    return HoldList(holds=to_json(found))


@router.post("/retention/batches", response_model=PlanOut)
def plan(
    body: PlanIn,
    staff: Annotated[Staff, Depends(require("retention.plan"))],
    runtime: RuntimeDep,
    uow: UowDep,
) -> PlanOut:
    result = disposition.plan(uow, runtime, staff.actor, as_of=body.as_of)
    return PlanOut(**{k: getattr(result, k) for k in ("batch_id", "due", "blocked", "blocked_by")})


@router.post("/retention/batches/{batch_id}/approve", response_model=BatchOut)
def approve(
    batch_id: str,
    staff: Annotated[Staff, Depends(require("retention.approve"))],
    runtime: RuntimeDep,
    uow: UowDep,
) -> BatchOut:
    result = disposition.approve(uow, runtime, staff.actor, batch_id)
    return BatchOut(batch_id=batch_id, status=result.status)


@router.post("/retention/batches/{batch_id}/execute", response_model=BatchOut)
def execute(
    batch_id: str,
    staff: Annotated[Staff, Depends(require("retention.execute"))],
    runtime: RuntimeDep,
    uow: UowDep,
) -> BatchOut:
    uow.rollback()  # let go of the request's transaction (reads only): execution runs its own
    result = disposition.execute(runtime, staff.actor, batch_id)
    return BatchOut(**{k: getattr(result, k) for k in BatchOut.model_fields})


@router.get("/retention/batches/{batch_id}/certificate")
def certificate(
    batch_id: str,
    staff: Annotated[Staff, Depends(require("retention.read"))],
    runtime: RuntimeDep,
    uow: UowDep,
) -> dict[str, Any]:
    document = disposition.certificate_document(uow, runtime, staff.actor, batch_id)
    return document
