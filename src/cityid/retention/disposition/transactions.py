"""The runner's side of every execution step: it opens the transaction, the step does its
work inside it, the runner commits. The fault hooks (`runtime.faults`, no-op in
production) are called on both sides of each commit, so crash tests reach every point
where a process could die without the steps knowing about them."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from cityid.runtime import Runtime
from cityid.store.uow import UnitOfWork

T = TypeVar("T")


def in_step(runtime: Runtime, name: str, work: Callable[[UnitOfWork], T]) -> T:
    """Run `work` in its own transaction and commit it; a raise rolls everything back."""
    with UnitOfWork(runtime.engine) as uow:
        result = work(uow)
        runtime.faults.reached(f"{name}-before-commit")
        uow.commit()
    runtime.faults.reached(f"{name}-after-commit")
    return result


def read(runtime: Runtime, work: Callable[[UnitOfWork], T]) -> T:
    """Run `work` in a read-only unit of work (nothing to commit)."""
    with UnitOfWork(runtime.engine, read_only=True) as uow:
        return work(uow)
