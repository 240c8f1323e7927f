"""Public card endpoints, no login: issuer keys, status lists, and the verifier.

The /verify page reads the QR code in the clerk's browser (jsQR, vendored), so the
card's picture never leaves the device; only the QR text is sent to /api/v1/verify.
Without JavaScript the form posts the picture and the server reads it with zxing-cpp.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Form, Path, Request, UploadFile
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import BaseModel, Field

from cityid.bootstrap import PUBLIC_VERIFY_LIMITER
from cityid.cards import service, status_service, verify_inputs
from cityid.cards.rate_limit import TokenBuckets
from cityid.cards.status_list import JWT_MEDIA_TYPE
from cityid.cards.status_list import MEDIA_TYPE as STATUS_LIST_MEDIA_TYPE
from cityid.cards.verify import PURPOSES, VerificationResult
from cityid.crypto import cose_key_set, jwk_set
from cityid.errors import BadInput, CityIdError
from cityid.operations.keys import card_lifetime
from cityid.runtime import Runtime
from cityid.store.uow import UnitOfWork
from cityid.web.deps import ReadUowDep, RuntimeDep
from cityid.web.negotiation import choose
from cityid.web.public_pages import render_public
from cityid.web.verify_view import page_text, present

router = APIRouter(tags=["cards (public)"])

COSE_KEY_SET_MEDIA_TYPE = "application/cose-key-set"
JWK_SET_MEDIA_TYPE = "application/jwk-set+json"
_KEY_SET_MEDIA_TYPES = (COSE_KEY_SET_MEDIA_TYPE, JWK_SET_MEDIA_TYPE, "application/json")
MAX_IMAGE_BYTES = 8 * 1024 * 1024


class VerifyRequest(BaseModel):
    qr: str = Field(min_length=1, max_length=8000, description="The QR text (base45)")
    purpose: Literal["identity", "age", "residency"] = "identity"


class VerifyResponse(BaseModel):
    result: Literal[
        "valid", "expired", "not_yet_valid", "revoked", "suspended", "bad_signature",
        "unknown_key", "malformed", "status_unknown",
    ]  # fmt: skip
    claims: dict[str, Any]
    status_checked: bool
    status_stale: bool
    message: str | None = Field(default=None, description="Why, for every answer but valid")


def _limiter(runtime: Runtime) -> TokenBuckets:
    return runtime.services.get(PUBLIC_VERIFY_LIMITER)


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _verify(runtime: Runtime, uow: UnitOfWork, qr: str, purpose: str) -> VerificationResult:
    return service.verify_here(runtime, uow, qr, purpose)  # type: ignore[arg-type]


# The form depends on Accept (CORS for these paths is web/cors.py's, app-wide).
_PUBLIC = {"Vary": "Accept"}


@router.get(
    "/.well-known/cityid/keys",
    responses={
        200: {"content": {m: {} for m in _KEY_SET_MEDIA_TYPES}},
        406: {"description": "None of the forms offered fits the Accept header"},
    },
)
def issuer_keys(request: Request, runtime: RuntimeDep) -> Response:
    """The card issuer's public keys, current and retired: a COSE_KeySet, or a JWK Set
    (with each key's validity) on `Accept: application/jwk-set+json` or `application/json`."""
    media = choose(request.headers.get("accept"), _KEY_SET_MEDIA_TYPES)
    headers = _PUBLIC | {"Cache-Control": "public, max-age=3600"}
    if media == COSE_KEY_SET_MEDIA_TYPE:
        return Response(cose_key_set(runtime.keystore), media_type=media, headers=headers)
    document = jwk_set(runtime.keystore, verify_for=card_lifetime(runtime.policy))
    return JSONResponse(document, media_type=media, headers=headers)


@router.get(
    "/status-lists/{list_number}",
    responses={
        200: {"content": {STATUS_LIST_MEDIA_TYPE: {}, JWT_MEDIA_TYPE: {}}},
        404: {"description": "No such status list"},
        406: {"description": "None of the offered media types is acceptable"},
    },
)
def status_list(
    request: Request,
    runtime: RuntimeDep,
    uow: ReadUowDep,
    list_number: int = Path(ge=0, le=2**31 - 1),
) -> Response:
    """A signed status list token (IETF Token Status List), built just now: CWT form, or
    the JWT form on `Accept: application/statuslist+jwt`. Its `sub` is this URL."""
    media = choose(request.headers.get("accept"), [STATUS_LIST_MEDIA_TYPE, JWT_MEDIA_TYPE])
    if media == JWT_MEDIA_TYPE:
        body: bytes = status_service.signed_jwt(runtime, uow, list_number).encode("ascii")
    else:
        body = status_service.signed_token(runtime, uow, list_number)
    # Caches may keep it a short while only: a revocation must reach verifiers soon.
    max_age = min(300, runtime.policy.card.status_list_ttl_seconds)
    headers = _PUBLIC | {"Cache-Control": f"public, max-age={max_age}"}
    return Response(body, media_type=media, headers=headers)


@router.post("/api/v1/verify", response_model=VerifyResponse)
def verify_api(
    body: VerifyRequest, request: Request, runtime: RuntimeDep, uow: ReadUowDep
) -> VerifyResponse:
    """Check a card's QR text. Public and rate limited per client address."""
    _limiter(runtime).take(_client(request))
    outcome = _verify(runtime, uow, body.qr, body.purpose)
    return VerifyResponse(**outcome.to_json())


def _verify_page(request: Request, runtime: Runtime, **context: Any) -> HTMLResponse:
    return render_public(
        request,
        "public/verify.html",
        picker_action="/verify",
        purposes=PURPOSES,
        verify_text=page_text(runtime.policy),
        **context,
    )


@router.get("/verify", response_class=HTMLResponse, include_in_schema=False)
def verify_page(request: Request, runtime: RuntimeDep) -> HTMLResponse:
    return _verify_page(request, runtime, shown=None)


@router.post("/verify", response_class=HTMLResponse, include_in_schema=False)
def verify_upload(
    request: Request,
    image: Annotated[UploadFile, File()],
    runtime: RuntimeDep,
    uow: ReadUowDep,
    purpose: Annotated[str, Form(max_length=16)] = "identity",
) -> HTMLResponse:
    """The page without JavaScript: the picture is read on the server, then forgotten."""
    _limiter(runtime).take(_client(request))
    if purpose not in PURPOSES:
        raise BadInput("purpose: identity, age or residency")
    data = image.file.read(MAX_IMAGE_BYTES + 1)
    error = None
    shown = None
    try:
        if len(data) > MAX_IMAGE_BYTES:
            raise BadInput("the picture is too large")
        qr = verify_inputs.qr_text_from_image(data)
        shown = present(_verify(runtime, uow, qr, purpose).to_json(), runtime.policy)
    except CityIdError as exc:
        error = exc.message
    return _verify_page(
        request,
        runtime,
        purpose=purpose,
        shown=shown,
        error=error,
        checked_at=dt.datetime.now(dt.UTC).strftime("%H:%M UTC"),
    )
