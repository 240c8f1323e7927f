"""The staff JSON API for cards: the same operations as `cityid card ...`."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response
from pydantic import BaseModel, Field

from cityid.cards import issuing, service, status_changes
from cityid.jsonable import to_json
from cityid.runtime import Runtime
from cityid.store.uow import UnitOfWork
from cityid.web.deps import RuntimeDep, Staff, UowDep, require

router = APIRouter(prefix="/api/v1/cards", tags=["cards"])


class IssueRequest(BaseModel):
    application_id: str = Field(min_length=1, max_length=32)


class IssuedCard(BaseModel):
    card_number: str
    application_id: str
    expires: str
    status_index: int
    status_list: int
    card_id: str


class ReplacedCard(IssuedCard):
    replaces: str
    fee_cents: int
    fee_waived: bool


class CardView(BaseModel):
    card_id: str
    card_number: str
    application_id: str
    status: str
    issued_on: str
    expires: str
    status_list: int
    status_index: int
    signing_key_id: str
    previous_card_id: str | None
    due_on: str


class StatusChange(BaseModel):
    reason: str = Field(min_length=1, max_length=2000, description="Kept in the card's history")
    reason_code: str | None = Field(
        default=None, pattern=r"^[a-z][a-z0-9_.:-]{0,63}$", description="For the audit log"
    )


class StatusChanged(BaseModel):
    card_number: str
    status: str
    previous_status: str


class ReplaceRequest(BaseModel):
    reason: Literal["lost", "stolen", "damaged"]
    note: str | None = Field(default=None, max_length=2000)
    fee_waived: bool = False


class RenewRequest(BaseModel):
    application_id: str = Field(min_length=1, max_length=32)


class CardQr(BaseModel):
    card_number: str
    qr: str


@router.post("", response_model=IssuedCard, status_code=201)
def issue_card(
    body: IssueRequest,
    staff: Annotated[Staff, Depends(require("card.issue"))],
    runtime: RuntimeDep,
    uow: UowDep,
) -> IssuedCard:
    issued = issuing.issue(uow, runtime, staff.actor, body.application_id)
    return IssuedCard(**to_json(issued))


@router.get("/{card_number}", response_model=CardView)
def show_card(
    card_number: str,
    staff: Annotated[Staff, Depends(require("card.read"))],
    runtime: RuntimeDep,
    uow: UowDep,
) -> CardView:
    card = service.get_card(uow, runtime, staff.actor, card_number)
    return CardView(**to_json(card.shown(runtime.today())))


@router.get("/{card_number}/qr", response_model=CardQr)
def card_qr(
    card_number: str,
    staff: Annotated[Staff, Depends(require("card.read"))],
    runtime: RuntimeDep,
    uow: UowDep,
) -> CardQr:
    result = service.credential_qr(uow, runtime, staff.actor, card_number)
    return CardQr(**result)


@router.get(
    "/{card_number}/render",
    responses={200: {"content": {"image/png": {}, "application/pdf": {}}}},
)
def render_card(
    card_number: str,
    staff: Annotated[Staff, Depends(require("card.read"))],
    runtime: RuntimeDep,
    uow: UowDep,
    format: Literal["png", "pdf"] = Query(default="pdf"),
    side: Literal["front", "back"] = Query(default="front"),
) -> Response:
    data = service.render(uow, runtime, staff.actor, card_number, kind=format, side=side)
    media = "application/pdf" if format == "pdf" else "image/png"
    name = f"card-{card_number}{'' if format == 'pdf' else '-' + side}.{format}"
    return Response(
        data, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


def _change(
    change: Literal["revoke", "suspend", "reinstate"],
    card_number: str,
    body: StatusChange,
    staff: Staff,
    runtime: Runtime,
    uow: UnitOfWork,
) -> StatusChanged:
    result = status_changes.change_status(
        uow, runtime, staff.actor, card_number, change, body.reason, reason_code=body.reason_code
    )
    return StatusChanged(**to_json(result))


@router.post("/{card_number}/revoke", response_model=StatusChanged)
def revoke_card(
    card_number: str,
    body: StatusChange,
    staff: Annotated[Staff, Depends(require("card.manage"))],
    runtime: RuntimeDep,
    uow: UowDep,
) -> StatusChanged:
    return _change("revoke", card_number, body, staff, runtime, uow)


@router.post("/{card_number}/suspend", response_model=StatusChanged)
def suspend_card(
    card_number: str,
    body: StatusChange,
    staff: Annotated[Staff, Depends(require("card.manage"))],
    runtime: RuntimeDep,
    uow: UowDep,
) -> StatusChanged:
    return _change("suspend", card_number, body, staff, runtime, uow)


@router.post("/{card_number}/reinstate", response_model=StatusChanged)
def reinstate_card(
    card_number: str,
    body: StatusChange,
    staff: Annotated[Staff, Depends(require("card.manage"))],
    runtime: RuntimeDep,
    uow: UowDep,
) -> StatusChanged:
    return _change("reinstate", card_number, body, staff, runtime, uow)


@router.post("/{card_number}/replace", response_model=ReplacedCard, status_code=201)
def replace_card(
    card_number: str,
    body: ReplaceRequest,
    staff: Annotated[Staff, Depends(require("card.manage"))],
    runtime: RuntimeDep,
    uow: UowDep,
) -> ReplacedCard:
    result = issuing.replace(
        uow, runtime, staff.actor, card_number,
        reason=body.reason, note=body.note, fee_waived=body.fee_waived,
    )  # fmt: skip
    return ReplacedCard(**to_json(result))


@router.post("/{card_number}/renew", response_model=IssuedCard, status_code=201)
def renew_card(
    card_number: str,
    body: RenewRequest,
    staff: Annotated[Staff, Depends(require("card.issue"))],
    runtime: RuntimeDep,
    uow: UowDep,
) -> IssuedCard:
    result = issuing.renew(uow, runtime, staff.actor, card_number, body.application_id)
    return IssuedCard(**to_json(result))
