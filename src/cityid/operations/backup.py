"""Database backups: the database only, never the keystore.

A backup is one SQLite file on both databases. From SQLite it is taken with SQLite's
online backup API (a consistent copy while others write). From PostgreSQL, cityid's
tables are copied row by row into a new SQLite file through SQLAlchemy in one
REPEATABLE READ transaction (a consistent snapshot, and portable: no pg_dump needed).

Restoring copies the rows into the data dir's database (SQLite or PostgreSQL) after
re-creating the schema. Keys are not in the file: a backup taken before a destruction
and restored after it opens every destroyed record as "destroyed" (its cohort key is
gone from the keystore) and every other record as it was.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Engine

from cityid.errors import BadInput, Refused
from cityid.retention.results import BackupWritten, Restored
from cityid.store import migrate
from cityid.store.engine import READ_ONLY_OPTION, make_engine, sqlite_url
from cityid.store.schema import metadata

COPY_PAGE = 5_000
SQLITE_MAGIC = b"SQLite format 3\x00"
VERSION_TABLE = "alembic_version"
_VERSIONS = sa.table(VERSION_TABLE, sa.column("version_num", sa.String(32)))


def _tables() -> list[sa.Table]:
    import cityid.operations.tables  # noqa: F401  (registers every table)

    return list(metadata.sorted_tables)


def create_backup(engine: Engine, out: Path) -> BackupWritten:
    """Write a backup of the database behind `engine` to `out` (which must not exist)."""
    out = out.resolve()
    if out.exists():
        raise Refused(f"{out} exists; refusing to overwrite it", code="exists")
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        if engine.dialect.name == "sqlite":
            _sqlite_online_backup(engine, partial)
        else:
            _logical_copy(engine, partial)
        partial.replace(out)
    finally:
        partial.unlink(missing_ok=True)
    return BackupWritten(str(out), out.stat().st_size, _row_counts(out))


def _sqlite_online_backup(engine: Engine, target: Path) -> None:
    raw = engine.raw_connection()
    try:
        source = raw.driver_connection
        assert isinstance(source, sqlite3.Connection)
        dest = sqlite3.connect(target)
        try:
            source.backup(dest)
        finally:
            dest.close()
    finally:
        raw.close()


def _logical_copy(engine: Engine, target: Path) -> None:
    dest = make_engine(sqlite_url(target), poolclass=sa.pool.NullPool)
    try:
        tables = _tables()
        with dest.begin() as out:
            metadata.create_all(out, tables=tables)
            out.exec_driver_sql(
                f"CREATE TABLE {VERSION_TABLE} (version_num VARCHAR(32) PRIMARY KEY)"
            )
        with engine.connect() as conn:
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
            with conn.begin(), dest.begin() as out:
                for table in tables:
                    for page in _pages(conn, table):
                        out.execute(table.insert(), page)
                versions = conn.execute(sa.select(_VERSIONS.c.version_num)).scalars().all()
                if versions:
                    out.execute(_VERSIONS.insert(), [{"version_num": v} for v in versions])
    finally:
        dest.dispose()


def _pages(conn: sa.Connection, table: sa.Table) -> Iterator[list[dict[str, Any]]]:
    result = conn.execute(sa.select(table).execution_options(yield_per=COPY_PAGE))
    for partition in result.mappings().partitions(COPY_PAGE):
        yield [dict(row) for row in partition]


def _row_counts(path: Path) -> int:
    with sqlite3.connect(path) as conn:
        names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
    return len(names)


def _check_backup_file(path: Path) -> None:
    try:
        with path.open("rb") as handle:
            magic = handle.read(len(SQLITE_MAGIC))
    except OSError as exc:
        raise BadInput(f"cannot read {path}: {exc.strerror or exc}") from None
    if magic != SQLITE_MAGIC:
        raise BadInput(f"{path} is not a cityid database backup")


def _holds_data(engine: Engine) -> bool:
    inspector = sa.inspect(engine)
    if "applications" not in inspector.get_table_names():
        return False
    with engine.connect() as conn:
        return conn.exec_driver_sql("SELECT 1 FROM applications LIMIT 1").first() is not None


def restore_backup(path: Path, engine: Engine, *, replace: bool = False) -> Restored:
    """Load a backup into the database behind `engine`: schema re-created, rows copied.

    Refuses a database that holds applications unless `replace` is given.
    """
    path = path.resolve()
    _check_backup_file(path)
    if _holds_data(engine) and not replace:
        raise Refused(
            "the target database holds applications; restore into an empty data dir or "
            "pass --replace",
            code="not_empty",
        )
    tables = _tables()
    source = make_engine(sqlite_url(path), poolclass=sa.pool.NullPool)
    try:
        _drop_everything(engine, tables)
        migrate.upgrade(engine)
        copied = 0
        with source.connect() as src, engine.begin() as dest:
            src.execution_options(**{READ_ONLY_OPTION: True})
            source_tables = set(sa.inspect(src).get_table_names())
            for table in tables:
                dest.execute(table.delete())  # rows seeded by migrations (the audit head)
            for table in tables:
                if table.name not in source_tables:
                    continue
                columns = {c["name"] for c in sa.inspect(src).get_columns(table.name)}
                selected = sa.select(*(c for c in table.columns if c.name in columns))
                result = src.execute(selected.execution_options(yield_per=COPY_PAGE))
                for partition in result.mappings().partitions(COPY_PAGE):
                    dest.execute(table.insert(), [dict(row) for row in partition])
                    copied += len(partition)
            if dest.dialect.name == "postgresql":
                _bump_sequences(dest, tables)
    finally:
        source.dispose()
    return Restored(str(path), copied)


def _drop_everything(engine: Engine, tables: list[sa.Table]) -> None:
    with engine.begin() as conn:
        metadata.drop_all(conn, tables=tables, checkfirst=True)
        conn.exec_driver_sql(f"DROP TABLE IF EXISTS {VERSION_TABLE}")
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql("DROP FUNCTION IF EXISTS cityid_refuse_hold_change() CASCADE")


def _bump_sequences(conn: sa.Connection, tables: list[sa.Table]) -> None:
    for table in tables:
        for column in table.primary_key.columns:
            if len(table.primary_key.columns) != 1 or not isinstance(column.type, sa.Integer):
                continue
            if column.autoincrement not in (True, "auto"):
                continue
            highest = conn.execute(sa.select(sa.func.max(column))).scalar()
            conn.execute(
                sa.text("SELECT setval(pg_get_serial_sequence(:t, :c), :v, false)"),
                {"t": table.name, "c": column.name, "v": int(highest or 0) + 1},
            )
