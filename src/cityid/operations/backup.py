"""Database backups: the database only, never the keystore.

A backup is one SQLite file on both databases. From SQLite it is taken with SQLite's
online backup API (a consistent copy while others write). From PostgreSQL, cityid's
tables are copied row by row into a new SQLite file through SQLAlchemy in one
REPEATABLE READ transaction (a consistent snapshot, and portable: no pg_dump needed).

Restoring builds a complete new database beside the old one (a new SQLite file, a new
PostgreSQL schema), copies the rows in, then swaps it in: a restore that dies half-way
leaves the old database as it was. Keys are not in the file: a backup taken before a destruction
and restored after it opens every destroyed record as "destroyed" (its cohort key is
gone from the keystore) and every other record as it was.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Engine

from cityid.errors import BadInput, Refused
from cityid.retention.results import BackupWritten, Restored
from cityid.runtime import FaultHooks, NoFaults
from cityid.store import migrate
from cityid.store.engine import READ_ONLY_OPTION, make_engine, sqlite_url
from cityid.store.schema import metadata

COPY_PAGE = 5_000
# (stage, tables done, tables in all): how a door shows a long copy; never row contents.
Progress = Callable[[str, int, int], None]


def _no_progress(_stage: str, _done: int, _total: int) -> None:
    return None


SQLITE_MAGIC = b"SQLite format 3\x00"
VERSION_TABLE = "alembic_version"
_VERSIONS = sa.table(VERSION_TABLE, sa.column("version_num", sa.String(32)))


def _tables() -> list[sa.Table]:
    import cityid.operations.tables  # noqa: F401  (registers every table)

    return list(metadata.sorted_tables)


def create_backup(engine: Engine, out: Path, progress: Progress = _no_progress) -> BackupWritten:
    """Write a backup of the database behind `engine` to `out` (which must not exist)."""
    out = out.resolve()
    if out.exists():
        raise Refused(f"{out} exists; refusing to overwrite it", code="exists")
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".partial")
    partial.unlink(missing_ok=True)
    os.close(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))  # owner only
    try:
        if engine.dialect.name == "sqlite":
            _sqlite_online_backup(engine, partial)
        else:
            _logical_copy(engine, partial, progress)
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


def _logical_copy(engine: Engine, target: Path, progress: Progress) -> None:
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
                for done, table in enumerate(tables):
                    progress("backing up tables", done, len(tables))
                    for page in _pages(conn, table):
                        out.execute(table.insert(), page)
                progress("backing up tables", len(tables), len(tables))
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


def restore_backup(
    path: Path,
    engine: Engine,
    *,
    replace: bool = False,
    faults: FaultHooks | None = None,
    progress: Progress = _no_progress,
) -> Restored:
    """Load a backup into the database behind `engine`, keeping the old one until the new
    one is complete.

    SQLite: the backup is restored into a new file beside the database, which then
    replaces it in one rename. PostgreSQL: into a new schema, which then takes the old
    one's name in one transaction (the old schema is dropped in the same transaction). A
    restore killed at any point leaves the old database as it was; the next restore
    clears what the killed one left. Refuses a database that holds applications unless
    `replace` is given. The server must be stopped while a restore runs.
    """
    path = path.resolve()
    _check_backup_file(path)
    if _holds_data(engine) and not replace:
        raise Refused(
            "the target database holds applications; restore into an empty data dir or "
            "pass --replace",
            code="not_empty",
        )
    hooks = faults or NoFaults()
    source = make_engine(sqlite_url(path), poolclass=sa.pool.NullPool)
    try:
        if engine.dialect.name == "sqlite":
            copied = _restore_sqlite(source, engine, hooks, progress)
        else:
            copied = _restore_postgresql(source, engine, hooks, progress)
    finally:
        source.dispose()
    return Restored(str(path), copied)


def _copy_rows(source: Engine, dest: Engine, hooks: FaultHooks, progress: Progress) -> int:
    """Every table's rows from the backup into a database freshly migrated to head."""
    tables = _tables()
    copied = 0
    with source.connect() as src, dest.begin() as out:
        src.execution_options(**{READ_ONLY_OPTION: True})
        source_tables = set(sa.inspect(src).get_table_names())
        for table in tables:
            out.execute(table.delete())  # rows seeded by migrations (the audit head)
        for done, table in enumerate(tables):
            progress("restoring tables", done, len(tables))
            if table.name not in source_tables:
                continue
            columns = {c["name"] for c in sa.inspect(src).get_columns(table.name)}
            selected = sa.select(*(c for c in table.columns if c.name in columns))
            result = src.execute(selected.execution_options(yield_per=COPY_PAGE))
            for partition in result.mappings().partitions(COPY_PAGE):
                out.execute(table.insert(), [dict(row) for row in partition])
                copied += len(partition)
            hooks.reached("restore.table_copied")
        progress("restoring tables", len(tables), len(tables))
        if out.dialect.name == "postgresql":
            _bump_sequences(out, tables)
    return copied


def _restore_sqlite(source: Engine, engine: Engine, hooks: FaultHooks, progress: Progress) -> int:
    target = Path(str(engine.url.database)).resolve()
    staging = target.with_name(target.name + ".restoring")
    _remove_sqlite_files(staging)  # what a killed restore left
    fd = os.open(staging, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.close(fd)
    new = make_engine(sqlite_url(staging), poolclass=sa.pool.NullPool)
    try:
        migrate.upgrade(new)
        copied = _copy_rows(source, new, hooks, progress)
    finally:
        new.dispose()
    done = sqlite3.connect(staging, isolation_level=None)
    try:  # one self-contained file: no -wal beside it to lose in the rename
        done.execute("PRAGMA journal_mode=DELETE")
    finally:
        done.close()
    hooks.reached("restore.complete")
    engine.dispose()
    if target.exists():
        # Fold the old database's write-ahead log into it, then drop the log, so no
        # page of the old database is ever replayed onto the new one.
        old = sqlite3.connect(target)
        try:
            old.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            old.close()
        for suffix in ("-wal", "-shm"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
    os.replace(staging, target)
    _fsync_directory(target.parent)
    return copied


def _remove_sqlite_files(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def _fsync_directory(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _restore_postgresql(
    source: Engine, engine: Engine, hooks: FaultHooks, progress: Progress
) -> int:
    with engine.connect() as conn:
        schema = str(conn.exec_driver_sql("SELECT current_schema()").scalar_one())
    staging, retired = _quoted(schema[:50] + "_restoring"), _quoted(schema[:50] + "_retired")
    with engine.begin() as conn:  # what a killed restore left
        conn.exec_driver_sql(f"DROP SCHEMA IF EXISTS {staging} CASCADE")
        conn.exec_driver_sql(f"CREATE SCHEMA {staging}")
    url = engine.url.difference_update_query(["options"])
    new = make_engine(
        url.render_as_string(hide_password=False),
        poolclass=sa.pool.NullPool,
        connect_args={"options": f"-csearch_path={schema[:50]}_restoring"},
    )
    try:
        migrate.upgrade(new)
        copied = _copy_rows(source, new, hooks, progress)
    finally:
        new.dispose()
    hooks.reached("restore.complete")
    with engine.begin() as conn:  # the swap: all of it or none of it
        conn.exec_driver_sql(f"DROP SCHEMA IF EXISTS {retired} CASCADE")
        conn.exec_driver_sql(f"ALTER SCHEMA {_quoted(schema)} RENAME TO {retired}")
        conn.exec_driver_sql(f"ALTER SCHEMA {staging} RENAME TO {_quoted(schema)}")
        conn.exec_driver_sql(f"DROP SCHEMA {retired} CASCADE")
    engine.dispose()  # pooled connections may hold plans for the old tables
    return copied


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


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
