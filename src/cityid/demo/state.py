"""`make run`'s living console: the story's end state in a data dir, and its logins.

The story runs against the given (fresh) data dir; its exports (the bank's key set and
status list, the old backup, the certificate) stay beside it in `demo-files/`, and
`logins.txt` (0600) lists one generated username and password per role.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from cityid.demo.checks import StepResult
from cityid.demo.story import Story, story_settings, tell

LOGINS_FILE = "logins.txt"
FILES_DIR = "demo-files"
DEFAULT_STATE_SIZE = 1000


def write_logins(story: Story) -> Path:
    """DATA_DIR/logins.txt, readable by its owner only: role, username, password."""
    path = story.data_dir / LOGINS_FILE
    lines = ["cityid demo logins (generated; development only):"]
    lines += [
        f"  {role:<16} {username:<14} {password}"
        for role, username, password in story.cast.logins()
    ]
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")
    os.chmod(path, 0o600)
    return path


def load_end_state(
    data_dir: Path,
    size: int = DEFAULT_STATE_SIZE,
    *,
    on_result: Callable[[StepResult], None] = lambda _r: None,
    note: Callable[[str], None] = lambda _t: None,
) -> tuple[list[StepResult], Path | None]:
    """Tell the story into `data_dir` (new or empty); returns the results and the
    logins file (None when not even the staff could be made)."""
    data_dir = data_dir.resolve()
    story = Story(
        data_dir=data_dir,
        settings=story_settings(data_dir, throwaway=False),
        size=size,
        work_dir=data_dir / FILES_DIR,
        note=note,
    )
    try:
        results = tell(story, on_result)
    finally:
        story.close()
    logins = write_logins(story) if story.cast.passwords else None
    return results, logins
