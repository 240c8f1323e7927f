"""The applicant's pages, in the city's languages: `/apply/` to get ready, `/me/` after.

Public, no login. `/me/` answers only what a reference and a date of birth unlock (the
status), explains what the city keeps in general, works out a renewal window from the
card's expiry date, and checks a destruction receipt against the signed audit log.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from babel.dates import format_date
from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from cityid.bootstrap import APPLICANT_LOOKUP_LIMITER
from cityid.cards.rate_limit import RateLimited, TokenBuckets
from cityid.enrollment import pre_application
from cityid.enrollment.lifecycle import renewal_window
from cityid.enrollment.lookup import status_check
from cityid.errors import NotFound
from cityid.policy.model import DocumentType, Policy
from cityid.rendering import i18n
from cityid.retention.receipts import receipts_in, verify_all_against_log
from cityid.runtime import Runtime
from cityid.web.deps import UowDep
from cityid.web.public_pages import render_public

router = APIRouter(include_in_schema=False)

MAX_RECEIPT_CHARS = 20_000
# Record classes an applicant's own enrollment can create, in the order people care.
APPLICANT_RECORD_CLASSES = (
    "application", "photo", "document_attestation", "document_copy", "card", "match_encoding",
)  # fmt: skip


# ---- the document checklist (pure: the policy's document types and points) ----------


@dataclass(frozen=True)
class Checklist:
    chosen: list[DocumentType]
    identity: int
    residency: int
    total: int
    need_identity: int
    need_residency: int
    need_total: int
    has_photo: bool
    has_date_of_birth: bool
    enough_alone: DocumentType | None

    @property
    def enough(self) -> bool:
        if self.enough_alone is not None:
            return True
        return (
            self.need_identity == 0 and self.need_residency == 0 and self.need_total == 0
            and self.has_photo and self.has_date_of_birth
        )  # fmt: skip


def checklist(policy: Policy, codes: list[str]) -> Checklist:
    """Points for the documents an applicant says they have. A guide, not a decision:
    the clerk checks the originals (and expiry) at the centre."""
    rules = policy.eligibility
    chosen = [t for t in policy.document_types if t.code in set(codes)]
    identity = sum(t.identity_points for t in chosen)
    residency = sum(t.residency_points for t in chosen)
    total = identity + residency
    alone = next((t for t in chosen if t.code in rules.sufficient_alone_with_city_address), None)
    return Checklist(
        chosen=chosen,
        identity=identity,
        residency=residency,
        total=total,
        need_identity=max(0, rules.min_identity_points - identity),
        need_residency=max(0, rules.min_residency_points - residency),
        need_total=max(0, rules.min_points_total - total),
        has_photo=not rules.require_photo_document or any(t.has_photo for t in chosen),
        has_date_of_birth=(
            not rules.require_date_of_birth_document or any(t.has_date_of_birth for t in chosen)
        ),
        enough_alone=alone,
    )


# ---- rendering -------------------------------------------------------------------------


def _today(policy: Policy) -> dt.date:
    return dt.datetime.now(ZoneInfo(policy.program.timezone)).date()


def _render(
    request: Request,
    template: str,
    *,
    status_code: int = 200,
    keep: list[tuple[str, str]] | None = None,
    picker_action: str | None = None,
    **context: Any,
) -> HTMLResponse:
    runtime: Runtime = request.app.state.runtime
    language = i18n.language_for(request)
    if picker_action is None:  # the picker re-asks with GET: a POST answer's page is /me/
        picker_action = request.url.path if request.method == "GET" else "/me/"

    def date_text(day: dt.date) -> str:
        return format_date(day, format="long", locale=language.code)

    return render_public(
        request,
        template,
        status_code=status_code,
        picker_action=picker_action,
        keep=keep or [],
        date_text=date_text,
        discarding=_discarding(runtime.policy, _today(runtime.policy)),
        **context,
    )


def _limiter(runtime: Runtime) -> TokenBuckets:
    return runtime.services.get(APPLICANT_LOOKUP_LIMITER)


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _parse_date(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        return None


# ---- /apply/ ---------------------------------------------------------------------------


@router.get("/apply", include_in_schema=False)
def apply_no_slash(request: Request) -> RedirectResponse:
    query = f"?{request.url.query}" if request.url.query else ""
    return RedirectResponse(f"/apply/{query}", status_code=307)


@router.get("/apply/", response_class=HTMLResponse)
def apply_page(request: Request) -> HTMLResponse:
    return _render(request, "applicant/apply.html")


@router.get("/apply/checklist", response_class=HTMLResponse)
def apply_checklist(request: Request) -> HTMLResponse:
    runtime: Runtime = request.app.state.runtime
    codes = request.query_params.getlist("doc")[:50]
    result = checklist(runtime.policy, codes)
    keep = [("doc", t.code) for t in result.chosen]
    return _render(request, "applicant/checklist.html", result=result, keep=keep)


@router.post("/apply/start", response_class=HTMLResponse)
def apply_start(
    request: Request, uow: UowDep, doc: Annotated[list[str] | None, Form(max_length=64)] = None
) -> HTMLResponse:
    """A reference number for the chosen documents: nothing about the person is asked."""
    runtime: Runtime = request.app.state.runtime
    codes = (doc or [])[:50]
    result = checklist(runtime.policy, codes)
    keep = [("doc", t.code) for t in result.chosen]
    try:
        _limiter(runtime).take(_client(request))
    except RateLimited:
        return _render(request, "applicant/checklist.html", status_code=429, result=result,
                       keep=keep, started={"problem": "too_many"})  # fmt: skip
    language = i18n.language_for(request).code
    made = pre_application.start(
        uow, runtime, [t.code for t in result.chosen], language, _today(runtime.policy)
    )
    started = {"reference": made.reference, "expires_on": made.expires_on}
    return _render(request, "applicant/checklist.html", result=result, keep=keep, started=started)


# ---- /me/ ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Holding:
    record_class: str
    event: str  # the schedule's starting event, "unscheduled" when the policy has none
    years: int
    until: dt.date | None  # for a fixed date


def holdings(policy: Policy, today: dt.date) -> tuple[list[Holding], list[str]]:
    """What the city keeps about an applicant (by record class), and what it does not."""
    held: list[Holding] = []
    not_held: list[str] = []
    for record_class in APPLICANT_RECORD_CLASSES:
        if record_class == "document_copy" and _discarding(policy, today):
            not_held.append("document_copy")
            continue
        schedule = policy.schedule_for(record_class)
        if schedule is None:
            held.append(Holding(record_class, "unscheduled", 0, None))
            continue
        until = schedule.fixed_date if schedule.from_event == "fixed_date" else None
        held.append(Holding(record_class, schedule.from_event, schedule.keep_years, until))
    not_held.append("document_number")
    return held, not_held


def _discarding(policy: Policy, today: dt.date) -> bool:
    return policy.retention.mode_on(today) == "verify-and-discard"


def _me(request: Request, *, status_code: int = 200, **context: Any) -> HTMLResponse:
    runtime: Runtime = request.app.state.runtime
    today = _today(runtime.policy)
    held, not_held = holdings(runtime.policy, today)
    return _render(
        request,
        "applicant/me.html",
        status_code=status_code,
        held=held,
        not_held=not_held,
        today=today,
        **context,
    )


@router.get("/me", include_in_schema=False)
def me_no_slash(request: Request) -> RedirectResponse:
    query = f"?{request.url.query}" if request.url.query else ""
    return RedirectResponse(f"/me/{query}", status_code=307)


@router.get("/me/", response_class=HTMLResponse)
def me_page(request: Request) -> HTMLResponse:
    return _me(request)


@router.post("/me/status", response_class=HTMLResponse)
def me_status(
    request: Request,
    uow: UowDep,
    reference: Annotated[str, Form(max_length=64)] = "",
    date_of_birth: Annotated[str, Form(max_length=32)] = "",
) -> HTMLResponse:
    runtime: Runtime = request.app.state.runtime
    born = _parse_date(date_of_birth)
    if not reference.strip() or born is None:
        return _me(request, status_code=422, status_result={"problem": "missing"})
    try:
        _limiter(runtime).take(_client(request))
    except RateLimited:
        return _me(request, status_code=429, status_result={"problem": "too_many"})
    try:
        found = status_check(uow, runtime, reference, born)  # audited, found or not
    except NotFound:
        found = None
    if found is None:
        return _me(request, status_code=404, status_result={"problem": "not_found"})
    return _me(request, status_result={"status": found["status"], "reference": found["reference"]})


@router.get("/me/renew", response_class=HTMLResponse)
def me_renew(request: Request) -> HTMLResponse:
    runtime: Runtime = request.app.state.runtime
    expires = _parse_date(request.query_params.get("expires", "")[:32])
    if expires is None:
        return _me(request, status_code=422, renew_result={"problem": "missing"})
    opens, closes = renewal_window(runtime.policy, expires)
    today = _today(runtime.policy)
    when = "early" if today < opens else "late" if today > closes else "open"
    return _me(
        request,
        renew_result={"when": when, "opens": opens, "closes": closes, "expires": expires},
        keep=[("expires", expires.isoformat())],
    )


@router.post("/me/receipt", response_class=HTMLResponse)
def me_receipt(
    request: Request,
    receipt: Annotated[str, Form(max_length=MAX_RECEIPT_CHARS)] = "",
    reference: Annotated[str, Form(max_length=64)] = "",
) -> HTMLResponse:
    runtime: Runtime = request.app.state.runtime
    try:
        _limiter(runtime).take(_client(request))
    except RateLimited:
        return _me(request, status_code=429, receipt_result={"problem": "too_many"})
    try:
        parsed = json.loads(receipt)
    except ValueError:
        parsed = None
    found = receipts_in(parsed)
    if not found:
        return _me(request, status_code=422, receipt_result={"problem": "not_json"})
    outcome = verify_all_against_log(runtime, found, reference=reference.strip() or None)
    return _me(request, receipt_result=outcome)
