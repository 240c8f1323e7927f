"""The verifier pack for offline verifiers: keys, every status list, the latest checkpoint."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from cityid.cards import verifier_pack_service
from cityid.cards.verifier_pack import MEDIA_TYPE
from cityid.web.deps import ReadUowDep, RuntimeDep

router = APIRouter(tags=["cards (public)"])


@router.get("/.well-known/cityid/verifier-pack", responses={200: {"content": {MEDIA_TYPE: {}}}})
def verifier_pack(runtime: RuntimeDep, uow: ReadUowDep) -> Response:
    """One signed file (COSE_Sign1) to download daily and verify cards with offline."""
    built = verifier_pack_service.build(runtime, uow)
    # As for status lists: caches may keep it a short while only, so revocations reach
    # verifiers soon. Any site may fetch it (it is public and signed).
    max_age = min(300, built.ttl_seconds)
    return Response(
        built.data,
        media_type=MEDIA_TYPE,
        headers={"Cache-Control": f"public, max-age={max_age}"},
    )
