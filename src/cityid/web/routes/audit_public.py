"""Public audit endpoints: anyone may fetch checkpoints and proofs (no personal data)."""

from __future__ import annotations

from fastapi import APIRouter, Query
from fastapi.responses import PlainTextResponse
from pydantic import BaseModel

from cityid.audit import service
from cityid.jsonable import to_json
from cityid.web.deps import ReadUowDep, RuntimeDep

router = APIRouter(prefix="/audit", tags=["audit (public)"])


class InclusionProof(BaseModel):
    index: int
    size: int
    leaf_hash: str
    root_hash: str
    proof: list[str]


class ConsistencyProof(BaseModel):
    old: int
    new: int
    old_root_hash: str
    new_root_hash: str
    proof: list[str]


@router.get("/checkpoint", response_class=PlainTextResponse)
def checkpoint(uow: ReadUowDep) -> PlainTextResponse:
    """The latest signed checkpoint (C2SP tlog-checkpoint in a signed note)."""
    latest = service.require_checkpoint(uow)
    return PlainTextResponse(latest.note, media_type="text/plain; charset=utf-8")


@router.get("/public-key", response_class=PlainTextResponse)
def public_key(runtime: RuntimeDep) -> PlainTextResponse:
    """Signed-note verifier keys for the checkpoints, one per line."""
    return PlainTextResponse("\n".join(service.verifier_keys(runtime)) + "\n")


@router.get("/proof/inclusion", response_model=InclusionProof)
def inclusion(
    runtime: RuntimeDep,
    index: int = Query(ge=0),
    size: int | None = Query(default=None, ge=0),
) -> InclusionProof:
    return InclusionProof(**to_json(service.inclusion_proof(runtime, index, size)))


@router.get("/proof/consistency", response_model=ConsistencyProof)
def consistency(
    runtime: RuntimeDep,
    old: int = Query(ge=0),
    new: int | None = Query(default=None, ge=0),
) -> ConsistencyProof:
    return ConsistencyProof(**to_json(service.consistency_proof(runtime, old, new)))
