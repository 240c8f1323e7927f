"""Fault hooks for crash and race tests: kill the process at the Nth point, or pause.

`CITYID_RETENTION_CRASH_AT=N` sends SIGKILL to this process at the Nth fault point a
runtime reaches (`0` only counts them); `CITYID_RETENTION_CHUNK_PAUSE=SECONDS` sleeps
after each committed chunk. The doors (the CLI context, the web app factory) pass
`from_environment()` to `cityid.bootstrap.open_runtime`: hooks only when one of the two
is set, else None and the runtime runs the no-op hooks.
"""

from __future__ import annotations

import os
import signal
import time
from dataclasses import dataclass

CRASH_ENV = "CITYID_RETENTION_CRASH_AT"
PAUSE_ENV = "CITYID_RETENTION_CHUNK_PAUSE"


@dataclass
class CrashAndPause:
    """Counts fault points; kills the process at `crash_at` (0: never); pauses per chunk."""

    crash_at: int = 0
    pause_seconds: float = 0.0
    reached_count: int = 0

    def reached(self, point: str) -> None:
        self.reached_count += 1
        if self.reached_count == self.crash_at:
            os.kill(os.getpid(), signal.SIGKILL)

    def chunk_committed(self) -> None:
        if self.pause_seconds:
            time.sleep(self.pause_seconds)


def from_environment() -> CrashAndPause | None:
    crash, pause = os.environ.get(CRASH_ENV), os.environ.get(PAUSE_ENV)
    if not crash and not pause:
        return None
    return CrashAndPause(crash_at=int(crash or 0), pause_seconds=float(pause or 0))
