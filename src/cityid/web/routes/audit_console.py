"""The auditors' console page: browse entries, see the latest checkpoint, check a proof."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse

from cityid.audit import service
from cityid.audit.merkle import leaf_hash
from cityid.audit.verify_proofs import verify_inclusion
from cityid.errors import BadInput
from cityid.jsonable import to_json
from cityid.runtime import Runtime
from cityid.store.uow import UnitOfWork
from cityid.web.deps import ReadUowDep, RuntimeDep, Staff, require
from cityid.web.routes.console import render

router = APIRouter(prefix="/console/audit", include_in_schema=False)


def _date(text: str | None, name: str) -> dt.date | None:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise BadInput(f"{name}: use YYYY-MM-DD") from None


@router.get("/", response_class=HTMLResponse)
def audit_page(
    request: Request,
    staff: Annotated[Staff, Depends(require("audit.read"))],
    runtime: RuntimeDep,
    uow: ReadUowDep,
    actor: str | None = Query(default=None, max_length=128),
    action: str | None = Query(default=None, max_length=64),
    record: str | None = Query(default=None, max_length=128),
    since: str | None = Query(default=None, max_length=10),
    until: str | None = Query(default=None, max_length=10),
    proof_index: int | None = Query(default=None, ge=0),
) -> HTMLResponse:
    filters = {"actor": actor, "action": action, "record": record, "since": since, "until": until}
    proof_result = None
    rows = service.entry_page(
        uow,
        actor=actor or None,
        action=action or None,
        target=record or None,
        since=_date(since, "since"),
        until=_date(until, "until"),
    )
    latest = service.latest_checkpoint(uow)
    if proof_index is not None and latest is not None:
        proof_result = _check_proof(runtime, uow, proof_index, latest)
    return render(
        request,
        "console/audit.html",
        staff,
        rows=to_json(rows),
        filters=filters,
        latest=latest,
        proof=proof_result,
        proof_index=proof_index,
    )


def _check_proof(
    runtime: Runtime, uow: UnitOfWork, index: int, latest: service.StoredCheckpoint
) -> dict[str, object]:
    """Prove entry `index` against the latest checkpoint, verifying as a stranger would."""
    if index >= latest.size:
        return {"ok": False, "message": f"entry {index} is not covered by the latest checkpoint"}
    entry = service.entries(uow, index, index + 1)[0]
    import base64

    data = base64.b64decode(entry.leaf)
    proof = service.inclusion_proof(runtime, index, latest.size)
    ok = verify_inclusion(
        leaf_hash(data), index, latest.size, [bytes.fromhex(p) for p in proof.proof], latest.root
    )
    return {
        "ok": ok,
        "message": (
            f"entry {index} is in the log of {latest.size} entries signed at the latest checkpoint"
            if ok
            else f"entry {index} does NOT verify against the latest checkpoint"
        ),
        "proof": proof.proof,
    }
