"""Bulk inserts of plain tuples, for the million-row paths (audit appends, import, disposition).

SQLAlchemy's executemany builds and type-processes a parameter dict per row, which costs
several times what SQLite itself spends on the row. On positional drivers (SQLite) this
compiles the INSERT once, applies each column's bind processor (SQLite's datetime and
date formats) and hands the driver tuples; elsewhere it is SQLAlchemy's own executemany
(PostgreSQL's batches its VALUES already). Either way the stored values are the same.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Sequence
from typing import Any

import sqlalchemy as sa


def insert_rows(
    conn: sa.Connection,
    table: sa.Table,
    columns: Sequence[str],
    rows: Sequence[tuple[Any, ...]],
) -> None:
    """INSERT `rows` (tuples in `columns` order) into `table` in one executemany."""
    if not rows:
        return
    dialect = conn.dialect
    compiled = None
    if dialect.paramstyle == "qmark":
        compiled = table.insert().compile(dialect=dialect, column_keys=list(columns))
    # The compiled INSERT lists the columns in the table's order, not necessarily ours.
    order = compiled.positiontup or [] if compiled is not None else []
    if compiled is None or sorted(order) != sorted(columns):
        conn.execute(table.insert(), [dict(zip(columns, row, strict=True)) for row in rows])
        return
    picks = [columns.index(name) for name in order]
    processors: list[tuple[int, Callable[[Any], Any]]] = []
    for i, name in enumerate(order):
        column_type = table.c[name].type
        if isinstance(column_type, sa.LargeBinary):
            continue  # the driver takes bytes as they are
        bind = column_type.dialect_impl(dialect).bind_processor(dialect)
        if bind is not None:
            processors.append((i, bind))
    reorder = len(picks) > 1 and picks != list(range(len(columns)))
    params = list(map(operator.itemgetter(*picks), rows)) if reorder else list(rows)
    if processors:
        unprocessed, params = params, []
        # The same object in every row (a chunk's timestamp) is processed once.
        last: dict[int, tuple[Any, Any]] = {}
        for row in unprocessed:
            values = list(row)
            for i, process in processors:
                value = values[i]
                if value is None:
                    continue
                before = last.get(i)
                if before is not None and before[0] is value:
                    values[i] = before[1]
                else:
                    values[i] = process(value)
                    last[i] = (value, values[i])
            params.append(tuple(values))
    conn.exec_driver_sql(compiled.string, params)
