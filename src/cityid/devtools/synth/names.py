"""Name pools for synthetic New Yorkers, by the city's main language communities.

Each name is (Latin spelling, native script or None). Weights are rough shares of the
city's applicant population, enough to make test data look like a day at a centre.
The pools live in names.toml beside this module (shipped as package data) and are read
once, at import.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from importlib import resources
from typing import Any

Name = tuple[str, str | None]


@dataclass(frozen=True)
class Community:
    key: str
    weight: float
    languages: tuple[tuple[str, float], ...]
    countries: tuple[str, ...]
    us_born_share: float
    given_f: tuple[Name, ...]
    given_m: tuple[Name, ...]
    family_f: tuple[Name, ...]
    family_m: tuple[Name, ...]
    native_share: float = 0.0
    double_surname_share: float = 0.0


def _names(rows: list[list[str]]) -> tuple[Name, ...]:
    # A row is [latin] or [latin, native]; TOML has no null.
    return tuple((row[0], row[1] if len(row) > 1 else None) for row in rows)


def _community(raw: dict[str, Any]) -> Community:
    return Community(
        key=raw["key"],
        weight=raw["weight"],
        languages=tuple((lang, share) for lang, share in raw["languages"]),
        countries=tuple(raw["countries"]),
        us_born_share=raw["us_born_share"],
        given_f=_names(raw["given_f"]),
        given_m=_names(raw["given_m"]),
        family_f=_names(raw["family_f"]),
        family_m=_names(raw["family_m"]),
        native_share=raw["native_share"],
        double_surname_share=raw["double_surname_share"],
    )


_DATA = tomllib.loads(
    resources.files("cityid.devtools.synth").joinpath("names.toml").read_text(encoding="utf-8")
)

COMMUNITIES: tuple[Community, ...] = tuple(_community(raw) for raw in _DATA["communities"])

# Nicknames and common alternative spellings people really give at a second visit.
NICKNAMES: dict[str, tuple[str, ...]] = {
    name: tuple(alternatives) for name, alternatives in _DATA["nicknames"].items()
}
