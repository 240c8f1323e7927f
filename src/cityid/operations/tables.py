"""Imports every module that declares tables, so the MetaData knows them all."""

from cityid.accountability import tables as accountability_tables
from cityid.appointments import tables as appointments_tables
from cityid.audit import tables as audit_tables
from cityid.cards import tables as cards_tables
from cityid.disclosure import tables as disclosure_tables
from cityid.enrollment import tables as enrollment_tables
from cityid.matching import tables as matching_tables
from cityid.notices import tables as notices_tables
from cityid.production import tables as production_tables
from cityid.retention import tables as retention_tables
from cityid.staff import tables as staff_tables

__all__ = [
    "accountability_tables",
    "appointments_tables",
    "audit_tables",
    "cards_tables",
    "disclosure_tables",
    "enrollment_tables",
    "matching_tables",
    "notices_tables",
    "production_tables",
    "retention_tables",
    "staff_tables",
]
