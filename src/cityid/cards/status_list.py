"""Revocation for offline verifiers: the IETF Token Status List, in CWT form.

A status list is a packed array of 1 or 2 bits per card (2 bits so a card can be
suspended as well as revoked), zlib-compressed as `lst`. Entry `i` lives in byte
`i * bits // 8`, starting from the least significant bit, as the draft specifies.
The list is published signed by the issuer, in the draft's two forms:

    CWT  18([ {1: -8, 4: kid, 16: "application/statuslist+cwt"}, {}, payload, signature ])
         payload = {1 iss, 2 sub: the list's URI, 6 iat, 4 exp, 65534 ttl (seconds),
                    65533 status_list: {"bits": 1|2, "lst": zlib bytes}}
    JWT  header {"alg": "EdDSA", "typ": "statuslist+jwt", "kid"}
         payload {"iss", "sub", "iat", "exp", "ttl",
                  "status_list": {"bits", "lst": base64url of the zlib bytes}}

`sub` is the URL the list is served at, which is what a card's `status.status_list.uri`
holds. The JWT is a JWS in compact form (RFC 7515) with EdDSA (RFC 8037): the keystore
signs its signing input; nothing else is done to the bytes.

Verifiers cache the token offline. It is verified once, when loaded
(`verify_status_list_token`); looking up a card is then an array read.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import zlib
from dataclasses import dataclass
from enum import IntEnum
from typing import Any

from cityid.cards.cwt import (
    CBOR_MAPS,
    TYPE_HEADER,
    MalformedToken,
    decode_claims,
    decode_signed,
    sign_cwt,
)
from cityid.cards.keys import IssuerKeys
from cityid.crypto.interfaces import Signer
from cityid.errors import BadInput, ConfigError, Refused

MEDIA_TYPE = "application/statuslist+cwt"
JWT_MEDIA_TYPE = "application/statuslist+jwt"
CLAIM_ISS, CLAIM_SUB, CLAIM_EXP, CLAIM_IAT = 1, 2, 4, 6
CLAIM_STATUS_LIST, CLAIM_TTL = 65533, 65534
ALLOWED_BITS = (1, 2, 4, 8)  # what the draft allows a reader to meet
_MAX_LIST_BYTES = 64 * 1024 * 1024


class Status(IntEnum):
    VALID = 0
    INVALID = 1  # revoked
    SUSPENDED = 2


class StatusListRejected(Refused):
    """A status list token that cannot be trusted: never used, so never says "valid"."""

    code = "status_list_rejected"


class StatusList:
    """The packed status array, one entry per card index."""

    def __init__(self, size: int, bits: int = 2) -> None:
        if bits not in ALLOWED_BITS:
            raise BadInput(f"a status list has 1, 2, 4 or 8 bits per entry, not {bits}")
        if size < 1:
            raise BadInput("a status list needs at least one entry")
        self.bits = bits
        self._data = bytearray((size * bits + 7) // 8)

    @property
    def size(self) -> int:
        return len(self._data) * 8 // self.bits

    def _locate(self, index: int) -> tuple[int, int]:
        if not 0 <= index < self.size:
            raise IndexError("status index outside the list")
        bit = index * self.bits
        return bit // 8, bit % 8

    def get(self, index: int) -> int:
        byte, shift = self._locate(index)
        return (self._data[byte] >> shift) & ((1 << self.bits) - 1)

    def set(self, index: int, status: int) -> None:
        if not 0 <= status < (1 << self.bits):
            raise BadInput(f"status {status} does not fit in {self.bits} bit(s)")
        byte, shift = self._locate(index)
        mask = ((1 << self.bits) - 1) << shift
        self._data[byte] = (self._data[byte] & ~mask & 0xFF) | (status << shift)

    def compressed(self) -> bytes:
        """`lst`: the packed entries, zlib (RFC 1950) as the draft says."""
        return zlib.compress(bytes(self._data), 9)

    def to_cbor_map(self) -> dict[str, Any]:
        return {"bits": self.bits, "lst": self.compressed()}

    @classmethod
    def from_packed(cls, packed: bytes, bits: int) -> StatusList:
        status_list = cls(1, bits)
        status_list._data = bytearray(packed)
        return status_list

    @classmethod
    def from_cbor_map(cls, value: Any) -> StatusList:
        if not isinstance(value, CBOR_MAPS):
            raise MalformedToken("status_list must be a map")
        bits, lst = value.get("bits"), value.get("lst")
        if isinstance(bits, bool) or bits not in ALLOWED_BITS or not isinstance(lst, bytes):
            raise MalformedToken("status_list needs bits (1, 2, 4 or 8) and lst (bytes)")
        try:
            inflater = zlib.decompressobj()
            packed = inflater.decompress(lst, _MAX_LIST_BYTES)
        except zlib.error as exc:
            raise MalformedToken("lst is not zlib data") from exc
        if inflater.unconsumed_tail or not inflater.eof or not packed:
            raise MalformedToken("lst is truncated, empty or too large")
        return cls.from_packed(packed, int(bits))


@dataclass(frozen=True)
class ListTimes:
    """When a signed list was made, when verifiers should fetch anew, when it stops counting."""

    now: dt.datetime
    ttl_seconds: int  # how soon verifiers should fetch a fresh one
    valid_for: dt.timedelta = dt.timedelta(days=7)  # how long an offline cache may trust it

    @property
    def iat(self) -> int:
        return int(self.now.timestamp())

    @property
    def exp(self) -> int:
        return int((self.now + self.valid_for).timestamp())


def sign_status_list(
    status_list: StatusList,
    *,
    uri: str,
    signer: Signer,
    now: dt.datetime,
    ttl_seconds: int,
    valid_for: dt.timedelta = dt.timedelta(days=7),
    issuer: str | None = None,
) -> bytes:
    """The status list token, CWT form. `ttl_seconds`: how soon verifiers should fetch a
    fresh one; `valid_for`: how long an offline verifier may keep trusting this one."""
    times = ListTimes(now, ttl_seconds, valid_for)
    claims: dict[int, Any] = {
        CLAIM_SUB: uri,
        CLAIM_IAT: times.iat,
        CLAIM_EXP: times.exp,
        CLAIM_TTL: ttl_seconds,
        CLAIM_STATUS_LIST: status_list.to_cbor_map(),
    }
    if issuer is not None:
        claims[CLAIM_ISS] = issuer
    return sign_cwt(claims, signer, extra_protected={TYPE_HEADER: MEDIA_TYPE})


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64url_json(value: dict[str, Any]) -> str:
    return _b64url(json.dumps(value, separators=(",", ":"), sort_keys=True).encode())


def sign_status_list_jwt(
    status_list: StatusList,
    *,
    uri: str,
    signer: Signer,
    now: dt.datetime,
    ttl_seconds: int,
    valid_for: dt.timedelta = dt.timedelta(days=7),
    issuer: str | None = None,
) -> str:
    """The same list as a JWT (compact JWS, EdDSA): what `Accept: application/statuslist+jwt`
    gets, for verifiers whose toolkits speak JOSE rather than COSE."""
    if signer.algorithm != "Ed25519":
        raise ConfigError(f"status lists need an Ed25519 key; {signer.key_id} is not one")
    times = ListTimes(now, ttl_seconds, valid_for)
    header = {"alg": "EdDSA", "typ": "statuslist+jwt", "kid": signer.key_id}
    payload: dict[str, Any] = {
        "sub": uri,
        "iat": times.iat,
        "exp": times.exp,
        "ttl": ttl_seconds,
        "status_list": {"bits": status_list.bits, "lst": _b64url(status_list.compressed())},
    }
    if issuer is not None:
        payload["iss"] = issuer
    return compact_jws(header, _json_bytes(payload), signer)


def _json_bytes(value: dict[str, Any]) -> bytes:
    return json.dumps(value, separators=(",", ":"), sort_keys=True).encode()


def compact_jws(
    header: dict[str, Any], payload: bytes, signer: Signer, *, detached: bool = False
) -> str:
    """A compact JWS (RFC 7515) over `payload` by the keystore's signer; `detached`
    leaves the payload out ("header..signature", RFC 7515 appendix F), for a document
    that travels beside its signature (a print manifest)."""
    signing_input = f"{_b64url_json(header)}.{_b64url(payload)}"
    signature = _b64url(signer.sign(signing_input.encode("ascii")))
    if detached:
        return f"{_b64url_json(header)}..{signature}"
    return f"{signing_input}.{signature}"


@dataclass(frozen=True)
class VerifiedStatusList:
    """A status list whose token verified; only these are ever consulted."""

    uri: str
    issued_at: dt.datetime
    expires_at: dt.datetime | None
    ttl_seconds: int | None
    key_id: bytes
    status_list: StatusList

    def status_of(self, index: int) -> int:
        return self.status_list.get(index)

    def is_expired(self, now: dt.datetime) -> bool:
        return self.expires_at is not None and now >= self.expires_at

    def is_stale(self, now: dt.datetime) -> bool:
        """Past its ttl: still usable offline until `exp`, but time to fetch a new one."""
        if self.ttl_seconds is None:
            return False
        return now >= self.issued_at + dt.timedelta(seconds=self.ttl_seconds)


def _timestamp(value: Any, what: str) -> dt.datetime:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise MalformedToken(f"{what} must be a number")
    try:
        return dt.datetime.fromtimestamp(value, tz=dt.UTC)
    except (OverflowError, OSError, ValueError) as exc:
        raise MalformedToken(f"{what} is out of range") from exc


def _read_token(token: bytes, keys: IssuerKeys) -> VerifiedStatusList:
    signed = decode_signed(token)
    if signed.protected.get(TYPE_HEADER) != MEDIA_TYPE:
        raise StatusListRejected("not a status list token (wrong typ header)")
    if signed.key_id not in keys:
        raise StatusListRejected("the status list is signed by a key that is not trusted")
    if not keys.verify(signed.key_id, signed.signature, signed.to_be_signed):
        raise StatusListRejected("the status list's signature does not verify")
    claims = decode_claims(signed.payload)
    uri, ttl = claims.get(CLAIM_SUB), claims.get(CLAIM_TTL)
    if not isinstance(uri, str):
        raise MalformedToken("a status list token needs sub (its URI)")
    if ttl is not None and (isinstance(ttl, bool) or not isinstance(ttl, int) or ttl < 0):
        raise MalformedToken("ttl must be a non-negative integer")
    exp = claims.get(CLAIM_EXP)
    return VerifiedStatusList(
        uri=uri,
        issued_at=_timestamp(claims.get(CLAIM_IAT), "iat"),
        expires_at=None if exp is None else _timestamp(exp, "exp"),
        ttl_seconds=ttl,
        key_id=signed.key_id,
        status_list=StatusList.from_cbor_map(claims.get(CLAIM_STATUS_LIST)),
    )


def verify_status_list_token(
    token: bytes, keys: IssuerKeys, *, now: dt.datetime, expected_uri: str | None = None
) -> VerifiedStatusList:
    """Check a status list token once; StatusListRejected unless it is genuine and current."""
    try:
        verified = _read_token(token, keys)
    except MalformedToken as exc:
        raise StatusListRejected("the status list token is corrupt") from exc
    if expected_uri is not None and verified.uri != expected_uri:
        raise StatusListRejected("the status list token is for another list")
    if verified.is_expired(now):
        raise StatusListRejected("the status list token has expired; fetch a fresh one")
    return verified
