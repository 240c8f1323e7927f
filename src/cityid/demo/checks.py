"""What the story's steps share: how a step fails, its result, and what is wired yet."""

from __future__ import annotations

import importlib
import importlib.util
import inspect
from dataclasses import dataclass
from typing import Any


class StepFailed(Exception):
    """A step's outcome differed from the story's: `detail` says how."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


def expect(condition: bool, detail: str) -> None:
    if not condition:
        raise StepFailed(detail)


@dataclass
class StepResult:
    name: str
    ok: bool
    detail: str

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "ok": self.ok, "detail": self.detail}


# --- what is wired yet ------------------------------------------------------------------


def duplicate_search_wired() -> bool:
    """True once the composition root binds enrollment's screening port to matching's
    1:N duplicate search."""
    if importlib.util.find_spec("cityid.matching.screener") is None:
        return False
    from cityid import bootstrap

    return "MatchingScreener" in inspect.getsource(bootstrap)


_RETENTION_NEEDS = {
    "cityid.retention.holds": ("place_hold", "release_hold"),
    "cityid.retention.disposition": ("plan", "approve", "execute", "certificate_document"),
    "cityid.retention.certificate": ("verify_certificate",),
    "cityid.operations.backup": ("create_backup", "restore_backup"),
    "cityid.retention.receipts": ("issue_receipts", "verify_against_log"),
}


def retention_missing() -> str | None:
    """None when every retention service the story needs is there; else what is not."""
    for module_name, names in _RETENTION_NEEDS.items():
        try:
            module = importlib.import_module(module_name)
        except Exception as exc:  # a module half written: say so, do not crash the story
            return f"{module_name} does not import ({type(exc).__name__})"
        for name in names:
            if not callable(getattr(module, name, None)):
                return f"{module_name}.{name} is missing"
    return None


def need_retention() -> None:
    missing = retention_missing()
    if missing is not None:
        raise StepFailed(f"retention not available: {missing}")
