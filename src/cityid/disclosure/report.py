"""The public transparency report: counts per quarter, never a person.

Requests by requester kind, instrument and decision ("pending" while counsel has not
decided), counsel's overrides, records destroyed by class, holds placed and released,
cards issued. Retention's and cards' tables are read only when they exist (they come
from other migrations); `sources` says which were counted.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa

from cityid.disclosure.holdings import table_columns
from cityid.disclosure.tables import disclosure_requests
from cityid.rendering.charts import BarRow, Chart, Series
from cityid.rendering.charts import bar_chart_svg as charts_bar_chart_svg
from cityid.runtime import Runtime
from cityid.store.uow import UnitOfWork

CSV_COLUMNS = (
    "quarter", "measure", "requester_kind", "instrument", "decision", "record_class", "count",
)  # fmt: skip


def quarter_of(day: dt.date | dt.datetime) -> str:
    return f"{day.year:04d}-Q{(day.month - 1) // 3 + 1}"


def _day(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def _guarded(uow: UnitOfWork, table: str, *columns: str) -> sa.TableClause | None:
    """A light handle on another area's table, or None if it (or a column) is not there."""
    if not set(columns) <= table_columns(uow, table):
        return None
    return sa.table(table, *(sa.column(c) for c in columns))


def build_report(uow: UnitOfWork, runtime: Runtime) -> dict[str, Any]:
    quarters: dict[str, dict[str, Any]] = defaultdict(_empty_quarter)
    requests: dict[str, Counter[tuple[str, str, str]]] = defaultdict(Counter)
    rows = uow.conn.execute(
        sa.select(
            disclosure_requests.c.received_on,
            disclosure_requests.c.requester_kind,
            disclosure_requests.c.instrument,
            disclosure_requests.c.status,
            disclosure_requests.c.decision,
            disclosure_requests.c.overridden,
            disclosure_requests.c.decided_at,
        )
    ).all()
    for row in rows:
        quarter = quarter_of(_day(row.received_on))
        decision = row.decision if row.status == "decided" else "pending"
        requests[quarter][(row.requester_kind, row.instrument, decision)] += 1
        quarters[quarter]["requests_total"] += 1
        if row.overridden and row.decided_at is not None:
            quarters[quarter_of(_day(row.decided_at))]["overrides"] += 1
    for quarter, counts in requests.items():
        quarters[quarter]["requests"] = [
            {"requester_kind": k, "instrument": i, "decision": d, "count": n}
            for (k, i, d), n in sorted(counts.items())
        ]
    sources = {
        "disclosure_requests": True,
        "tombstones": _count_destroyed(uow, quarters),
        "holds": _count_holds(uow, quarters),
        "cards": _count_cards(uow, quarters),
    }
    ordered = [{"quarter": q, **quarters[q]} for q in sorted(quarters)]
    return {
        "program": runtime.policy.program.name,
        "generated_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "quarters": ordered,
        "totals": _totals(ordered),
        "sources": sources,
    }


def _empty_quarter() -> dict[str, Any]:
    return {
        "requests": [],
        "requests_total": 0,
        "overrides": 0,
        "records_destroyed": {},
        "holds_placed": 0,
        "holds_released": 0,
        "cards_issued": 0,
    }


def _count_destroyed(uow: UnitOfWork, quarters: dict[str, dict[str, Any]]) -> bool:
    table = _guarded(uow, "tombstones", "record_class", "destroyed_at")
    if table is None:
        return False
    day = sa.func.substr(sa.cast(table.c.destroyed_at, sa.String), 1, 10)
    query = sa.select(day.label("day"), table.c.record_class, sa.func.count().label("n"))
    for row in uow.conn.execute(query.group_by(day, table.c.record_class)):
        destroyed = quarters[quarter_of(_day(row.day))]["records_destroyed"]
        destroyed[row.record_class] = destroyed.get(row.record_class, 0) + int(row.n)
    return True


def _count_holds(uow: UnitOfWork, quarters: dict[str, dict[str, Any]]) -> bool:
    table = _guarded(uow, "legal_hold_events", "kind", "at")
    if table is None:
        return False
    for row in uow.conn.execute(sa.select(table.c.kind, table.c.at)):
        key = {"placed": "holds_placed", "released": "holds_released"}.get(row.kind)
        if key:
            quarters[quarter_of(_day(row.at))][key] += 1
    return True


def _count_cards(uow: UnitOfWork, quarters: dict[str, dict[str, Any]]) -> bool:
    table = _guarded(uow, "cards", "issued_on")
    if table is None:
        return False
    query = sa.select(table.c.issued_on, sa.func.count().label("n")).group_by(table.c.issued_on)
    for row in uow.conn.execute(query):
        quarters[quarter_of(_day(row.issued_on))]["cards_issued"] += int(row.n)
    return True


def _totals(quarters: list[dict[str, Any]]) -> dict[str, Any]:
    by_decision: Counter[str] = Counter()
    by_kind: Counter[str] = Counter()
    destroyed: Counter[str] = Counter()
    for quarter in quarters:
        for item in quarter["requests"]:
            by_decision[item["decision"]] += item["count"]
            by_kind[item["requester_kind"]] += item["count"]
        destroyed.update(quarter["records_destroyed"])
    return {
        "requests": sum(q["requests_total"] for q in quarters),
        "requests_by_decision": dict(sorted(by_decision.items())),
        "requests_by_requester_kind": dict(sorted(by_kind.items())),
        "overrides": sum(q["overrides"] for q in quarters),
        "records_destroyed": dict(sorted(destroyed.items())),
        "holds_placed": sum(q["holds_placed"] for q in quarters),
        "holds_released": sum(q["holds_released"] for q in quarters),
        "cards_issued": sum(q["cards_issued"] for q in quarters),
    }


# --- formats ------------------------------------------------------------------------------


def csv_rows(report: dict[str, Any]) -> Iterable[dict[str, Any]]:
    blank = {c: "" for c in CSV_COLUMNS}
    for quarter in report["quarters"]:
        q = quarter["quarter"]
        for item in quarter["requests"]:
            yield {**blank, "quarter": q, "measure": "requests", **item}
        for measure in ("overrides", "holds_placed", "holds_released", "cards_issued"):
            yield {**blank, "quarter": q, "measure": measure, "count": quarter[measure]}
        for record_class, n in sorted(quarter["records_destroyed"].items()):
            yield {
                **blank, "quarter": q, "measure": "records_destroyed",
                "record_class": record_class, "count": n,
            }  # fmt: skip


def to_csv(report: dict[str, Any]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(csv_rows(report))
    return out.getvalue()


DECISION_COLOURS = {
    "granted": "#067647",
    "partially_granted": "#4f9a6b",
    "denied": "#b42318",
    "no_records": "#667085",
    "pending": "#f2a900",
}


def bar_chart_svg(report: dict[str, Any], width: int = 720, bar_height: int = 26) -> str:
    """Requests per quarter as stacked horizontal bars by decision (no script, no styles)."""
    rows = []
    for quarter in report["quarters"]:
        by_decision: Counter[str] = Counter()
        for item in quarter["requests"]:
            by_decision[item["decision"]] += item["count"]
        rows.append(BarRow(quarter["quarter"], dict(by_decision)))
    chart = Chart(
        chart_id="chart",
        title="Disclosure requests per quarter, by decision",
        description="One bar per quarter; each bar stacks the requests by their decision.",
        series=tuple(Series(d, colour) for d, colour in DECISION_COLOURS.items()),
        rows=tuple(rows),
    )
    return charts_bar_chart_svg(chart, width=width, bar_height=bar_height)
