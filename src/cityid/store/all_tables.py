"""Imports every module that declares tables, so the MetaData knows them all."""

from cityid.audit import tables as audit_tables
from cityid.enrollment import tables as enrollment_tables  # noqa: F401
from cityid.staff import tables as staff_tables

__all__ = ["audit_tables", "staff_tables"]
