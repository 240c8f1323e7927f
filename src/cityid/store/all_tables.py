"""Imports every module that declares tables, so the MetaData knows them all."""

from cityid.audit import tables as audit_tables
from cityid.cards import tables as cards_tables  # noqa: F401
from cityid.disclosure import tables as disclosure_tables  # noqa: F401
from cityid.enrollment import tables as enrollment_tables  # noqa: F401
from cityid.matching import tables as matching_tables  # noqa: F401
from cityid.retention import tables as retention_tables  # noqa: F401
from cityid.staff import tables as staff_tables

__all__ = ["audit_tables", "staff_tables"]
