"""The supervisor's dashboard page: counts drawn as SVG bar charts, each with its data table."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from cityid.rendering.charts import BarRow, Chart, Series, single_series
from cityid.reports.dashboard import FLAG_OUTCOMES, Dashboard, build_dashboard
from cityid.web.deps import RuntimeDep, Staff, UowDep, require
from cityid.web.routes.console import render

router = APIRouter(prefix="/console/dashboard", include_in_schema=False)

OUTCOME_COLOURS = {
    "open": "#b54708",
    "duplicate": "#7a2e0e",
    "not_duplicate": "#067647",
    "fraud_referred": "#b42318",
}
CLASS_COLOURS = ("#1f5fa8", "#6941c6", "#0e7090", "#475467", "#4f7a28")


def dashboard_charts(board: Dashboard) -> list[Chart]:
    """The dashboard's charts, in the order the page shows them."""
    days = [(day.isoformat(), n) for day, n in board.enrollments_per_day]
    first, last = days[0][0], days[-1][0]
    flag_rows = tuple(BarRow(kind, outcomes) for kind, outcomes in board.flags.items())
    due_classes = sorted({cls for slot in board.records_due.values() for cls in slot})
    return [
        single_series(
            "enrollments",
            "Enrollments per day",
            f"Applications enrolled each day from {first} to {last}: "
            f"{board.enrollments_in_window} in all.",
            days,
            series="enrolled",
            row_heading="day",
        ),
        Chart(
            "flags",
            "Flags by kind and outcome",
            "Review-queue items by the kind of signal, stacked by outcome: still open, "
            "or the investigator's decision.",
            tuple(Series(o, OUTCOME_COLOURS.get(o, "#475467")) for o in FLAG_OUTCOMES),
            flag_rows,
            empty_label="no flags",
            row_heading="kind of flag",
        ),
        single_series(
            "cards",
            "Cards by status",
            "Cards issued, by their status today (a live card past its expiry is expired).",
            list(board.cards_by_status.items()),
            series="cards",
            row_heading="status",
        ),
        single_series(
            "records",
            "Records held, by class",
            "How many records of each class the register holds now; the cohort table "
            "below splits each class by retention cohort.",
            list(board.records_by_class.items()),
            series="records",
            row_heading="record class",
        ),
        Chart(
            "due",
            "Records falling due for disposition",
            "Records due now and in each coming month, stacked by record class. Held "
            "records are counted too: the disposition plan says which holds block them.",
            tuple(
                Series(cls, CLASS_COLOURS[i % len(CLASS_COLOURS)])
                for i, cls in enumerate(due_classes)
            ),
            tuple(BarRow(period, slot) for period, slot in board.records_due.items()),
            row_heading="when due",
        ),
        single_series(
            "production",
            "Card production",
            "Cards at each step today: waiting for a print batch, in production, mailed, "
            "kept at a centre for pickup (and past the pickup period), handed over, "
            "uncollected.",
            list(board.card_production.items()),
            series="cards",
            row_heading="step",
        ),
    ]


@router.get("/", response_class=HTMLResponse)
def dashboard_page(
    request: Request,
    staff: Annotated[Staff, Depends(require("report.read"))],
    runtime: RuntimeDep,
    uow: UowDep,
) -> HTMLResponse:
    board = build_dashboard(uow, runtime, staff.actor)
    return render(
        request, "console/dashboard.html", staff, board=board, charts=dashboard_charts(board)
    )
