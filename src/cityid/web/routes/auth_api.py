"""API authentication: exchange a staff password for a bearer token; revoke it."""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from cityid.errors import Unauthenticated
from cityid.operations import accounts, second_factor
from cityid.web.deps import RuntimeDep, StaffDep, UowDep, client_address

router = APIRouter(prefix="/api/v1", tags=["auth"])


class TokenRequest(BaseModel):
    username: str = Field(max_length=64)
    password: str = Field(max_length=1024)
    label: str = Field(default="api client", max_length=100)
    second_factor: str | None = Field(
        default=None,
        max_length=32,
        description="A current TOTP code or an unused recovery code: required when the"
        " account has two-step sign-in on.",
    )


class TokenIssued(BaseModel):
    token_id: str
    token: str
    role: str


@router.post("/tokens", response_model=TokenIssued)
def issue_token(
    body: TokenRequest,
    request: Request,
    runtime: RuntimeDep,
    uow: UowDep,
) -> TokenIssued:
    """A bearer token for an API client; shown once, stored only as a hash.

    An account with two-step sign-in on must send its code too: a password alone never
    buys a token for it. An account whose role requires it gets no token until it has
    set it up in the console.
    """
    client = client_address(request)
    actor = accounts.authenticate(uow, runtime.policy, body.username, body.password, client)
    if not second_factor.has_second_factor(uow, actor.user_id):
        if second_factor.required_for(runtime.policy, actor):
            raise Unauthenticated(
                "this account's role needs two-step sign-in: set it up in the console first"
            )
    else:
        if not body.second_factor:
            raise Unauthenticated("this account needs its second-factor code (second_factor)")
        second_factor.check_second_factor(
            uow, runtime.keystore, runtime.policy, actor, body.second_factor, client
        )
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
