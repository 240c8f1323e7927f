"""Every command module registers itself on the root app when imported here."""

from cityid.cli.commands import bench, keys, setup  # noqa: F401
