"""cityid: records for a municipal identity card program."""

__version__ = "0.1.0"
