"""The command line."""

from cityid.cli.main import app, main, run

__all__ = ["app", "main", "run"]
