"""What the city still holds of the applications a request's scope covers.

An application is held when its row exists, no tombstone stands in its place, and its
cohort key still opens it. Nothing here decrypts a field: unwrapping a record's data
key is enough to know it can be read.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from cityid.crypto import KeyDestroyed, Keystore, RecordSealer, UnknownKey
from cityid.disclosure.scope import Scope
from cityid.enrollment.repository import sealed_key_of
from cityid.enrollment.tables import applications
from cityid.store.uow import UnitOfWork

# Retention (written in parallel) keeps tombstones here; guarded until its table exists.
TOMBSTONES_TABLE = "tombstones"


@dataclass(frozen=True)
class Holdings:
    in_scope: int
    held_ids: tuple[str, ...]  # for named applications; empty for a range (see held_count)
    held_count: int


def table_exists(uow: UnitOfWork, name: str) -> bool:
    return sa.inspect(uow.conn).has_table(name)


def table_columns(uow: UnitOfWork, name: str) -> set[str]:
    if not table_exists(uow, name):
        return set()
    return {column["name"] for column in sa.inspect(uow.conn).get_columns(name)}


def _scope_query(scope: Scope) -> sa.Select[Any]:
    query = sa.select(applications)
    if scope.application_ids:
        query = query.where(applications.c.application_id.in_(list(scope.application_ids)))
    if scope.date_from is not None:
        query = query.where(applications.c.enrolled_on >= scope.date_from)
    if scope.date_to is not None:
        query = query.where(applications.c.enrolled_on <= scope.date_to)
    return query.order_by(applications.c.enrolled_on, applications.c.application_id)


def _tombstoned(uow: UnitOfWork, ids: Sequence[str]) -> set[str]:
    columns = table_columns(uow, TOMBSTONES_TABLE)
    if "record_id" not in columns or not ids:
        return set()
    table = sa.table(TOMBSTONES_TABLE, sa.column("record_id"))
    rows = uow.conn.execute(sa.select(table.c.record_id).where(table.c.record_id.in_(list(ids))))
    return {str(r.record_id) for r in rows}


def opens(sealer: RecordSealer, row: Any) -> bool:
    try:
        sealer.open_key(sealed_key_of(row), row.application_id)
    except (KeyDestroyed, UnknownKey):
        return False
    return True


def held_rows(uow: UnitOfWork, scope: Scope, sealer: RecordSealer) -> Iterator[Any]:
    """The application rows in scope that are still held, in a stable order."""
    rows = uow.conn.execute(_scope_query(scope)).all()
    gone = _tombstoned(uow, [r.application_id for r in rows])
    for row in rows:
        if row.application_id not in gone and opens(sealer, row):
            yield row


def holdings(uow: UnitOfWork, keystore: Keystore, scope: Scope) -> Holdings:
    if scope.kind == "aggregate":
        return Holdings(in_scope=0, held_ids=(), held_count=0)
    with RecordSealer(keystore) as sealer:
        held = [row.application_id for row in held_rows(uow, scope, sealer)]
    if scope.application_ids:
        return Holdings(len(scope.application_ids), tuple(held), len(held))
    return Holdings(in_scope=len(held), held_ids=(), held_count=len(held))
