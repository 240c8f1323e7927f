"""Imports every module that declares tables, so the MetaData knows them all."""

from cityid.audit import tables as audit_tables
from cityid.cards import tables as cards_tables
from cityid.disclosure import tables as disclosure_tables
from cityid.enrollment import tables as enrollment_tables
from cityid.matching import tables as matching_tables
from cityid.retention import tables as retention_tables
from cityid.staff import tables as staff_tables

__all__ = [
    "audit_tables",
    "cards_tables",
    "disclosure_tables",
    "enrollment_tables",
    "matching_tables",
    "retention_tables",
    "staff_tables",
]
