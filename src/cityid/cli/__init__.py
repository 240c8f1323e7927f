"""The command line."""

from cityid.cli.app import app
from cityid.cli.main import main, run

__all__ = ["app", "main", "run"]
