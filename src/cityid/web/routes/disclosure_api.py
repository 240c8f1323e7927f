"""The disclosure JSON API under /api/v1/disclosure/requests: file, list, read, decide, release."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field

from cityid.disclosure import decisions, filing, release, requests
from cityid.jsonable import to_json
from cityid.vocabulary import Instrument, RequesterKind
from cityid.web.deps import RuntimeDep, Staff, UowDep, require

DecisionName = Literal["granted", "partially_granted", "denied", "no_records"]

router = APIRouter(prefix="/api/v1/disclosure/requests", tags=["disclosure"])


class FileBody(BaseModel):
    requester_kind: RequesterKind
    instrument: Instrument
    scope: dict[str, Any] = Field(
        description='{"application_ids": [...], "fields": [...], "from", "to"} or '
        '{"aggregate": true}'
    )
    requester: str | None = Field(default=None, max_length=300)
    docket: str | None = Field(default=None, max_length=64)
    identity_checked: bool = False
    court_forbids_notice: bool = False
    received_on: dt.date | None = None


class Proposed(BaseModel):
    request_id: str
    decision: DecisionName
    rule: str
    status: str
    counsel_review: bool
    description: str
    notes: list[str]
    fields: list[str]
    respond_by: str


class DecideBody(BaseModel):
    override: DecisionName | None = None
    reason: str | None = Field(default=None, max_length=requests.MAX_REASON_CHARS)
    fields: list[str] | None = None


class Decided(BaseModel):
    request_id: str
    decision: DecisionName
    rule: str
    overridden: bool
    fields: list[str]
    notices: int


class RequestSummary(BaseModel):
    request_id: str
    received_on: str
    respond_by: str
    requester_kind: str
    instrument: str
    scope_kind: str
    status: str
    proposed_decision: str
    decision: str | None
    rule: str
    overridden: bool
    court_forbids_notice: bool


class RequestList(BaseModel):
    requests: list[RequestSummary]


@router.post("", response_model=Proposed)
def file_request(
    body: FileBody,
    request: Request,
    staff: Annotated[Staff, Depends(require("disclosure.file"))],
    runtime: RuntimeDep,
    uow: UowDep,
) -> dict[str, Any]:
    """File a request; the answer is the rules' proposal and the rule that made it."""
    result = filing.file_request(uow, runtime, staff.actor, **body.model_dump())
    return to_json(result)


@router.get("", response_model=RequestList)
def list_requests(
    staff: Annotated[Staff, Depends(require("disclosure.read"))],
    runtime: RuntimeDep,
    uow: UowDep,
    status: Literal["open", "decided"] | None = None,
) -> dict[str, Any]:
    return {"requests": to_json(requests.list_requests(uow, runtime, staff.actor, status=status))}


@router.get("/{request_id}")
def read_request(
    request_id: str,
    staff: Annotated[Staff, Depends(require("disclosure.read"))],
    runtime: RuntimeDep,
    uow: UowDep,
) -> dict[str, Any]:
    """The whole request for counsel (audited)."""
    shown = requests.show(uow, runtime, staff.actor, request_id)
    return to_json(shown)


@router.post("/{request_id}/decision", response_model=Decided)
def decide(
    request_id: str,
    body: DecideBody,
    request: Request,
    staff: Annotated[Staff, Depends(require("disclosure.decide"))],
    runtime: RuntimeDep,
    uow: UowDep,
) -> dict[str, Any]:
    """Counsel confirms the proposal, or overrides it with a written reason."""
    result = decisions.decide(
        uow, runtime, staff.actor, request_id,
        override=body.override, reason=body.reason, fields=body.fields,
    )  # fmt: skip
    return to_json(result)


@router.get("/{request_id}/package")
def package(
    request_id: str,
    staff: Annotated[Staff, Depends(require("disclosure.release"))],
    runtime: RuntimeDep,
    uow: UowDep,
) -> dict[str, Any]:
    """The release package (JSON): only the granted fields; audited."""
    built = release.build_package(uow, runtime, staff.actor, request_id)
    return built
