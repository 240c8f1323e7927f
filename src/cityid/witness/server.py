"""The witness over HTTP (c2sp.org/tlog-witness): a thin door onto `witness.service`.

    POST /add-checkpoint           cosign a checkpoint (200: cosignature lines)
    GET  /<sha256(origin)>/checkpoint  the latest cosigned checkpoint of a log (monitors)
    GET  /                         this witness's verifier key

Refusals answer the spec's status with the app's `{"error": {"code", "message"}}`
body, except 409, whose body is the witness's latest size as `text/x.tlog.size`.
"""

from __future__ import annotations

import logging
import re

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from cityid.audit.witness_protocol import (
    MAX_BODY_BYTES,
    SIZE_MEDIA_TYPE,
    SizeConflict,
    TooLarge,
    format_size,
)
from cityid.errors import CityIdError
from cityid.witness import service
from cityid.witness.store import WitnessStore

log = logging.getLogger("cityid.witness")
NOTE_MEDIA_TYPE = "text/plain; charset=utf-8"
_ORIGIN_HASH = re.compile(r"[0-9a-f]{64}")


def _error(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status)


async def _read_body(request: Request) -> bytes:
    """The body, refusing (413) before reading more than the limit."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise TooLarge(f"an add-checkpoint body is at most {MAX_BODY_BYTES} bytes")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY_BYTES:
            raise TooLarge(f"an add-checkpoint body is at most {MAX_BODY_BYTES} bytes")
    return bytes(body)


def create_app(store: WitnessStore) -> FastAPI:
    verifier_key = service.info(store).verifier_key  # fails at start-up if the dir is bad
    app = FastAPI(title="cityid witness", docs_url=None, redoc_url=None, openapi_url=None)

    @app.exception_handler(CityIdError)
    async def refused(_request: Request, exc: CityIdError) -> Response:
        if exc.http_status == 422:  # a validly signed fork may be evidence: say so
            log.warning("refused a signed checkpoint that does not extend the last one")
        if isinstance(exc, SizeConflict):
            # Exactly this type, without the charset Starlette adds to text/* types.
            headers = {"Content-Type": SIZE_MEDIA_TYPE}
            return Response(format_size(exc.latest_size), 409, headers=headers)
        return _error(exc.http_status, exc.code, exc.message)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_request: Request, exc: StarletteHTTPException) -> Response:
        return _error(exc.status_code, "http", str(exc.detail))

    @app.post("/add-checkpoint")
    async def add_checkpoint(request: Request) -> Response:
        body = await _read_body(request)
        cosigned = await run_in_threadpool(service.add_checkpoint, store, body)
        log.info("cosigned a checkpoint of size %d", cosigned.size)
        return Response(cosigned.lines, 200, media_type=NOTE_MEDIA_TYPE)

    @app.get("/{origin_hash}/checkpoint")
    async def checkpoint(origin_hash: str) -> Response:
        note = (
            await run_in_threadpool(service.latest_checkpoint, store, origin_hash)
            if _ORIGIN_HASH.fullmatch(origin_hash)
            else None
        )
        if note is None:
            return _error(404, "not_found", "this witness has cosigned no checkpoint of that log")
        return PlainTextResponse(note, media_type=NOTE_MEDIA_TYPE)

    @app.get("/")
    async def root() -> Response:
        return PlainTextResponse(verifier_key + "\n")

    return app
