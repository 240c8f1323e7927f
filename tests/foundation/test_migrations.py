"""Every schema change is a migration; they run up, down and up again on both databases."""

from __future__ import annotations

import sqlalchemy as sa

from cityid.store import make_engine, migrate


def test_upgrade_downgrade_upgrade(fresh_database_url: str) -> None:
    engine = make_engine(fresh_database_url, poolclass=sa.pool.NullPool)
    migrate.upgrade(engine)
    assert migrate.is_at_head(engine)
    tables_at_head = set(sa.inspect(engine).get_table_names())
    assert {"staff_users", "audit_entries", "audit_checkpoints"} <= tables_at_head

    migrate.downgrade(engine, "base")
    assert migrate.current_revisions(engine) == set()
    assert set(sa.inspect(engine).get_table_names()) <= {"alembic_version"}

    migrate.upgrade(engine)
    assert migrate.is_at_head(engine)
    assert set(sa.inspect(engine).get_table_names()) == tables_at_head
    engine.dispose()


def test_the_migrations_create_what_the_code_declares(database_url: str) -> None:
    """The tables the code uses (its MetaData) exist with the same columns."""
    import cityid.operations.tables  # noqa: F401  (registers every table)
    from cityid.store.schema import metadata

    engine = make_engine(database_url, poolclass=sa.pool.NullPool)
    inspector = sa.inspect(engine)
    for table in metadata.sorted_tables:
        columns = {c["name"] for c in inspector.get_columns(table.name)}
        assert columns == set(table.columns.keys()), table.name
    engine.dispose()
