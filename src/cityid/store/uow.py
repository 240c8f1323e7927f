"""The unit of work: one database transaction that a service does its whole job in.

Services take a `UnitOfWork`, do their reads and writes on `uow.conn`, append their
audit entries on the same connection, and commit once. Leaving the block without a
commit rolls everything back, so no action exists without its audit entry.
"""

from __future__ import annotations

from types import TracebackType
from typing import Self

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DBAPIError, OperationalError

from cityid.errors import Unavailable
from cityid.store.engine import READ_ONLY_OPTION, describe_url


class UnitOfWork:
    """`with UnitOfWork(engine) as uow: ...; uow.commit()`.

    The connection begins a transaction on first use (SQLAlchemy's autobegin); after a
    commit the next statement begins a new one. `read_only=True` lets SQLite readers
    run beside a writer.
    """

    def __init__(self, engine: Engine, *, read_only: bool = False) -> None:
        self._engine = engine
        self._read_only = read_only
        self._conn: Connection | None = None

    @property
    def conn(self) -> Connection:
        if self._conn is None:
            raise RuntimeError("the unit of work is not open: use it in a `with` block")
        return self._conn

    @property
    def engine(self) -> Engine:
        return self._engine

    def __enter__(self) -> Self:
        try:
            conn = self._engine.connect()
        except (OperationalError, DBAPIError) as exc:
            raise Unavailable(
                f"the database at {describe_url(str(self._engine.url))} does not answer"
            ) from exc
        if self._read_only:
            conn = conn.execution_options(**{READ_ONLY_OPTION: True})
        self._conn = conn
        return self

    def commit(self) -> None:
        self.conn.commit()

    def rollback(self) -> None:
        self.conn.rollback()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        conn, self._conn = self._conn, None
        if conn is None:
            return
        try:
            conn.rollback()
        finally:
            conn.close()
