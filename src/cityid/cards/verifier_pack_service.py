"""The verifier pack from this program's keystore and database (see cards.verifier_pack).

Every list is built and signed at the pack's own `issued_at` with the policy's status list
ttl, which is also the pack's ttl: the pack and the lists inside go stale together.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from cityid.audit import service as audit_service
from cityid.cards import status_service
from cityid.cards.status_service import ISSUER_PURPOSE
from cityid.cards.verifier_pack import KeyValidity, pack_claims, sign_pack
from cityid.crypto.public_keys import cose_key_set
from cityid.runtime import Runtime
from cityid.store.uow import UnitOfWork


@dataclass(frozen=True)
class BuiltPack:
    data: bytes
    issued_at: dt.datetime
    ttl_seconds: int
    status_lists: tuple[int, ...]
    key_ids: tuple[str, ...]
    checkpoint_size: int | None


def key_validity(runtime: Runtime) -> list[KeyValidity]:
    """From when each exported issuer key signs; the keystore records no end date."""
    exported = {k.key_id: k.state for k in runtime.keystore.public_keys(ISSUER_PURPOSE)}
    return [
        KeyValidity(key_id=info.key_id, not_before=info.created_at, state=exported[info.key_id])
        for info in runtime.keystore.list_keys()
        if info.key_id in exported
    ]


def build(runtime: Runtime, uow: UnitOfWork, *, now: dt.datetime | None = None) -> BuiltPack:
    """Sign a pack of the issuer keys, every status list and the latest checkpoint."""
    now = (now or dt.datetime.now(dt.UTC)).replace(microsecond=0)
    signer = runtime.keystore.signer(ISSUER_PURPOSE)  # first, so a new key is in the set
    ttl = runtime.policy.card.status_list_ttl_seconds
    numbers = status_service.list_numbers(uow)
    tokens = [status_service.signed_token(runtime, uow, n, now=now) for n in numbers]
    checkpoint = audit_service.latest_checkpoint(uow)
    validity = key_validity(runtime)
    claims = pack_claims(
        issuer=runtime.policy.program.issuer_uri,
        issued_at=now,
        ttl_seconds=ttl,
        key_set=cose_key_set(runtime.keystore, ISSUER_PURPOSE),
        validity=validity,
        status_lists=tokens,
        checkpoint=checkpoint.note if checkpoint is not None else None,
    )
    return BuiltPack(
        data=sign_pack(claims, signer),
        issued_at=now,
        ttl_seconds=ttl,
        status_lists=tuple(numbers),
        key_ids=tuple(v.key_id for v in validity),
        checkpoint_size=checkpoint.size if checkpoint is not None else None,
    )
