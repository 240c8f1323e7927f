"""The audit log as C2SP tlog-tiles under /log: checkpoint, hash tiles, entry bundles.

Public and read-only. Full tiles never change and are cached for a year; the checkpoint
and partial tiles are cached for a few seconds. Entry bundles are sent gzip-compressed
to clients that accept it, as the spec advises. Errors keep the app's JSON error body.
"""

from __future__ import annotations

import gzip

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from cityid.audit import tile_service
from cityid.errors import CityIdError
from cityid.web.deps import ReadUowDep, RuntimeDep

# Described by the C2SP tlog-tiles specification, not the OpenAPI document (its paths
# are one opaque tile path that only that spec constrains).
router = APIRouter(prefix="/log", tags=["audit log (tlog-tiles)"], include_in_schema=False)

IMMUTABLE = "public, max-age=31536000, immutable"
SHORT_LIVED = "public, max-age=5"
# CORS for /log/ is app-wide (web/cors.py).


def _error(exc: CityIdError) -> Response:
    return JSONResponse(
        {"error": {"code": exc.code, "message": exc.message}},
        status_code=exc.http_status,
        headers={"Cache-Control": "no-store"},
    )


@router.get("/checkpoint", response_class=Response)
def checkpoint(uow: ReadUowDep) -> Response:
    """The latest signed checkpoint (C2SP tlog-checkpoint, signed note)."""
    try:
        note = tile_service.checkpoint_note(uow)
    except CityIdError as exc:
        return _error(exc)
    return Response(
        note.encode("utf-8"),
        media_type="text/plain; charset=utf-8",
        headers={"Cache-Control": SHORT_LIVED},
    )


@router.get("/tile/{rest:path}", response_class=Response)
def tile(rest: str, request: Request, runtime: RuntimeDep) -> Response:
    """`tile/<L>/<N>[.p/<W>]` (hashes) or `tile/entries/<N>[.p/<W>]` (entry bundles)."""
    try:
        resource = tile_service.read_tile(runtime, f"tile/{rest}")
    except CityIdError as exc:
        return _error(exc)
    headers = {"Cache-Control": IMMUTABLE if resource.immutable else SHORT_LIVED}
    data = resource.data
    if rest.startswith("entries/"):
        headers["Vary"] = "Accept-Encoding"
        if _accepts_gzip(request.headers.get("accept-encoding", "")):
            data = gzip.compress(data, mtime=0)
            headers["Content-Encoding"] = "gzip"
    return Response(data, media_type="application/octet-stream", headers=headers)


def _accepts_gzip(accept_encoding: str) -> bool:
    """Whether `gzip` (or `*`) is acceptable, with a q-value above zero (RFC 9110 12.5.3)."""
    qualities: dict[str, float] = {}
    for item in accept_encoding.split(","):
        name, *params = (part.strip() for part in item.split(";"))
        quality = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        qualities[name.lower()] = quality
    return qualities.get("gzip", qualities.get("*", 0.0)) > 0
