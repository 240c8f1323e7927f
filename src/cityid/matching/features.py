"""What the matcher compares: names, date of birth and address parts, normalised.

Normal forms come from `cityid.enrollment.normalise` (one definition for the whole
program); this module adds what only matching needs: nickname canonicals, surname
particles, and the split into features.

Pure and deterministic: the same applicant always yields the same features, in every
process. Nothing here is kept; the features only feed keyed encodings and tokens.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from cityid.enrollment.normalise import name_parts, normalise_address

# Family-name particles dropped so "de la Cruz" and "Cruz" share their surname part.
_PARTICLES = frozenset(
    {"de", "del", "la", "las", "los", "da", "das", "do", "dos", "van", "von", "der", "y", "e"}
)


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


def name_tokens(text: str, *, drop_particles: bool = False) -> tuple[str, ...]:
    tokens = name_parts(text)
    if drop_particles:
        tokens = [t for t in tokens if t not in _PARTICLES] or tokens
    return tuple(tokens)


@cache
def _nickname_table() -> dict[str, tuple[str, ...]]:
    """variant -> canonical names, read once from nicknames.toml (immutable afterwards)."""
    raw = resources.files("cityid.matching").joinpath("nicknames.toml").read_text("utf-8")
    names: dict[str, list[str]] = tomllib.loads(raw)["names"]
    table: dict[str, set[str]] = {}
    for canonical, variants in names.items():
        for variant in variants:
            table.setdefault(variant, set()).add(canonical)
    for canonical in names:  # a name that is itself canonical stays itself
        table[canonical] = {canonical}
    return {name: tuple(sorted(c)) for name, c in table.items()}


def canonical_given(token: str) -> tuple[str, ...]:
    """Canonical forms of one given name: 'bill' -> ('guillermo', 'william'), 'alex' ->
    ('alexander', 'alexandra'), 'william' -> ('william',); a name not in the table is its
    own. (A canonical stays itself: expanding it too would double a name's grams.)"""
    return _nickname_table().get(token, (token,))


def given_canonicals(given: tuple[str, ...]) -> tuple[str, ...]:
    """Canonical forms of the first given name; a two-part name ("Min-jun", "Xiu Ying")
    also as one word, the way it is often written the second time."""
    if not given:
        return ()
    forms = canonical_given(given[0])
    if len(given) > 1:
        forms = tuple(dict.fromkeys((*forms, *canonical_given(given[0] + given[1]))))
    return forms


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


def features_from_applicant(applicant: Mapping[str, Any]) -> MatchFeatures:
    """Features of one applicant line (INTERFACE.md shape); missing parts become empty."""
    given = name_tokens(str(applicant.get("given_name") or ""))
    family = name_tokens(str(applicant.get("family_name") or ""), drop_particles=True)
    year, month, day = parse_birth_date(applicant.get("date_of_birth"))
    address = applicant.get("address") or {}
    place = normalise_address(
        str(address.get("line1") or ""),
        str(address.get("line2") or ""),
        re.sub(r"\D", "", str(address.get("postal_code") or "")),
    )
    return MatchFeatures(
        given=given,
        given_canonical=given_canonicals(given),
        family=family,
        birth_year=year,
        birth_month=month,
        birth_day=day,
        postal_code=place.postal_code,
        street=place.street,
        house_number=place.house_number,
        unit=place.unit,
    )
