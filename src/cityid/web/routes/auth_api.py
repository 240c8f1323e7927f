"""API authentication: exchange a staff password for a bearer token; revoke it."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field

from cityid.operations import accounts
from cityid.web.deps import RuntimeDep, StaffDep, UowDep

router = APIRouter(prefix="/api/v1", tags=["auth"])


class TokenRequest(BaseModel):
    username: str = Field(max_length=64)
    password: str = Field(max_length=1024)
    label: str = Field(default="api client", max_length=100)


class TokenIssued(BaseModel):
    token_id: str
    token: str
    role: str


@router.post("/tokens", response_model=TokenIssued)
def issue_token(
    body: TokenRequest,
    runtime: RuntimeDep,
    uow: UowDep,
) -> TokenIssued:
    """A bearer token for an API client; shown once, stored only as a hash."""
    actor = accounts.authenticate(uow, runtime.policy, body.username, body.password)
    token_id, secret = accounts.issue_api_token(uow, runtime.policy, actor, body.label)
    return TokenIssued(token_id=token_id, token=secret, role=actor.role or "system")


@router.delete("/tokens/{token_id}", status_code=204)
def revoke_token(
    token_id: str,
    staff: StaffDep,
    runtime: RuntimeDep,
    uow: UowDep,
) -> None:
    accounts.revoke_api_token(uow, runtime.policy, staff.actor, token_id)


class Me(BaseModel):
    user_id: str
    username: str
    role: str | None


@router.get("/me", response_model=Me)
def whoami(staff: StaffDep) -> Me:
    return Me(user_id=staff.actor.user_id, username=staff.actor.username, role=staff.actor.role)
