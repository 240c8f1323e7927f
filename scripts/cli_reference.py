"""Write docs/cli.md, the command reference, from the Typer app itself.

    python scripts/cli_reference.py           # rewrite docs/cli.md
    python scripts/cli_reference.py --check   # exit 1 if docs/cli.md is stale

Every visible command, in the order `cityid --help` lists them, with its help text, its
arguments and options (type, default, help). The output depends on the code only (no
terminal width, no environment), so tests/foundation/test_reference_docs.py can say when
a command changed and the page was not regenerated.
"""

from __future__ import annotations

import argparse
import enum
import sys
import typing
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import typer.main

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "cli.md"

HEADER = """# Command reference

Generated from the commands themselves by `scripts/cli_reference.py`; do not edit by
hand (a test fails when this page and the code disagree). Options shown for `cityid`
itself may stand anywhere on the line. Every command prints exactly one JSON document on
stdout with `--json`; progress, when a command shows any, goes to stderr.
See [interface.md](interface.md) for the JSON each command answers with.
"""


def _app() -> Any:
    from cityid.cli import app, commands  # noqa: F401  (importing commands registers them)

    return typer.main.get_command(app)


def _subcommands(command: Any) -> list[tuple[str, Any]]:
    return [(n, c) for n, c in getattr(command, "commands", {}).items() if not c.hidden]


def _walk(command: Any, path: list[str]) -> Iterator[tuple[list[str], Any]]:
    yield path, command
    for name, sub in _subcommands(command):
        yield from _walk(sub, [*path, name])


def _one_line(text: str | None) -> str:
    return " ".join((text or "").split()).replace("|", "\\|")


def _is_argument(param: Any) -> bool:
    return "Argument" in type(param).__name__


def _type(param: Any) -> str:
    if getattr(param, "is_flag", False):
        return "flag"
    annotation = param.type_descriptor.annotation
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    if typing.get_origin(annotation) is typing.Literal:
        return " \\| ".join(str(a) for a in args)
    if args and typing.get_origin(annotation) is not typing.Literal:
        annotation = args[0]  # X | None, list[X]
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return " \\| ".join(str(m.value) for m in annotation)
    name = getattr(annotation, "__name__", str(annotation)).lower()
    if param.multiple:
        name += ", repeatable"
    return name


def _default(param: Any) -> str:
    value = param.default
    if getattr(param, "is_flag", False) or value is None or callable(value):
        return ""
    if isinstance(value, list | tuple) and not value:
        return ""
    if isinstance(value, enum.Enum):
        value = value.value
    return f"`{value}`"


def _params(command: Any) -> list[str]:
    rows = []
    for param in command.params:
        if param.hidden or param.name == "help":
            continue
        if _is_argument(param):
            name = f"`{param.name.upper()}`"
        else:
            name = ", ".join(f"`{opt}`" for opt in [*param.opts, *param.secondary_opts])
        required = " (required)" if param.required else ""
        rows.append(
            f"| {name}{required} | {_type(param)} | {_default(param)} "
            f"| {_one_line(getattr(param, 'help', None))} |"
        )
    if not rows:
        return []
    return ["| argument or option | type | default | meaning |", "| --- | --- | --- | --- |", *rows]


def render() -> str:
    """The whole page, as text."""
    lines = [HEADER]
    for path, command in _walk(_app(), ["cityid"]):
        lines.append(f"## `{' '.join(path)}`\n")
        if command.help:
            lines.append(_one_line(command.help) + "\n")
        subs = _subcommands(command)
        if subs:
            lines.append("Commands: " + ", ".join(f"`{name}`" for name, _ in subs) + ".\n")
        params = _params(command)
        if params:
            lines.append("\n".join(params) + "\n")
    return "\n".join(lines).rstrip() + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if docs/cli.md is stale")
    args = parser.parse_args(argv)
    text = render()
    if args.check:
        current = OUT.read_text(encoding="utf-8") if OUT.exists() else ""
        if current != text:
            print("docs/cli.md is stale: run python scripts/cli_reference.py", file=sys.stderr)
            return 1
        return 0
    OUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
