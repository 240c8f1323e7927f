"""The synthetic applicants' generator state: the seeded random source, the policy and
the day, and the person being made. Deterministic per seed: every draw goes through `Gen`.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from cityid.devtools.synth.names import COMMUNITIES, Community, Name
from cityid.devtools.synth.places import BOROUGHS
from cityid.policy.model import Policy


@dataclass(frozen=True)
class Plan:
    """A bundle of documents an applicant brings, and whether it was meant to pass."""

    key: str
    weight: float
    eligible: bool
    ages: tuple[int, int]
    needs_us_born: bool | None  # True: US-born only; False: foreign-born only
    build: Callable[[Gen, Person], list[dict[str, Any]]]


@dataclass
class Person:
    person_id: str
    community: Community
    gender: str | None
    given: Name
    family: tuple[Name, ...]
    native: bool
    dob: dt.date
    country: str
    us_born: bool
    address: dict[str, str]
    borough: str
    language: str
    plan: Plan
    documents: list[dict[str, Any]] = field(default_factory=list)
    extras: dict[str, Any] = field(default_factory=dict)


class Gen:
    """One generator run's state: the rng, the policy's places, image caches."""

    def __init__(self, policy: Policy, today: dt.date, seed: int, with_documents: bool) -> None:
        self.policy = policy
        self.today = today
        self.rng = random.Random(seed)  # noqa: S311 (test data must repeat per seed)
        self.with_documents = with_documents
        self.codes_by_borough: dict[str, list[str]] = {}
        for code in policy.residency.postal_codes:
            borough = next((b for b, (pre, _) in BOROUGHS.items() if code[:3] in pre), "")
            self.codes_by_borough.setdefault(borough, []).append(code)
        self.boroughs = [b for b in BOROUGHS if b in self.codes_by_borough] or [""]
        self.borough_weights = [BOROUGHS[b][1] if b else 1.0 for b in self.boroughs]
        self.community_weights = [c.weight for c in COMMUNITIES]
        self.avatars: dict[int, str] = {}

    def pick(self, weighted: tuple[tuple[str, float], ...]) -> str:
        return self.rng.choices([k for k, _ in weighted], [w for _, w in weighted])[0]

    def digits(self, n: int) -> str:
        return "".join(self.rng.choice("0123456789") for _ in range(n))

    def letters(self, n: int) -> str:
        return "".join(self.rng.choice("ABCDEFGHJKLMNPRSTUVWXYZ") for _ in range(n))

    def days_ahead(self, low: int, high: int) -> dt.date:
        return self.today + dt.timedelta(days=self.rng.randint(low, high))
