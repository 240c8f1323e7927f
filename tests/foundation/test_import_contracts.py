"""The house's layers are enforced, not hoped for: pyproject's import-linter contracts hold.

The contracts ([tool.importlinter] in pyproject.toml): no module imports a layer above
its own, cards and matching (and retention and disclosure) stay independent, no domain
imports development tooling, and no two sibling packages import each other. A second
test keeps the map complete: every module of cityid sits in some layer, so a new room
cannot slip past the contracts by not being named in them.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src"


def _lint_imports() -> str:
    beside = Path(sys.executable).with_name("lint-imports")
    found = str(beside) if beside.exists() else shutil.which("lint-imports")
    if found is None:
        pytest.fail("lint-imports is not installed (pip install -e '.[test]')")
    return found


def test_the_import_contracts_hold() -> None:
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    done = subprocess.run(
        [_lint_imports(), "--config", str(ROOT / "pyproject.toml"), "--no-cache"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 broken" in done.stdout


def _layer_modules() -> set[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    contracts = config["tool"]["importlinter"]["contracts"]
    (layers,) = [c for c in contracts if c["type"] == "layers"]
    names: set[str] = set()
    for layer in layers["layers"]:
        names.update(name.strip(" ()") for name in re.split(r"[|:]", layer))
    return names


def _modules() -> list[str]:
    found = []
    for path in sorted((SRC / "cityid").rglob("*.py")):
        parts = list(path.relative_to(SRC).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found.append(".".join(parts))
    return found


def test_every_module_sits_in_a_layer() -> None:
    layered = _layer_modules()

    def placed(module: str) -> bool:
        parts = module.split(".")
        return any(".".join(parts[:n]) in layered for n in range(2, len(parts) + 1))

    # The root package (its version) and the packages split across layers (cityid.staff:
    # its actor is kernel, its rules sit above policy) are containers, not rooms.
    containers = {"cityid", "cityid.staff"}
    outside = [m for m in _modules() if m not in containers and not placed(m)]
    assert outside == [], f"modules in no layer of pyproject's contract: {outside}"
