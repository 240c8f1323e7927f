"""The composition root: how a door (the CLI, a web worker) opens one process's runtime.

`open_runtime` is `Runtime.open` plus what only the composition may choose: the binding
of ports a lower room defines and a higher one implements (enrollment's intake screener,
answered by matching) and the per-process services, every one listed here in
`PROCESS_SERVICES` and built here. Both doors open their runtimes here, so a CLI run and
a web worker are built the same way; the doors also pass the fault hooks a crash test
asks for (`cityid.devtools.faults.from_environment`), which this module never imports.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cityid.accountability.guard import AccessGuard
from cityid.audit.service import AUDIT_TREE
from cityid.cards.rate_limit import TokenBuckets
from cityid.enrollment.access import READ_GUARD
from cityid.enrollment.screening import INTAKE_SCREENER
from cityid.enrollment.service import MODE_CHANGES_SEEN
from cityid.matching.index_store import MATCH_INDEX
from cityid.matching.screener import MatchingScreener
from cityid.runtime import FaultHooks, ProcessService, Runtime
from cityid.settings import Settings

# The public verifier: a token bucket per client address (cards.rate_limit explains why
# per process is enough).
PUBLIC_VERIFY_LIMITER: ProcessService[TokenBuckets] = ProcessService(
    "public verifier rate limiter", TokenBuckets
)
# Guessing a date of birth for a known reference must be slow: 10 tries, then 1 a minute.
APPLICANT_LOOKUP_LIMITER: ProcessService[TokenBuckets] = ProcessService(
    "applicant self-service rate limiter",
    lambda: TokenBuckets(capacity=10, refill_per_second=1 / 60),
)
# Booking online: 5 bookings from one address, then one each 10 minutes.
APPOINTMENT_BOOKING_LIMITER: ProcessService[TokenBuckets] = ProcessService(
    "appointment booking rate limiter",
    lambda: TokenBuckets(capacity=5, refill_per_second=1 / 600),
)

# Every per-process service: caches, the match index and its lock, rate limiters.
PROCESS_SERVICES: tuple[ProcessService[Any], ...] = (
    AUDIT_TREE,
    MATCH_INDEX,
    MODE_CHANGES_SEEN,
    PUBLIC_VERIFY_LIMITER,
    APPLICANT_LOOKUP_LIMITER,
    APPOINTMENT_BOOKING_LIMITER,
)


def compose(runtime: Runtime) -> Runtime:
    """Bind the ports, then build every per-process service; returns the runtime. Its
    `opener` is `open_runtime`, so worker processes it starts are composed the same way."""
    runtime.opener = open_runtime
    runtime.services.bind(INTAKE_SCREENER, MatchingScreener)
    runtime.services.bind(READ_GUARD, AccessGuard)
    for key in PROCESS_SERVICES:
        runtime.services.get(key)
    return runtime


def open_runtime(
    data_dir: Path | None = None,
    settings: Settings | None = None,
    *,
    faults: FaultHooks | None = None,
) -> Runtime:
    """This process's runtime over `data_dir`, composed: ports and services bound."""
    return compose(Runtime.open(data_dir, settings, faults=faults))
