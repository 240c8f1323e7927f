"""Offline verification of a card's QR code: one code path, in the order of its spec.

    1. QR text -> token          (base45, zlib)               else  malformed
    2. token -> COSE_Sign1       (tag 18, or 61(18); EdDSA)   else  malformed
    3. kid among trusted keys                                 else  unknown_key
       (no kid: each trusted key is tried)
    4. signature verifies                                     else  bad_signature
    5. payload -> Claim 169 claims                            else  malformed
    6. status list entry: revoked / suspended                 ->    revoked / suspended
    7. nbf, exp against `now`                                 ->    not_yet_valid / expired
    8. no status list covers the card                         ->    status_unknown
    9. otherwise                                              ->    valid

Every answer but `valid` carries a `message` a person can read, never personal data.

Status lists. A status list token is verified once, when it is loaded; a corrupt,
badly signed, untrusted, mislabelled or expired one is refused right there with
`StatusListRejected`, so it can never vouch for a card. When a card is genuine and in
date but no trusted, current list covers it, the answer is `status_unknown` (never
"valid") unless the caller explicitly passed `require_status=False`, and then the result
is `valid` with `status_checked: false`. A list past its ttl but before its `exp` is
still used (that is what offline caching is for) and the result says `status_stale`.

Only the claims the verifier's purpose needs are shown, and only for a valid card:
identity (photo, names, date of birth, card number, expiry date), age (photo, over 18,
over 21), residency (photo, name, city resident, postal code). A valid card is proof of
city residency, because the program only issues cards to residents.
"""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Literal, get_args

from cityid.cards.credential import CardClaims, claims_from_cwt, decode_qr_text
from cityid.cards.cwt import MalformedToken, SignedToken, decode_claims, decode_signed
from cityid.cards.keys import IssuerKeys
from cityid.cards.status_list import (
    Status,
    StatusListRejected,
    VerifiedStatusList,
    verify_status_list_token,
)
from cityid.errors import BadInput, Unavailable
from cityid.jsonable import OMIT_NONE, to_json

Purpose = Literal["identity", "age", "residency"]
PURPOSES: tuple[str, ...] = get_args(Purpose)

__all__ = [
    "PURPOSES",
    "AgeClaims",
    "Disclosed",
    "IdentityClaims",
    "Purpose",
    "ResidencyClaims",
    "Result",
    "StatusListRejected",
    "StatusUnavailable",
    "VerificationResult",
    "Verifier",
    "verify_credential",
]


class Result(StrEnum):
    VALID = "valid"
    EXPIRED = "expired"
    NOT_YET_VALID = "not_yet_valid"
    REVOKED = "revoked"
    SUSPENDED = "suspended"
    BAD_SIGNATURE = "bad_signature"
    UNKNOWN_KEY = "unknown_key"
    MALFORMED = "malformed"
    STATUS_UNKNOWN = "status_unknown"


class StatusUnavailable(Unavailable):
    """The card's status list entry holds a value this program never writes."""

    code = "status_unavailable"


@dataclass(frozen=True, slots=True)
class IdentityClaims:
    """What an identity check shows: who the holder is. `photo` is a data: URL."""

    photo: str | None
    card_number: str
    full_name: str
    first_name: str | None
    last_name: str | None
    date_of_birth: dt.date
    expires_on: dt.date  # the last day the card is good on, as printed
    # The name in its own script, beside the Latin one; only when the card has one.
    native_name: str | None = field(default=None, metadata=OMIT_NONE)


@dataclass(frozen=True, slots=True)
class AgeClaims:
    """What an age check shows: the photo and two thresholds, never the date of birth."""

    photo: str | None
    over_18: bool
    over_21: bool


@dataclass(frozen=True, slots=True)
class ResidencyClaims:
    """What a residency check shows (a valid card is proof of residency)."""

    photo: str | None
    full_name: str
    city_resident: bool
    postal_code: str | None


Disclosed = IdentityClaims | AgeClaims | ResidencyClaims


@dataclass(frozen=True)
class VerificationResult:
    result: Result
    claims: Disclosed | None = None  # only for a valid card
    status_checked: bool = False
    status_stale: bool = False
    message: str | None = None  # why, for every answer but "valid"

    def to_json(self) -> dict[str, Any]:
        """The answer as the CLI and the API print it (`claims` is {} when none)."""
        document: dict[str, Any] = {
            "result": self.result.value,
            "claims": {} if self.claims is None else to_json(self.claims),
            "status_checked": self.status_checked,
            "status_stale": self.status_stale,
        }
        if self.message is not None:
            document["message"] = self.message
        return document


def _age_on(born: dt.date, day: dt.date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def expiry_date(expires_at: dt.datetime) -> dt.date:
    """The last day a credential is good on, as printed: `exp` is the next midnight UTC."""
    return (expires_at.astimezone(dt.UTC) - dt.timedelta(microseconds=1)).date()


def disclose(claims: CardClaims, purpose: Purpose, now: dt.datetime) -> Disclosed:
    """The claims a verifier with this purpose may see, and nothing else."""
    photo = (
        "data:image/webp;base64," + base64.b64encode(claims.face_webp).decode("ascii")
        if claims.face_webp
        else None
    )
    if purpose == "identity":
        return IdentityClaims(
            photo=photo,
            card_number=claims.card_number,
            full_name=claims.full_name,
            first_name=claims.first_name,
            last_name=claims.last_name,
            date_of_birth=claims.date_of_birth,
            expires_on=expiry_date(claims.expires_at),
            native_name=claims.native_name or None,
        )
    if purpose == "age":
        age = _age_on(claims.date_of_birth, now.date())
        return AgeClaims(photo=photo, over_18=age >= 18, over_21=age >= 21)
    if purpose == "residency":
        return ResidencyClaims(
            photo=photo,
            full_name=claims.full_name,
            city_resident=True,
            postal_code=claims.postal_code,
        )
    raise BadInput(f"unknown purpose; choose one of {', '.join(PURPOSES)}")


class Verifier:
    """Trusted keys and verified status lists, parsed once; `verify` per card."""

    def __init__(
        self,
        keys: IssuerKeys | bytes | Iterable[tuple[bytes | str, bytes]],
        status_lists: Iterable[bytes | VerifiedStatusList] = (),
        *,
        now: dt.datetime,
        require_status: bool = True,
    ) -> None:
        if isinstance(keys, IssuerKeys):
            self.keys = keys
        elif isinstance(keys, bytes):
            self.keys = IssuerKeys.from_cose_key_set(keys)
        else:
            self.keys = IssuerKeys(keys)
        self.require_status = require_status
        self._lists: dict[str, VerifiedStatusList] = {}
        for item in status_lists:
            self.add_status_list(item, now=now)

    def add_status_list(self, token: bytes | VerifiedStatusList, *, now: dt.datetime) -> None:
        """Verify a cached status list token once (StatusListRejected if untrustworthy)."""
        verified = (
            token
            if isinstance(token, VerifiedStatusList)
            else verify_status_list_token(token, self.keys, now=now)
        )
        self._lists[verified.uri] = verified

    def verify(
        self, qr: str | bytes, *, now: dt.datetime, purpose: Purpose = "identity"
    ) -> VerificationResult:
        """`qr`: the QR text (str) or the token itself (bytes)."""
        if purpose not in PURPOSES:
            raise BadInput(f"unknown purpose; choose one of {', '.join(PURPOSES)}")
        try:
            token = decode_qr_text(qr) if isinstance(qr, str) else qr
            signed = decode_signed(token)
        except MalformedToken as exc:
            return VerificationResult(Result.MALFORMED, message=exc.message)
        rejected = self._check_signature(signed)
        if rejected is not None:
            return rejected
        try:
            claims = claims_from_cwt(decode_claims(signed.payload))
        except MalformedToken as exc:
            return VerificationResult(Result.MALFORMED, message=exc.message)
        except Exception:  # signed, but not a card we can read: only ever "malformed"
            return VerificationResult(Result.MALFORMED, message="not a card credential")
        return self._judge(claims, now, purpose)

    def _check_signature(self, signed: SignedToken) -> VerificationResult | None:
        """None when a trusted key signed it; else the answer that says why not."""
        if not signed.key_id:
            if any(self.keys.verify(k, signed.signature, signed.to_be_signed)
                   for k in self.keys.key_ids()):  # fmt: skip
                return None
            return VerificationResult(
                Result.UNKNOWN_KEY,
                message="the credential names no key and no trusted key verifies it",
            )
        if signed.key_id not in self.keys:
            return VerificationResult(
                Result.UNKNOWN_KEY, message="signed by a key this verifier does not trust"
            )
        if not self.keys.verify(signed.key_id, signed.signature, signed.to_be_signed):
            return VerificationResult(
                Result.BAD_SIGNATURE, message="the signature does not match the credential"
            )
        return None

    def _judge(self, claims: CardClaims, now: dt.datetime, purpose: Purpose) -> VerificationResult:
        status, stale = self._status_of(claims, now)
        if status == Status.INVALID:
            return VerificationResult(
                Result.REVOKED, status_checked=True, status_stale=stale,
                message="the card has been revoked",
            )  # fmt: skip
        if status == Status.SUSPENDED:
            return VerificationResult(
                Result.SUSPENDED, status_checked=True, status_stale=stale,
                message="the card is suspended",
            )  # fmt: skip
        checked = status is not None
        if claims.not_before is not None and now < claims.not_before:
            return VerificationResult(
                Result.NOT_YET_VALID, status_checked=checked, message="the card is not valid yet"
            )
        if now >= claims.expires_at:
            return VerificationResult(
                Result.EXPIRED, status_checked=checked, message="the card has expired"
            )
        if status is None and self.require_status:
            return VerificationResult(
                Result.STATUS_UNKNOWN,
                message="no trusted, current status list covers this card, so it may have "
                "been revoked; load its status list (or accept it knowingly without one)",
            )
        if status is not None and status != Status.VALID:
            # A value this program never writes (4- or 8-bit lists): not a "valid".
            raise StatusUnavailable("the card's status list entry has an unknown value")
        return VerificationResult(
            Result.VALID,
            disclose(claims, purpose, now),
            status_checked=checked,
            status_stale=stale,
        )

    def _status_of(self, claims: CardClaims, now: dt.datetime) -> tuple[int | None, bool]:
        """The card's entry in a trusted, unexpired list, or None when there is none."""
        if claims.status_uri is None or claims.status_index is None:
            return None, False
        status_list = self._lists.get(claims.status_uri)
        if status_list is None or status_list.is_expired(now):
            return None, False
        if claims.status_index >= status_list.status_list.size:
            return None, False
        return status_list.status_of(claims.status_index), status_list.is_stale(now)


def verify_credential(
    qr: str | bytes,
    keys: IssuerKeys | bytes | Iterable[tuple[bytes | str, bytes]],
    *,
    now: dt.datetime,
    purpose: Purpose = "identity",
    status_lists: Iterable[bytes | VerifiedStatusList] = (),
    require_status: bool = True,
) -> VerificationResult:
    """Verify one card. For many cards, build one `Verifier` and reuse it."""
    verifier = Verifier(keys, status_lists, now=now, require_status=require_status)
    return verifier.verify(qr, now=now, purpose=purpose)
