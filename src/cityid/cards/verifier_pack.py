"""The verifier pack: one signed file a verifier downloads once a day, then checks offline.

    18([ {1: -8, 4: kid, 16: "application/cityid-verifier-pack+cwt"}, {}, payload, sig ])
    payload = {1 iss, 6 iat, 4 exp, 65534 ttl (seconds), "version": 1,
               "keys": COSE_KeySet bytes,
               "key_validity": {kid: {"not_before": seconds, "not_after"?: seconds,
                                      "state": "active" | "retired"}},
               "status_lists": [status list token, ...]   (application/statuslist+cwt),
               "checkpoint": the audit log's latest signed checkpoint (text) or null}

Trust. A pack cannot vouch for itself: it is only read when its signature verifies under
a key the verifier already trusts (`anchor`: the issuer key set it pinned, e.g. the keys
file given as `--keys`). Only then do the keys it carries (the issuer's current set,
rotated keys included) verify cards and its status lists. A pack past `exp` is refused;
past `ttl` it is still used, and answers say `status_stale`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from cityid.cards.cwt import (
    CBOR_ARRAYS,
    CBOR_MAPS,
    TYPE_HEADER,
    MalformedToken,
    decode_claims,
    decode_signed,
    sign_cwt,
)
from cityid.cards.keys import BadKeySet, IssuerKeys
from cityid.cards.status_list import (
    StatusListRejected,
    VerifiedStatusList,
    verify_status_list_token,
)
from cityid.cards.verify import Verifier
from cityid.crypto.interfaces import Signer
from cityid.errors import Refused

MEDIA_TYPE = "application/cityid-verifier-pack+cwt"
VERSION = 1
CLAIM_ISS, CLAIM_EXP, CLAIM_IAT, CLAIM_TTL = 1, 4, 6, 65534
VALID_FOR = dt.timedelta(days=7)  # as long as the status lists inside stay trusted


class PackRejected(Refused):
    """A pack that cannot be trusted (corrupt, untrusted signer, expired): never used."""

    code = "verifier_pack_rejected"


@dataclass(frozen=True)
class KeyValidity:
    """What the keystore knows of a key's life; `not_after` only once it is known."""

    key_id: str
    not_before: dt.datetime
    state: str
    not_after: dt.datetime | None = None

    def to_cbor(self) -> dict[str, Any]:
        out: dict[str, Any] = {"not_before": int(self.not_before.timestamp()), "state": self.state}
        if self.not_after is not None:
            out["not_after"] = int(self.not_after.timestamp())
        return out

    def to_json(self) -> dict[str, Any]:
        return {
            "key_id": self.key_id,
            "not_before": self.not_before.isoformat(),
            "not_after": self.not_after.isoformat() if self.not_after else None,
            "state": self.state,
        }


def pack_claims(
    *,
    issuer: str,
    issued_at: dt.datetime,
    ttl_seconds: int,
    key_set: bytes,
    validity: Iterable[KeyValidity],
    status_lists: Iterable[bytes],
    checkpoint: str | None,
    valid_for: dt.timedelta = VALID_FOR,
) -> dict[Any, Any]:
    """The pack's payload, ready to sign."""
    return {
        CLAIM_ISS: issuer,
        CLAIM_IAT: int(issued_at.timestamp()),
        CLAIM_EXP: int((issued_at + valid_for).timestamp()),
        CLAIM_TTL: ttl_seconds,
        "version": VERSION,
        "keys": key_set,
        "key_validity": {v.key_id: v.to_cbor() for v in validity},
        "status_lists": list(status_lists),
        "checkpoint": checkpoint,
    }


def sign_pack(claims: Mapping[Any, Any], signer: Signer) -> bytes:
    """COSE_Sign1 (tag 18) over the payload, typ application/cityid-verifier-pack+cwt."""
    return sign_cwt(claims, signer, extra_protected={TYPE_HEADER: MEDIA_TYPE})


@dataclass(frozen=True)
class VerifierPack:
    """A pack whose signature verified under a trusted key; its lists verified too."""

    issuer: str
    issued_at: dt.datetime
    expires_at: dt.datetime
    ttl_seconds: int
    signed_by: str
    keys: IssuerKeys
    key_validity: tuple[KeyValidity, ...]
    status_lists: tuple[VerifiedStatusList, ...]
    checkpoint: str | None

    def is_stale(self, now: dt.datetime) -> bool:
        """Past its ttl: still usable until `exp`, but time to download a fresh one."""
        return now >= self.issued_at + dt.timedelta(seconds=self.ttl_seconds)

    def verifier(
        self, now: dt.datetime, extra_lists: Iterable[bytes] = (), *, require_status: bool = True
    ) -> Verifier:
        """A Verifier with the pack's keys and lists (plus any other list tokens given)."""
        lists: list[bytes | VerifiedStatusList] = [*self.status_lists, *extra_lists]
        return Verifier(self.keys, lists, now=now, require_status=require_status)

    def summary(self, now: dt.datetime) -> dict[str, Any]:
        return {
            "issuer": self.issuer,
            "issued_at": self.issued_at.isoformat(),
            "expires_at": self.expires_at.isoformat(),
            "ttl_seconds": self.ttl_seconds,
            "stale": self.is_stale(now),
            "signed_by": self.signed_by,
            "keys": [v.to_json() for v in self.key_validity],
            "status_lists": [s.uri for s in self.status_lists],
            "checkpoint": self.checkpoint,
        }


def _time(value: Any, what: str) -> dt.datetime:
    if isinstance(value, bool) or not isinstance(value, int):
        raise MalformedToken(f"{what} must be an integer")
    try:
        return dt.datetime.fromtimestamp(value, tz=dt.UTC)
    except (OverflowError, OSError, ValueError) as exc:
        raise MalformedToken(f"{what} is out of range") from exc


def _validity(value: Any) -> tuple[KeyValidity, ...]:
    if not isinstance(value, CBOR_MAPS):
        raise MalformedToken("key_validity must be a map")
    found = []
    for key_id, entry in value.items():
        if not (isinstance(key_id, str) and isinstance(entry, CBOR_MAPS)):
            raise MalformedToken("key_validity maps key ids to maps")
        until = entry.get("not_after")
        found.append(
            KeyValidity(
                key_id=key_id,
                not_before=_time(entry.get("not_before"), "not_before"),
                state=str(entry.get("state", "")),
                not_after=None if until is None else _time(until, "not_after"),
            )
        )
    return tuple(found)


def read_pack(data: bytes, anchor: IssuerKeys, *, now: dt.datetime) -> VerifierPack:
    """Check a pack against the keys the verifier trusts already; PackRejected otherwise."""
    try:
        signed = decode_signed(data)
    except MalformedToken as exc:
        raise PackRejected("the verifier pack is truncated or corrupt; download it again") from exc
    if signed.protected.get(TYPE_HEADER) != MEDIA_TYPE:
        raise PackRejected("not a verifier pack (wrong typ header)")
    kid = signed.key_id.decode("utf-8", "replace")
    if signed.key_id not in anchor:
        raise PackRejected(
            f"the verifier pack is signed by key {kid!r}, which is not among the keys you trust"
        )
    if not anchor.verify(signed.key_id, signed.signature, signed.to_be_signed):
        raise PackRejected("the verifier pack's signature does not verify")
    try:
        claims = decode_claims(signed.payload)
        if claims.get("version") != VERSION:
            raise PackRejected(f"unsupported verifier pack version (this reader knows {VERSION})")
        issuer, ttl = claims.get(CLAIM_ISS), claims.get(CLAIM_TTL)
        if not isinstance(issuer, str):
            raise MalformedToken("iss must be text")
        if isinstance(ttl, bool) or not isinstance(ttl, int) or ttl < 0:
            raise MalformedToken("ttl must be a non-negative integer")
        issued_at = _time(claims.get(CLAIM_IAT), "iat")
        expires_at = _time(claims.get(CLAIM_EXP), "exp")
        tokens, checkpoint = claims.get("status_lists"), claims.get("checkpoint")
        key_set = claims.get("keys")
        if not isinstance(key_set, bytes):
            raise MalformedToken("keys must be a COSE_KeySet (bytes)")
        if not (isinstance(tokens, CBOR_ARRAYS) and all(isinstance(t, bytes) for t in tokens)):
            raise MalformedToken("status_lists must be an array of tokens")
        if checkpoint is not None and not isinstance(checkpoint, str):
            raise MalformedToken("checkpoint must be text")
        validity = _validity(claims.get("key_validity", {}))
        keys = IssuerKeys.from_cose_key_set(key_set)
    except (MalformedToken, BadKeySet) as exc:
        raise PackRejected(f"the verifier pack's contents are malformed: {exc}") from exc
    if now >= expires_at:
        raise PackRejected(
            f"the verifier pack expired at {expires_at.isoformat()}; download a fresh one"
        )
    try:
        lists = tuple(verify_status_list_token(t, keys, now=now) for t in tokens)
    except StatusListRejected as exc:
        raise PackRejected(f"a status list in the verifier pack is refused: {exc.message}") from exc
    return VerifierPack(
        issuer=issuer,
        issued_at=issued_at,
        expires_at=expires_at,
        ttl_seconds=ttl,
        signed_by=kid,
        keys=keys,
        key_validity=validity,
        status_lists=lists,
        checkpoint=checkpoint,
    )
