"""`python -m cityid` is the `cityid` command."""

from cityid.cli import main

main()
