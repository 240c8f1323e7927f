"""Content negotiation for the public formats (RFC 9110, section 12.5.1): pick the
representation a client's `Accept` header ranks highest among those a route offers."""

from __future__ import annotations

from collections.abc import Sequence

from cityid.errors import CityIdError


class NotAcceptable(CityIdError):
    """The client accepts none of the representations offered (HTTP 406)."""

    code = "not_acceptable"
    http_status = 406


def _ranges(accept: str) -> list[tuple[str, float]]:
    """(media range, q) pairs; a malformed q counts as 0 (not acceptable), as the RFC asks."""
    ranges = []
    for part in accept.split(","):
        media, *params = (p.strip() for p in part.split(";"))
        if not media:
            continue
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        ranges.append((media.lower(), quality))
    return ranges


def _quality(offer: str, ranges: list[tuple[str, float]]) -> float:
    """The q of the most specific range that matches `offer` (0 when none does)."""
    kind = offer.split("/")[0]
    best: tuple[int, float] = (-1, 0.0)
    for media, quality in ranges:
        if media == offer:
            specificity = 2
        elif media == f"{kind}/*":
            specificity = 1
        elif media == "*/*":
            specificity = 0
        else:
            continue
        best = max(best, (specificity, quality))
    return best[1]


def choose(accept: str | None, offers: Sequence[str]) -> str:
    """The offer to send; the first when there is no Accept header; 406 when none fits.

    Ties go to the earlier offer, so a route lists its canonical form first."""
    if not accept or not accept.strip():
        return offers[0]
    ranges = _ranges(accept)
    scored = [(_quality(offer, ranges), -position, offer) for position, offer in enumerate(offers)]
    quality, _, offer = max(scored)
    if quality <= 0:
        raise NotAcceptable(f"this resource is available as {', '.join(offers)}")
    return offer
