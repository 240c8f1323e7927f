"""Every command module registers itself on the root app when imported here."""

from cityid.cli.commands import setup  # noqa: F401
