"""What the matcher compares: names, date of birth and address parts, normalised.

Pure and deterministic: the same applicant always yields the same features, in every
process. Nothing here is kept; the features only feed keyed encodings and tokens.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

_NON_LETTERS = re.compile(r"[^a-z]+")
_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_HOUSE_NUMBER = re.compile(r"^(\d+(?:-\d+)?[a-z]?)\b\s*")
_UNIT = re.compile(r"\b(?:apt|apartment|unit|ste|suite|fl|floor|rm|room|bsmt|ph)\b.*$")
_UNIT_WORDS = frozenset({"apt", "apartment", "unit", "ste", "suite", "fl", "floor", "rm", "room"})
_PARTICLES = frozenset({"de", "del", "la", "las", "los", "da", "das", "do", "dos", "van", "von", "y", "e"})

# USPS Publication 28 suffix and direction abbreviations (the common ones), so that
# "West 42nd Street" and "W 42 St" compare equal.
_STREET_WORDS = {
    "street": "st", "str": "st", "avenue": "ave", "av": "ave", "avn": "ave",
    "boulevard": "blvd", "road": "rd", "place": "pl", "drive": "dr", "lane": "ln",
    "court": "ct", "terrace": "ter", "parkway": "pkwy", "highway": "hwy",
    "square": "sq", "plaza": "plz", "expressway": "expy", "turnpike": "tpke",
    "north": "n", "south": "s", "east": "e", "west": "w",
    "first": "1", "second": "2", "third": "3", "fourth": "4", "fifth": "5",
    "sixth": "6", "seventh": "7", "eighth": "8", "ninth": "9", "tenth": "10",
}
_ORDINAL = re.compile(r"\b(\d+)(?:st|nd|rd|th)\b")


@dataclass(frozen=True, slots=True)
class MatchFeatures:
    given: tuple[str, ...]  # given-name tokens, normalised
    given_canonical: tuple[str, ...]  # canonical forms of the first given name (nicknames)
    family: tuple[str, ...]  # family-name tokens (hyphenated and double names split)
    birth_year: int | None
    birth_month: int | None
    birth_day: int | None
    postal_code: str
    street: str
    house_number: str
    unit: str = ""  # apartment or unit, for the address key only (not in the encoding)


def fold(text: str) -> str:
    """Lower case ASCII with accents removed: 'José Núñez' -> 'jose nunez'."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return stripped.casefold().replace("ß", "ss")


def name_tokens(text: str, *, drop_particles: bool = False) -> tuple[str, ...]:
    tokens = [t for t in _NON_LETTERS.split(fold(text)) if t]
    if drop_particles:
        kept = [t for t in tokens if t not in _PARTICLES]
        tokens = kept or tokens
    return tuple(tokens)


@cache
def _nickname_table() -> dict[str, tuple[str, ...]]:
    """variant -> canonical names, read once from nicknames.toml (immutable afterwards)."""
    raw = resources.files("cityid.matching").joinpath("nicknames.toml").read_text("utf-8")
    names: dict[str, list[str]] = tomllib.loads(raw)["names"]
    table: dict[str, set[str]] = {}
    for canonical, variants in names.items():
        table.setdefault(canonical, set()).add(canonical)
        for variant in variants:
            table.setdefault(variant, set()).add(canonical)
    return {name: tuple(sorted(c)) for name, c in table.items()}


def canonical_given(token: str) -> tuple[str, ...]:
    """Every canonical form of one given name ('bill' -> ('william',)), itself if none."""
    return _nickname_table().get(token, (token,))


def parse_birth_date(value: object) -> tuple[int | None, int | None, int | None]:
    if isinstance(value, dt.date):
        return value.year, value.month, value.day
    if isinstance(value, str):
        digits = re.findall(r"\d+", value)
        if len(digits) == 3 and len(digits[0]) == 4:
            year, month, day = (int(d) for d in digits)
            if 1 <= month <= 12 and 1 <= day <= 31:
                return year, month, day
        if len(digits) == 1 and len(digits[0]) == 8:  # YYYYMMDD
            d = digits[0]
            return int(d[:4]), int(d[4:6]), int(d[6:])
    return None, None, None


def street_parts(line1: str) -> tuple[str, str]:
    """'123-45 West 42nd Street Apt 4B' -> ('12345', 'w 42 st')."""
    text = fold(line1).strip()
    house = ""
    match = _HOUSE_NUMBER.match(text)
    if match:
        house = match.group(1).replace("-", "")
        text = text[match.end() :]
    text = _NON_ALNUM.sub(" ", text.replace("#", " apt "))
    text = _UNIT.sub("", _ORDINAL.sub(r"\1", text)).strip()
    return house, " ".join(_STREET_WORDS.get(w, w) for w in text.split())


def unit_part(line1: str, line2: str) -> str:
    """'Apt 4B' or '#4b' -> '4b' (the unit designator words dropped)."""
    text = _NON_ALNUM.sub(" ", fold(f"{line1} # {line2}").replace("#", " apt "))
    match = _UNIT.search(text)
    if not match:
        return ""
    words = match.group(0).split()[1:]
    return "".join(w for w in words if w not in _UNIT_WORDS)


def postal_code(value: object) -> str:
    digits = re.sub(r"\D", "", str(value or ""))
    return digits[:5]


def features_from_applicant(applicant: Mapping[str, Any]) -> MatchFeatures:
    """Features of one applicant line (INTERFACE.md shape); missing parts become empty."""
    given = name_tokens(str(applicant.get("given_name") or ""))
    family = name_tokens(str(applicant.get("family_name") or ""), drop_particles=True)
    year, month, day = parse_birth_date(applicant.get("date_of_birth"))
    address = applicant.get("address") or {}
    house, street = street_parts(str(address.get("line1") or ""))
    return MatchFeatures(
        given=given,
        given_canonical=canonical_given(given[0]) if given else (),
        family=family,
        birth_year=year,
        birth_month=month,
        birth_day=day,
        postal_code=postal_code(address.get("postal_code")),
        street=street,
        house_number=house,
        unit=unit_part(str(address.get("line1") or ""), str(address.get("line2") or "")),
    )
