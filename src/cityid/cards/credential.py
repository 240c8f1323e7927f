"""The card's credential: a MOSIP Claim 169 CWT, signed by the issuer, in a QR code.

Layout (Claim 169 v1.2.2, RFC 8392, IETF Token Status List):

    18([ {1: -8, 4: kid}, {}, payload, signature ])      (a bare COSE_Sign1, no tag 61)
    payload = {1 iss, 4 exp, 5 nbf, 6 iat,
               169: {1 card number, 3 language (ISO 639-3), 4 full name, 5 first name,
                     7 last name, 8 date of birth "YYYYMMDD", 9 gender (1 M, 2 F, 3 other),
                     10 address (lines joined by "\\n"),
                     19 full name in its own script, 20 that name's language,
                     62 face: [{0: WebP bytes, 1: 0 image, 2: 4 WEBP}]},
               65535 status: {"status_list": {"idx": N, "uri": U}}}

QR text is base45 (RFC 9285) of the zlib-compressed token.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

import base45
import numpy as np
from PIL import Image, ImageOps

from cityid.cards.cwt import CBOR_ARRAYS, CBOR_MAPS, MalformedToken, sign_cwt
from cityid.crypto.interfaces import Signer

Gender = Literal["F", "M", "X"]

CLAIM_ISS, CLAIM_EXP, CLAIM_NBF, CLAIM_IAT = 1, 4, 5, 6
CLAIM_IDENTITY = 169
CLAIM_STATUS = 65535
ID_NUMBER, ID_LANGUAGE, ID_FULL_NAME, ID_FIRST_NAME, ID_LAST_NAME = 1, 3, 4, 5, 7
ID_DATE_OF_BIRTH, ID_GENDER, ID_ADDRESS, ID_FACE = 8, 9, 10, 62
ID_SECONDARY_FULL_NAME, ID_SECONDARY_LANGUAGE = 19, 20
BIO_DATA, BIO_FORMAT, BIO_SUBFORMAT = 0, 1, 2
BIO_FORMAT_IMAGE, BIO_IMAGE_WEBP = 0, 4

_GENDER_CODES: dict[str, int] = {"M": 1, "F": 2, "X": 3}
_GENDER_BY_CODE: dict[int, Gender] = {1: "M", 2: "F", 3: "X"}
_POSTAL_CODE = re.compile(r"\b(\d{5})(?:-\d{4})?\s*$")
_MAX_TOKEN_BYTES = 8192  # a QR code of version 40 holds under 3 KB; anything larger is junk
FACE_SIZE = (48, 60)


@dataclass(frozen=True)
class CardClaims:
    """What a card's QR code says about its holder, and when it is good for.

    `full_name`, `first_name` and `last_name` are in Latin letters (`latin_name`);
    `native_name` is the full name in its own script when that differs."""

    issuer: str
    card_number: str
    full_name: str
    date_of_birth: dt.date
    expires_at: dt.datetime
    first_name: str | None = None
    last_name: str | None = None
    gender: Gender | None = None
    address: str | None = None  # lines joined by "\n"
    language: str | None = None  # ISO 639-3
    native_name: str | None = None  # Claim 169 "full name, secondary language"
    native_language: str | None = None  # ISO 639-3, the language of `native_name`
    face_webp: bytes | None = None
    status_index: int | None = None
    status_uri: str | None = None
    not_before: dt.datetime | None = None  # None: from issuance
    issued_at: dt.datetime | None = None  # set on parsed credentials

    @property
    def postal_code(self) -> str | None:
        """The ZIP code that ends the address, if it ends with one."""
        match = _POSTAL_CODE.search(self.address or "")
        return match.group(1) if match else None


def make_face_webp(photo: Image.Image | bytes, *, quality: int = 30) -> bytes:
    """A tiny greyscale WebP of the face (48x60), small enough to keep the QR at v25 or less."""
    image = Image.open(io.BytesIO(photo)) if isinstance(photo, bytes) else photo
    face = ImageOps.fit(ImageOps.exif_transpose(image).convert("L"), FACE_SIZE)
    out = io.BytesIO()
    face.save(out, "WEBP", quality=quality, method=6)
    return out.getvalue()


def _epoch(moment: dt.datetime) -> int:
    if moment.tzinfo is None:
        raise ValueError("times on a credential must be timezone-aware")
    return int(moment.timestamp())


def claims_to_cwt(claims: CardClaims, now: dt.datetime) -> dict[int, Any]:
    """The CWT claims map for `claims`, issued at `now`."""
    identity: dict[int, Any] = {
        ID_NUMBER: claims.card_number,
        ID_FULL_NAME: claims.full_name,
        ID_DATE_OF_BIRTH: claims.date_of_birth.strftime("%Y%m%d"),
    }
    optional: dict[int, Any] = {
        ID_LANGUAGE: claims.language,
        ID_FIRST_NAME: claims.first_name,
        ID_LAST_NAME: claims.last_name,
        ID_GENDER: _GENDER_CODES[claims.gender] if claims.gender else None,
        ID_ADDRESS: claims.address,
        ID_SECONDARY_FULL_NAME: claims.native_name,
        ID_SECONDARY_LANGUAGE: claims.native_language if claims.native_name else None,
    }
    identity.update({k: v for k, v in optional.items() if v is not None})
    if claims.face_webp is not None:
        identity[ID_FACE] = [
            {
                BIO_DATA: claims.face_webp,
                BIO_FORMAT: BIO_FORMAT_IMAGE,
                BIO_SUBFORMAT: BIO_IMAGE_WEBP,
            }
        ]
    cwt: dict[int, Any] = {
        CLAIM_ISS: claims.issuer,
        CLAIM_EXP: _epoch(claims.expires_at),
        CLAIM_NBF: _epoch(claims.not_before or now),
        CLAIM_IAT: _epoch(now),
        CLAIM_IDENTITY: identity,
    }
    if claims.status_index is not None and claims.status_uri is not None:
        cwt[CLAIM_STATUS] = {"status_list": {"idx": claims.status_index, "uri": claims.status_uri}}
    return cwt


def issue_credential(claims: CardClaims, signer: Signer, now: dt.datetime) -> bytes:
    """The signed Claim 169 CWT (bytes) for one card."""
    return sign_cwt(claims_to_cwt(claims, now), signer)


# ---- reading a credential back ------------------------------------------------------


def _text(value: Any, what: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise MalformedToken(f"{what} must be text")
    return value


def _required_text(value: Any, what: str) -> str:
    text = _text(value, what)
    if not text:
        raise MalformedToken(f"{what} is missing")
    return text


def _time(value: Any, what: str) -> dt.datetime | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise MalformedToken(f"{what} must be a number")
    try:
        return dt.datetime.fromtimestamp(value, tz=dt.UTC)
    except (OverflowError, OSError, ValueError) as exc:
        raise MalformedToken(f"{what} is out of range") from exc


def _yyyymmdd(text: str) -> dt.date:
    """The spec's YYYYMMDD; YYYY-MM-DD too, which other issuers' encoders write."""
    if len(text) == 10 and text[4] == "-" and text[7] == "-":
        text = text[:4] + text[5:7] + text[8:]
    # By hand: strptime is the slowest line of a verification.
    if not (len(text) == 8 and text.isascii() and text.isdigit()):
        raise MalformedToken("the date of birth is not YYYYMMDD")
    try:
        return dt.date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError as exc:
        raise MalformedToken("the date of birth is not a real date") from exc


def _face(value: Any) -> bytes | None:
    if value is None:
        return None
    entries = [value] if isinstance(value, CBOR_MAPS) else value
    if not isinstance(entries, CBOR_ARRAYS):
        raise MalformedToken("the face must be a list of biometric entries")
    for entry in entries:
        if not isinstance(entry, CBOR_MAPS):
            raise MalformedToken("a biometric entry must be a map")
        data = entry.get(BIO_DATA)
        if (
            isinstance(data, bytes)
            and entry.get(BIO_FORMAT, BIO_FORMAT_IMAGE) == BIO_FORMAT_IMAGE
            and entry.get(BIO_SUBFORMAT) == BIO_IMAGE_WEBP
        ):
            return data
    return None


def _status(value: Any) -> tuple[int | None, str | None]:
    if value is None:
        return None, None
    reference = value.get("status_list") if isinstance(value, CBOR_MAPS) else None
    if not isinstance(reference, CBOR_MAPS):
        raise MalformedToken("the status claim must hold a status_list reference")
    index, uri = reference.get("idx"), reference.get("uri")
    if isinstance(index, bool) or not isinstance(index, int) or index < 0:
        raise MalformedToken("the status index must be a non-negative integer")
    if not isinstance(uri, str):
        raise MalformedToken("the status list uri must be text")
    return index, uri


def claims_from_cwt(cwt: Mapping[Any, Any]) -> CardClaims:
    """Read a (verified) CWT claims map back into CardClaims; MalformedToken if it is not one."""
    identity = cwt.get(CLAIM_IDENTITY)
    if not isinstance(identity, CBOR_MAPS):
        raise MalformedToken("no Claim 169 identity map")
    date_of_birth = _yyyymmdd(_required_text(identity.get(ID_DATE_OF_BIRTH), "date of birth"))
    gender_code = identity.get(ID_GENDER)
    if gender_code is not None and not (
        isinstance(gender_code, int) and gender_code in _GENDER_BY_CODE
    ):
        raise MalformedToken("unknown gender code")
    expires_at = _time(cwt.get(CLAIM_EXP), "exp")
    if expires_at is None:
        raise MalformedToken("a card credential must expire")
    status_index, status_uri = _status(cwt.get(CLAIM_STATUS))
    return CardClaims(
        issuer=_required_text(cwt.get(CLAIM_ISS), "iss"),
        card_number=_required_text(identity.get(ID_NUMBER), "card number"),
        full_name=_required_text(identity.get(ID_FULL_NAME), "full name"),
        date_of_birth=date_of_birth,
        expires_at=expires_at,
        first_name=_text(identity.get(ID_FIRST_NAME), "first name"),
        last_name=_text(identity.get(ID_LAST_NAME), "last name"),
        gender=_GENDER_BY_CODE.get(gender_code) if gender_code is not None else None,
        address=_text(identity.get(ID_ADDRESS), "address"),
        language=_text(identity.get(ID_LANGUAGE), "language"),
        native_name=_text(identity.get(ID_SECONDARY_FULL_NAME), "secondary full name"),
        native_language=_text(identity.get(ID_SECONDARY_LANGUAGE), "secondary language"),
        face_webp=_face(identity.get(ID_FACE)),
        status_index=status_index,
        status_uri=status_uri,
        not_before=_time(cwt.get(CLAIM_NBF), "nbf"),
        issued_at=_time(cwt.get(CLAIM_IAT), "iat"),
    )


# ---- QR text ------------------------------------------------------------------------

_B45_ALPHABET = base45.BASE45_CHARSET.encode()
# Byte -> its base45 digit, 255 for a byte outside the alphabet (a `bytes.translate` table).
_B45_VALUES = bytes(
    _B45_ALPHABET.index(byte) if byte in _B45_ALPHABET else 255 for byte in range(256)
)
_B45_WEIGHTS = np.array([1, 45, 45 * 45], dtype=np.uint32)


def encode_qr_text(token: bytes) -> str:
    """base45 of the zlib-compressed token: the text the QR code carries."""
    return base45.b45encode(zlib.compress(token, 9)).decode("ascii")


def _b45decode(text: str) -> bytes:
    """RFC 9285 decoding, vectorised: the `base45` package's loop is the slowest step of a
    verification. Tests check it against `base45.b45decode` on random input."""
    digits = text.rstrip("\n").encode("ascii").translate(_B45_VALUES)
    size = len(digits)
    if size % 3 == 1 or b"\xff" in digits:
        raise ValueError("invalid base45")
    whole = size - size % 3
    triples = np.frombuffer(digits, dtype=np.uint8, count=whole).reshape(-1, 3)
    values = triples @ _B45_WEIGHTS  # c + 45 d + 2025 e, as uint32: no overflow
    if whole and int(values.max()) > 0xFFFF:
        raise ValueError("invalid base45")
    out = values.astype(">u2").tobytes()
    if whole < size:
        last = digits[whole] + digits[whole + 1] * 45
        if last > 0xFF:
            raise ValueError("invalid base45")
        out += bytes((last,))
    return out


def decode_qr_text(text: str) -> bytes:
    """The token inside QR text; MalformedToken if it is not base45 of zlib data."""
    try:
        compressed = _b45decode(text)
        inflater = zlib.decompressobj()
        token = inflater.decompress(compressed, _MAX_TOKEN_BYTES)
    except (ValueError, UnicodeError, zlib.error) as exc:
        raise MalformedToken("not Claim 169 QR text (base45 of zlib data)") from exc
    if inflater.unconsumed_tail or inflater.unused_data or not inflater.eof:
        raise MalformedToken("the QR text does not hold one complete token of sane size")
    return token
