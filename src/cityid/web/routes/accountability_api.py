"""Accountability as JSON: access reports, supervisors' exceptions, insider alerts."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from cityid.accountability import alerts, exceptions, report
from cityid.jsonable import to_json
from cityid.web.deps import ReadUowDep, RuntimeDep, Staff, UowDep, require

router = APIRouter(prefix="/api/v1/accountability", tags=["accountability"])


class AccessLine(BaseModel):
    index: int = Field(description="The entry's index in the audit log")
    at: str
    action: str
    what: str = Field(description="The action in words")
    office: str | None = Field(description="The reader's centre; null: a central office")
    role: str
    purpose: str
    reference: str | None
    entry: str = Field(description="Base64 of the exact bytes hashed into the leaf")
    leaf_hash: str
    proof: list[str] = Field(description="RFC 9162 inclusion proof against `checkpoint`")


class AccessReport(BaseModel):
    application_id: str
    checkpoint: str = Field(description="The signed checkpoint (C2SP signed note)")
    size: int
    root_hash: str
    lines: list[AccessLine]


class ExceptionRequest(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    application_id: str = Field(min_length=1, max_length=32)
    hours: int = Field(ge=1, le=24 * 7)
    reason: str = Field(min_length=1, max_length=64, pattern=r"^[a-z][a-z0-9_.:-]*$")


class AccessException(BaseModel):
    exception_id: str
    staff_id: str
    application_id: str
    reason: str
    granted_by: str
    granted_at: str
    expires_at: str


class Alert(BaseModel):
    alert_id: str
    rule: str
    staff_id: str
    username: str | None
    role: str | None
    centre: str | None
    window_start: str
    window_end: str
    count: int
    status: str
    outcome: str | None
    raised_at: str
    entry_indexes: list[int]


class Alerts(BaseModel):
    alerts: list[Alert]


class ScanResult(BaseModel):
    since: str
    until: str
    entries_read: int
    raised: int
    alerts: list[Alert]


class CloseRequest(BaseModel):
    outcome: str = Field(pattern=r"^(explained|referred|false_positive)$")


@router.get("/report/{application_id}", response_model=AccessReport)
def access_report(
    application_id: str,
    staff: Annotated[Staff, Depends(require("access.report"))],
    runtime: RuntimeDep,
    uow: UowDep,
) -> AccessReport:
    """Every access to one application, each line with its inclusion proof (audited)."""
    doc = report.report_for_application(uow, runtime, staff.actor, application_id)
    return AccessReport(**to_json(doc))


@router.post("/exceptions", response_model=AccessException)
def grant_exception(
    body: ExceptionRequest,
    staff: Annotated[Staff, Depends(require("access.exception"))],
    runtime: RuntimeDep,
    uow: UowDep,
) -> AccessException:
    """A supervisor lets one staffer open one application for a few hours (logged)."""
    granted = exceptions.grant(uow, runtime, staff.actor, **body.model_dump())
    return AccessException(**to_json(granted))


@router.get("/alerts", response_model=Alerts)
def list_alerts(
    staff: Annotated[Staff, Depends(require("access.alerts"))],
    runtime: RuntimeDep,
    uow: ReadUowDep,
    status: str = Query(default="open", pattern="^(open|closed)$"),
) -> Alerts:
    found = alerts.queue(uow, runtime, staff.actor, status=status)
    return Alerts(alerts=[Alert(**to_json(a)) for a in found])


@router.post("/alerts/scan", response_model=ScanResult)
def scan_alerts(
    staff: Annotated[Staff, Depends(require("access.alerts"))],
    runtime: RuntimeDep,
    uow: UowDep,
) -> ScanResult:
    """Run the insider-alert rules over the last two days of the log."""
    return ScanResult(**to_json(alerts.scan(uow, runtime, staff.actor)))


@router.post("/alerts/{alert_id}/close", response_model=Alert)
def close_alert(
    alert_id: str,
    body: CloseRequest,
    staff: Annotated[Staff, Depends(require("access.alerts"))],
    runtime: RuntimeDep,
    uow: UowDep,
) -> Alert:
    closed = alerts.close(uow, runtime, staff.actor, alert_id, body.outcome)
    return Alert(**to_json(closed))
