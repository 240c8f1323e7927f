"""Every command module registers itself on the root app when imported here."""

import cityid.cli.commands.cards  # noqa: F401
import cityid.cli.commands.disclosure
import cityid.cli.commands.enrollment
import cityid.cli.commands.matching
import cityid.cli.commands.retention  # noqa: F401
from cityid.cli.commands import audit, bench, demo, keys, setup  # noqa: F401
