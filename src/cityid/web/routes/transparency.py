"""The public transparency report: /transparency (HTML, SVG chart), .csv and .json. No login."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel

from cityid.disclosure.report import build_report, to_csv
from cityid.disclosure.report_html import report_context
from cityid.web.deps import ReadUowDep, RuntimeDep
from cityid.web.public_pages import render_public

router = APIRouter(tags=["public"])


class RequestCount(BaseModel):
    requester_kind: str
    instrument: str
    decision: str
    count: int


class QuarterCounts(BaseModel):
    quarter: str
    requests: list[RequestCount]
    requests_total: int
    overrides: int
    records_destroyed: dict[str, int]
    holds_placed: int
    holds_released: int
    cards_issued: int


class Totals(BaseModel):
    requests: int
    requests_by_decision: dict[str, int]
    requests_by_requester_kind: dict[str, int]
    overrides: int
    records_destroyed: dict[str, int]
    holds_placed: int
    holds_released: int
    cards_issued: int


class TransparencyReport(BaseModel):
    program: str
    generated_at: str
    quarters: list[QuarterCounts]
    totals: Totals
    sources: dict[str, bool]


@router.get("/transparency.json", response_model=TransparencyReport)
def transparency_json(runtime: RuntimeDep, uow: ReadUowDep) -> dict[str, object]:
    """Counts per quarter: requests by requester, instrument and decision; destruction; holds."""
    return build_report(uow, runtime)


@router.get("/transparency.csv", response_class=Response)
def transparency_csv(runtime: RuntimeDep, uow: ReadUowDep) -> Response:
    """The same counts, one row per quarter and measure."""
    return Response(
        to_csv(build_report(uow, runtime)),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'inline; filename="transparency.csv"'},
    )


@router.get("/transparency", response_class=HTMLResponse, include_in_schema=False)
def transparency_page(request: Request, runtime: RuntimeDep, uow: ReadUowDep) -> HTMLResponse:
    return render_public(
        request, "public/transparency.html", **report_context(build_report(uow, runtime))
    )
