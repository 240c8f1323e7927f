"""Pure rules of issuance: expiry by the age rule, and an application turned into the
credential's claims and the printed card. No database, no keys."""

from __future__ import annotations

import datetime as dt
from typing import Any

from babel import Locale, UnknownLocaleError

from cityid.cards.credential import CardClaims, make_face_webp
from cityid.cards.latin_name import latin_name, native_name
from cityid.cards.render import CardFace
from cityid.enrollment.lifecycle import card_expiry
from cityid.enrollment.repository import ApplicationRecord
from cityid.policy.model import Policy


def age_on(born: dt.date, day: dt.date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def expiry_for(policy: Policy, born: dt.date, issued_on: dt.date) -> dt.date:
    """5 years from age 16, 2 years for ages 10 to 15 (as the policy says)."""
    return card_expiry(policy, age_on(born, issued_on), issued_on)


def end_of_day(day: dt.date) -> dt.datetime:
    """A card is good through its expiry date, in UTC (the credential's `exp`)."""
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=dt.UTC)


def address_text(address: dict[str, Any]) -> str:
    """ "37-12 80th St Apt 4B\\nJackson Heights, NY 11372": two lines, ZIP code last."""
    street = " ".join(p for p in (address.get("line1", ""), address.get("line2", "")) if p)
    city = f"{address.get('city', '')}, {address.get('state', '')} {address.get('postal_code', '')}"
    return f"{street}\n{city.strip()}"


def language_name(code: str | None) -> str | None:
    """ "spa" -> "español": the language as its speakers write it, for the card's back."""
    if not code:
        return None
    try:
        locale = Locale.parse(code)
    except (UnknownLocaleError, ValueError):
        return code
    name = locale.get_language_name(locale)
    return name or code


def contact_text(contact: dict[str, str] | None) -> str | None:
    if not contact or not contact.get("name"):
        return None
    extra = " · ".join(p for p in (contact.get("relationship"), contact.get("phone")) if p)
    return f"{contact['name']}\n{extra}" if extra else contact["name"]


def full_name(record: ApplicationRecord) -> str:
    """The name as the applicant writes it, in whatever script."""
    return f"{record.given_name} {record.family_name}".strip()


def printed_name(record: ApplicationRecord) -> str:
    """The name in Latin letters: what an officer reads first (ICAO 9303 for Cyrillic)."""
    return latin_name(full_name(record))


def card_claims(
    record: ApplicationRecord,
    *,
    issuer: str,
    card_number: str,
    expires_on: dt.date,
    status_index: int,
    status_uri: str,
    photo: bytes | None,
) -> CardClaims:
    gender = record.gender if record.gender in ("F", "M", "X") else None
    return CardClaims(
        issuer=issuer,
        card_number=card_number,
        full_name=printed_name(record),
        first_name=latin_name(record.given_name) or None,
        last_name=latin_name(record.family_name) or None,
        date_of_birth=record.date_of_birth,
        gender=gender,  # type: ignore[arg-type]
        address=address_text(record.address),
        language=record.language,
        native_name=native_name(full_name(record)),
        native_language=record.language,
        face_webp=make_face_webp(photo) if photo else None,
        expires_at=end_of_day(expires_on),
        status_index=status_index,
        status_uri=status_uri,
    )


def card_face(
    record: ApplicationRecord,
    *,
    program_name: str,
    card_number: str,
    issued_on: dt.date,
    expires_on: dt.date,
    qr_text: str,
    photo: bytes | None,
    city_name: str | None = None,
) -> CardFace:
    gender = record.gender if record.gender in ("F", "M", "X") else None
    return CardFace(
        program_name=program_name,
        card_number=card_number,
        full_name=printed_name(record),
        native_name=native_name(full_name(record)),
        date_of_birth=record.date_of_birth,
        address=address_text(record.address),
        expires=expires_on,
        qr_text=qr_text,
        photo=photo,
        city_name=city_name,
        gender=gender,  # type: ignore[arg-type]
        veteran=record.veteran,
        organ_donor=record.organ_donor,
        emergency_contact=contact_text(record.emergency_contact),
        preferred_language=language_name(record.language),
        issued=issued_on,
    )
