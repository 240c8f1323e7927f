"""A token bucket per client, for the public verifier.

In-process: each web worker keeps its own buckets, so N workers allow up to N times the
rate. That is enough to stop a script hammering one worker; a city that needs an exact
limit across workers puts it in the reverse proxy (or a shared store) in front.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

from cityid.errors import Refused


class RateLimited(Refused):
    code = "rate_limited"
    http_status = 429


@dataclass
class TokenBuckets:
    capacity: float = 30.0  # a burst: a clerk checking a queue of cards
    refill_per_second: float = 1.0
    max_clients: int = 10_000
    _buckets: dict[str, tuple[float, float]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def take(self, client: str, now: float | None = None) -> None:
        """Spend one token of `client`'s bucket, or raise RateLimited."""
        moment = time.monotonic() if now is None else now
        with self._lock:
            tokens, last = self._buckets.get(client, (self.capacity, moment))
            tokens = min(self.capacity, tokens + (moment - last) * self.refill_per_second)
            if tokens < 1.0:
                self._buckets[client] = (tokens, moment)
                raise RateLimited("too many checks from this address; wait a moment")
            if len(self._buckets) >= self.max_clients and client not in self._buckets:
                self._buckets.clear()  # bounded memory: forgetting only ever lets more through
            self._buckets[client] = (tokens - 1.0, moment)
