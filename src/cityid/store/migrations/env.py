"""Alembic environment: migrations run on the connection cityid hands over."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from cityid.store.schema import metadata


def run_migrations(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        transaction_per_migration=False,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("cityid runs migrations with `cityid.store.migrate`, not the alembic CLI")
run_migrations(connection)
