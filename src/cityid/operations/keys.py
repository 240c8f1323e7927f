"""Key administration for people: list, rotate, export public keys — audited."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import cbor2

from cityid.audit import log as audit_log
from cityid.crypto.public_keys import cose_key_set, jwk_set
from cityid.errors import BadInput
from cityid.policy.model import Policy
from cityid.runtime import Runtime
from cityid.staff.actor import Actor
from cityid.staff.permissions import authorize
from cityid.store.uow import UnitOfWork
from cityid.vocabulary import ISSUER_PURPOSE, KEYED_HASH_PURPOSES, SIGNING_PURPOSES

RotateKind = Literal["signing", "cohort", "keyed-hash"]


@dataclass(frozen=True, slots=True)
class KeyListed:
    """A key as `cityid keys list` shows it: ids, kinds, purposes, states, dates."""

    key_id: str
    kind: str
    purpose: str
    state: str
    algorithm: str
    created_at: str
    destroyed_at: str | None


@dataclass(frozen=True, slots=True)
class PublicKeysExported:
    file: str
    format: str
    keys: int


def list_keys(runtime: Runtime, actor: Actor) -> list[KeyListed]:
    """Ids, kinds, purposes, states and dates; never material."""
    authorize(runtime.policy, actor, "keys.read")
    return [
        KeyListed(
            key_id=info.key_id,
            kind=info.kind,
            purpose=info.purpose,
            state=info.state,
            algorithm=info.algorithm,
            created_at=info.created_at.isoformat(),
            destroyed_at=info.destroyed_at.isoformat() if info.destroyed_at else None,
        )
        for info in runtime.keystore.list_keys()
    ]


def rotate(
    runtime: Runtime,
    actor: Actor,
    kind: RotateKind,
    *,
    purpose: str | None = None,
    record_class: str | None = None,
    period: str | None = None,
) -> list[str]:
    """Rotate keys of one kind; returns the new key ids. Old public keys stay published."""
    authorize(runtime.policy, actor, "keys.manage")
    keystore = runtime.keystore
    if kind == "signing":
        purposes = [purpose] if purpose else list(SIGNING_PURPOSES)
        new_ids = [keystore.rotate_signing(p) for p in purposes]
    elif kind == "keyed-hash":
        # Matching encodings must be rebuilt after a "match" rotation (cityid matching re-encode).
        purposes = [purpose] if purpose else list(KEYED_HASH_PURPOSES)
        new_ids = [keystore.rotate_keyed_hash(p) for p in purposes]
    elif kind == "cohort":
        if not record_class or not period:
            raise BadInput("--kind cohort needs --record-class and --period (e.g. 2016-12)")
        new_ids = [keystore.rotate_cohort(record_class, period)]
    else:
        raise BadInput("--kind must be signing, cohort or keyed-hash")
    with UnitOfWork(runtime.engine) as uow:
        audit_log.append(uow, actor, f"keys.rotate.{kind}", new_ids, reason="rotation")
        uow.commit()
    return new_ids


def card_lifetime(policy: Policy) -> dt.timedelta:
    """The longest a card can be in force: how long a retired issuer key must verify."""
    years = max(policy.card.adult_validity_years, policy.card.minor_validity_years)
    return dt.timedelta(days=366 * years + 1)


def export_public(runtime: Runtime, out: Path, purpose: str = ISSUER_PURPOSE) -> PublicKeysExported:
    """Issuer public keys as a COSE_KeySet (.cbor) or a JWK Set (.json), for verifiers."""
    import json

    if out.suffix == ".cbor":
        data = cose_key_set(runtime.keystore, purpose)
        out.write_bytes(data)
        count = len(cbor2.loads(data))
        fmt = "cose_key_set"
    elif out.suffix == ".json":
        keys = jwk_set(runtime.keystore, purpose, verify_for=card_lifetime(runtime.policy))
        out.write_text(json.dumps(keys, indent=2), "utf-8")
        count = len(keys["keys"])
        fmt = "jwk_set"
    else:
        raise BadInput("--out must end in .cbor (COSE_KeySet) or .json (JWK Set)")
    return PublicKeysExported(str(out), fmt, count)
