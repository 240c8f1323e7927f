"""The enrollment JSON API under /api/v1/applications: intake, read, decide, search."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Header, Request
from pydantic import BaseModel, Field

from cityid.enrollment import lookup, service, transitions
from cityid.enrollment.applicant import Applicant
from cityid.jsonable import to_json
from cityid.runtime import Runtime
from cityid.store.uow import UnitOfWork
from cityid.web.deps import RuntimeDep, Staff, UowDep, require
from cityid.web.purpose import PurposeDep

router = APIRouter(prefix="/api/v1/applications", tags=["applications"])


class IntakeBody(Applicant):
    """An applicant as INTERFACE.md's applicant lines carry them, plus the type."""

    application_type: Literal["new", "renewal", "replacement", "update"] = "new"
    previous_application_id: str | None = Field(default=None, max_length=32)


class Flag(BaseModel):
    kind: str
    of: str | None = None
    score: float | None = None


class Points(BaseModel):
    identity: int
    residency: int
    total: int


class IntakeResult(BaseModel):
    application_id: str | None = Field(description="None when the applicant is not eligible")
    reference: str | None = Field(description="What the applicant checks their status with")
    status: Literal["submitted", "flagged", "rejected"]
    flags: list[Flag]
    reasons: list[str] = Field(description="Why not eligible, in sentences to read out")
    notes: list[str]
    points: Points


class DocumentShown(BaseModel):
    type: str
    points: int
    copy_: Literal["retained", "not_retained", "destroyed"] = Field(alias="copy")
    issuing_country: str | None = None
    outcome: str | None = None

    model_config = {"populate_by_name": True}


class ApplicationView(BaseModel):
    application_id: str
    reference: str
    status: str
    type: str
    centre: str | None
    enrolled_on: dt.date
    previous_application_id: str | None
    applicant: dict[str, Any]
    points: Points
    flags: list[Flag]
    notes: list[str]
    documents: list[DocumentShown]


class ApplicationSummary(BaseModel):
    application_id: str
    status: str
    type: str
    centre: str | None
    enrolled_on: dt.date
    created_at: dt.datetime
    total_points: int
    flags: list[Flag]


class SearchResult(BaseModel):
    applications: list[ApplicationSummary]


class DecisionBody(BaseModel):
    reason: str | None = Field(default=None, max_length=2000)


class DecisionResult(BaseModel):
    application_id: str
    status: str
    previous_status: str


class StatusCheckBody(BaseModel):
    reference: str = Field(max_length=20)
    date_of_birth: dt.date


class StatusCheckResult(BaseModel):
    reference: str
    status: str


@router.post("", response_model=IntakeResult, status_code=200)
def create_application(
    request: Request,
    body: IntakeBody,
    staff: Annotated[Staff, Depends(require("application.create"))],
    runtime: RuntimeDep,
    uow: UowDep,
    idempotency_key: Annotated[
        str | None,
        Header(description="Send the same key again to retry safely: the first answer returns"),
    ] = None,
) -> IntakeResult:
    """Take an application in. Ineligible applicants get reasons and nothing is stored."""
    outcome = service.intake_once(
        uow, runtime, staff.actor, body.model_dump(mode="json"), idempotency_key=idempotency_key
    )
    return IntakeResult(
        application_id=outcome.application_id,
        reference=outcome.reference,
        status=outcome.status,  # type: ignore[arg-type]
        flags=[Flag(**f) for f in outcome.flags],
        reasons=outcome.reasons,
        notes=outcome.notes,
        points=Points(
            identity=outcome.identity_points,
            residency=outcome.residency_points,
            total=outcome.total_points,
        ),
    )


class SearchBody(BaseModel):
    family_name: str = Field(max_length=100)
    given_name: str = Field(default="", max_length=100)
    date_of_birth: dt.date


# A POST, so names and dates of birth never stand in a URL (proxies and logs keep URLs).
@router.post("/search", response_model=SearchResult)
def search_applications(
    body: SearchBody,
    request: Request,
    staff: Annotated[Staff, Depends(require("application.read"))],
    runtime: RuntimeDep,
    uow: UowDep,
    purpose: PurposeDep,
) -> SearchResult:
    """Exact name and date of birth, through the keyed blind index, at most the policy's
    number of results and rate-limited per staffer. Needs a `purpose`. Audited."""
    found = lookup.search(
        uow,
        runtime,
        staff.actor,
        body.family_name,
        body.given_name,
        body.date_of_birth,
        purpose=purpose,
    )
    return SearchResult(applications=[ApplicationSummary(**to_json(row)) for row in found])


@router.post("/status-check", response_model=StatusCheckResult)
def check_status(
    body: StatusCheckBody,
    runtime: RuntimeDep,
    uow: UowDep,
) -> StatusCheckResult:
    """For applicants (no sign-in): the status of the application with this reference."""
    result = lookup.status_check(uow, runtime, body.reference, body.date_of_birth)
    return StatusCheckResult(**result)


@router.get("/{application_id}", response_model=ApplicationView)
def read_application(
    application_id: str,
    staff: Annotated[Staff, Depends(require("application.read"))],
    runtime: RuntimeDep,
    uow: UowDep,
    purpose: PurposeDep,
) -> ApplicationView:
    """The application, decrypted for the caller, if the `purpose` is given and the record
    is in the caller's scope (role, centre). Audited. 410 when its keys are destroyed."""
    shown = lookup.show(uow, runtime, staff.actor, application_id, purpose=purpose, documents=True)
    return ApplicationView(**to_json(shown))


def _decide(
    action: str,
    application_id: str,
    body: DecisionBody,
    staff: Staff,
    runtime: Runtime,
    uow: UnitOfWork,
    request: Request,
) -> DecisionResult:
    move = {
        "approve": transitions.approve, "reject": transitions.reject,
        "withdraw": transitions.withdraw,
    }  # fmt: skip
    result = move[action](uow, runtime, staff.actor, application_id, body.reason)
    return DecisionResult(**to_json(result))


@router.post("/{application_id}/approve", response_model=DecisionResult)
def approve_application(
    application_id: str,
    body: DecisionBody,
    request: Request,
    staff: Annotated[Staff, Depends(require("application.decide"))],
    runtime: RuntimeDep,
    uow: UowDep,
) -> DecisionResult:
    return _decide("approve", application_id, body, staff, runtime, uow, request)


@router.post("/{application_id}/reject", response_model=DecisionResult)
def reject_application(
    application_id: str,
    body: DecisionBody,
    request: Request,
    staff: Annotated[Staff, Depends(require("application.decide"))],
    runtime: RuntimeDep,
    uow: UowDep,
) -> DecisionResult:
    return _decide("reject", application_id, body, staff, runtime, uow, request)


@router.post("/{application_id}/withdraw", response_model=DecisionResult)
def withdraw_application(
    application_id: str,
    body: DecisionBody,
    request: Request,
    staff: Annotated[Staff, Depends(require("application.withdraw"))],
    runtime: RuntimeDep,
    uow: UowDep,
) -> DecisionResult:
    return _decide("withdraw", application_id, body, staff, runtime, uow, request)
