"""Every command module registers itself on the root app when imported here."""

from cityid.cli.commands import (  # noqa: F401
    accountability,
    appointments,
    audit,
    bench,
    cards,
    demo,
    disclosure,
    enrollment,
    keys,
    matching,
    notify,
    production,
    retention,
    setup,
    verifier_pack,
    witness,
)
