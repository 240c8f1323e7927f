"""Test hooks for crash and race tests: kill the process at the Nth crash point, or pause.

`CITYID_RETENTION_CRASH_AT=N` sends SIGKILL to this process at the Nth crash point it
reaches (counted per runtime); `CITYID_RETENTION_CHUNK_PAUSE=SECONDS` sleeps after each
committed chunk. Both are off unless set, and cost one dictionary lookup when off.
"""

from __future__ import annotations

import os
import signal
import time

from cityid.runtime import Runtime

CRASH_ENV = "CITYID_RETENTION_CRASH_AT"
PAUSE_ENV = "CITYID_RETENTION_CHUNK_PAUSE"
_COUNTER = "retention.crash_points"


def crash_point(runtime: Runtime, name: str) -> None:
    target = os.environ.get(CRASH_ENV)
    if not target:
        return
    reached = runtime._extras.get(_COUNTER, 0) + 1
    runtime._extras[_COUNTER] = reached
    if reached == int(target):
        os.kill(os.getpid(), signal.SIGKILL)


def crash_points_reached(runtime: Runtime) -> int:
    return int(runtime._extras.get(_COUNTER, 0))


def chunk_pause() -> None:
    pause = os.environ.get(PAUSE_ENV)
    if pause:
        time.sleep(float(pause))
