"""Counts that issue 18 (one way through the house) tracks, measured on src/cityid.

    .venv/bin/python scripts/house_counts.py [--json]

Each count is something the redesign drives to zero (or down): door code written out by
hand, services returning untyped dicts, private per-process state, oversized functions
and modules. Runs on the AST only; imports nothing from cityid.
"""

from __future__ import annotations

import ast
import json
import sys
from collections import Counter
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src" / "cityid"


def _modules() -> list[tuple[Path, ast.Module, str]]:
    found = []
    for path in sorted(SRC.rglob("*.py")):
        text = path.read_text("utf-8")
        found.append((path, ast.parse(text), text))
    return found


def _is_dict_any(node: ast.expr | None) -> bool:
    return node is not None and ast.unparse(node).replace(" ", "") in (
        "dict[str,Any]",
        "list[dict[str,Any]]",
    )


def count() -> dict[str, int]:
    counts: Counter[str] = Counter()
    for path, tree, text in _modules():
        rel = path.relative_to(SRC).as_posix()
        lines = text.count("\n") + 1
        if lines > 500:
            counts["modules_over_500_lines"] += 1
        in_routes = rel.startswith("web/routes/")
        in_cli = rel.startswith("cli/")
        counts["runtime_extras_uses"] += text.count("_extras[") + text.count("_extras.get(")
        counts["runtime_extras_uses"] += text.count("_extras.setdefault(")
        if in_routes:
            counts["web_route_uow_commits"] += text.count("uow.commit()")
            counts["web_depends_get_runtime"] += text.count("Depends(get_runtime)")
            counts["web_depends_get_uow"] += text.count("Depends(get_uow)")
        if in_cli:
            counts["cli_unit_of_work_opened"] += text.count("UnitOfWork(")
        for node in ast.walk(tree):
            enum_bases = ("Enum", "StrEnum", "IntEnum", "enum.Enum")
            if isinstance(node, ast.ClassDef) and any(
                ast.unparse(base) in enum_bases for base in node.bases
            ):
                counts["enums"] += 1
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            length = (node.end_lineno or node.lineno) - node.lineno + 1
            if length > 80:
                counts["functions_over_80_lines"] += 1
            public = not node.name.startswith("_")
            if public and not in_routes and not in_cli and _is_dict_any(node.returns):
                counts["public_functions_returning_dict_any"] += 1
            if in_routes and isinstance(node, ast.AsyncFunctionDef):
                counts["async_routes"] += 1
    return dict(sorted(counts.items()))


def main() -> None:
    counts = count()
    if "--json" in sys.argv:
        print(json.dumps(counts, indent=2))
        return
    width = max(len(name) for name in counts)
    for name, value in counts.items():
        print(f"{name:<{width}}  {value}")


if __name__ == "__main__":
    main()
