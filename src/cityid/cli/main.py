"""The `cityid` command: a thin door onto the services.

Exit status (../shared/INTERFACE.md): 0 success, 1 refused or failed (with --json the
document is `{"error": {"code", "message"}}`), 2 bad usage. Never a traceback.
"""

from __future__ import annotations

import logging
import os
import sys

import typer

from cityid.cli.app import GLOBAL_FLAGS, GLOBAL_VALUED, app
from cityid.cli.door import fail
from cityid.errors import CityIdError


def _hoist_global_options(argv: list[str]) -> list[str]:
    """Move global options to the front so they work before or after the command."""
    hoisted: list[str] = []
    rest: list[str] = []
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg == "--":
            rest.extend(argv[i:])
            break
        name = arg.split("=", 1)[0]
        if arg in GLOBAL_FLAGS or (name in GLOBAL_VALUED and "=" in arg):
            hoisted.append(arg)
        elif arg in GLOBAL_VALUED and i + 1 < len(argv):
            hoisted.extend(argv[i : i + 2])
            i += 1
        else:
            rest.append(arg)
        i += 1
    return hoisted + rest


def run(argv: list[str] | None = None) -> int:
    from cityid.cli import commands  # noqa: F401  (registers the commands)

    args = _hoist_global_options(list(sys.argv[1:] if argv is None else argv))
    json_mode = "--json" in args
    logging.basicConfig(
        level=logging.DEBUG if os.environ.get("CITYID_DEBUG") else logging.WARNING,
        format="cityid: %(levelname)s: %(message)s",
        stream=sys.stderr,
    )
    command = typer.main.get_command(app)
    try:
        result = command.main(args=args, prog_name="cityid", standalone_mode=False)
    except CityIdError as exc:
        return fail(json_mode, exc.code, exc.message, 1)
    except typer.Exit as exc:
        return int(exc.exit_code)
    except typer.Abort:
        return fail(json_mode, "aborted", "aborted", 1)
    except typer.TyperException as exc:  # click's usage errors, as Typer vendors them
        status = int(getattr(exc, "exit_code", 2))
        message = exc.format_message() if hasattr(exc, "format_message") else str(exc)
        ctx = getattr(exc, "ctx", None)
        hint = f" (see `{ctx.command_path} --help`)" if ctx is not None else ""
        return fail(json_mode, "usage" if status == 2 else "error", f"{message}{hint}", status)
    except KeyboardInterrupt:
        return fail(json_mode, "interrupted", "interrupted", 1)
    except Exception as exc:  # a bug: say so in one line, details only with CITYID_DEBUG
        if os.environ.get("CITYID_DEBUG"):
            raise
        return fail(
            json_mode,
            "internal",
            f"internal error ({type(exc).__name__}); rerun with CITYID_DEBUG=1 for details",
            1,
        )
    return result if isinstance(result, int) else 0


def main() -> None:
    sys.exit(run())
