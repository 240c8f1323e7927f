"""The story's stage: the data dir it runs in, the people in it, what each step left."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cityid.demo import backlog
from cityid.demo.cast import Cast
from cityid.demo.checks import StepFailed
from cityid.runtime import Runtime
from cityid.settings import Settings
from cityid.store.uow import UnitOfWork

Note = Callable[[str], None]


@dataclass
class Story:
    """The data dir the story runs in, the people in it, and what each step left."""

    data_dir: Path
    settings: Settings
    size: int
    work_dir: Path  # exports a bank would keep, the old backup, the restored copy
    note: Note = lambda _text: None
    runtime: Runtime | None = None
    cast: Cast = field(default_factory=Cast)
    enrolled: backlog.Enrolled = field(default_factory=backlog.Enrolled)
    copies: int = 0
    facts: dict[str, Any] = field(default_factory=dict)

    @property
    def rt(self) -> Runtime:
        if self.runtime is None:
            raise StepFailed("the data dir was never opened (the first step failed)")
        return self.runtime

    def uow(self, *, read_only: bool = False) -> UnitOfWork:
        return UnitOfWork(self.rt.engine, read_only=read_only)

    def fact(self, name: str) -> Any:
        if name not in self.facts:
            raise StepFailed(f"an earlier step did not leave its result ({name})")
        return self.facts[name]

    def close(self) -> None:
        if self.runtime is not None:
            self.runtime.keystore.close()
            self.runtime.close()
