"""Fraud signals as pure rules: each returns flags for a person to review, never a verdict.

A flag is `{"kind", "of", "score"}` (INTERFACE.md): `of` names the other application
when there is one, `score` is 0..1 for similarity flags and None for counting rules.
Every threshold comes from `policy.matching`; callers bring the facts (search results,
token holders, timestamps), so these functions know nothing of storage.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

# The flag shape and the MRZ rule are enrollment's (its screening port); re-exported here.
from cityid.enrollment.screening import Flag as Flag
from cityid.enrollment.screening import FlagKind as FlagKind
from cityid.enrollment.screening import flag as flag
from cityid.enrollment.screening import mrz_failure as mrz_failure
from cityid.policy.model import Matching


def possible_duplicates(
    matches: Iterable[tuple[str, float]], matching: Matching, *, applicant_id: str | None = None
) -> list[Flag]:
    """One flag per enrolled record scoring at or above the policy's duplicate threshold."""
    best: dict[str, float] = {}
    for other, score in matches:
        if other != applicant_id and score >= matching.duplicate_threshold:
            best[other] = max(score, best.get(other, 0.0))
    ranked = sorted(best.items(), key=lambda p: (-p[1], p[0]))
    return [flag(FlagKind.POSSIBLE_DUPLICATE, other, score) for other, score in ranked]


def document_reuse(token_holders: Iterable[str], *, applicant_id: str | None = None) -> list[Flag]:
    """One flag per other application that presented a document with the same token.

    The caller passes the applications holding the token, leaving out the applicant's own
    earlier applications (a renewal presents the same passport and is not reuse).
    """
    others = sorted({h for h in token_holders if h != applicant_id})
    return [flag(FlagKind.DOCUMENT_REUSE, other) for other in others]


def _too_many(
    times: Iterable[dt.datetime], now: dt.datetime, window: dt.timedelta, limit: int
) -> bool:
    # the application being decided counts too, hence the + 1
    recent = sum(1 for t in times if now - window <= t <= now)
    return recent + 1 > limit


def address_velocity(
    earlier: Iterable[dt.datetime], now: dt.datetime, matching: Matching
) -> list[Flag]:
    """Flag when this application makes more than the limit at one address key in the window."""
    window = dt.timedelta(days=matching.address_window_days)
    if _too_many(earlier, now, window, matching.address_max_applications):
        return [flag(FlagKind.ADDRESS_VELOCITY)]
    return []


def clerk_velocity(
    earlier: Iterable[dt.datetime], now: dt.datetime, matching: Matching
) -> list[Flag]:
    """Flag when one clerk takes more applications than the limit in the window."""
    window = dt.timedelta(minutes=matching.clerk_window_minutes)
    if _too_many(earlier, now, window, matching.clerk_max_applications):
        return [flag(FlagKind.CLERK_VELOCITY)]
    return []


def document_expired(expires: dt.date | None, today: dt.date) -> list[Flag]:
    """Flag a document presented past its expiry date (eligibility decides its points)."""
    return [flag(FlagKind.DOCUMENT_EXPIRED)] if expires is not None and expires < today else []
