"""Liveness and readiness for load balancers and `make run`."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from cityid.errors import CityIdError
from cityid.store import migrate
from cityid.store.engine import check_database
from cityid.web.deps import RuntimeDep

router = APIRouter(tags=["health"])


@router.get("/healthz")
def healthz() -> dict[str, str]:
    """The process answers."""
    return {"status": "ok"}


class Readiness(BaseModel):
    ready: bool
    checks: dict[str, str]


@router.get(
    "/readyz",
    response_model=Readiness,
    responses={503: {"model": Readiness, "description": "Not ready: `checks` says what is not"}},
)
def readyz(runtime: RuntimeDep) -> JSONResponse:
    """The database answers at the schema's head and the keystore opens."""
    checks: dict[str, str] = {}
    try:
        check_database(runtime.engine)
        checks["database"] = "ok" if migrate.is_at_head(runtime.engine) else "needs migration"
    except CityIdError as exc:
        checks["database"] = exc.message
    try:
        runtime.keystore.list_keys()
        checks["keystore"] = "ok"
    except CityIdError as exc:
        checks["keystore"] = exc.message
    ready = all(value == "ok" for value in checks.values())
    return JSONResponse({"ready": ready, "checks": checks}, status_code=200 if ready else 503)
