"""Storage: engines, the unit of work, tables' shared metadata and migrations."""

from cityid.store.engine import check_database, make_engine, sqlite_url
from cityid.store.uow import UnitOfWork

__all__ = ["UnitOfWork", "check_database", "make_engine", "sqlite_url"]
