"""Enrollment services: intake (once per idempotency key), policy mode changes.

Every function takes the caller's unit of work, appends its audit entry there, and
leaves the commit to the caller, so an action never exists without its entry.

Ineligible applicants are answered, not stored: `intake` returns status "rejected" with
the reasons to read out, writes no application row, and appends one audit entry
("application.ineligible", no targets) so the count is known. Keeping nothing about
someone who got no card is the least the rules allow.

The rows are sealed and written in `storing`; the moves after intake (approve, reject,
withdraw, mark issued) are in `transitions`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from cityid.audit import log as audit_log
from cityid.enrollment import idempotency, pre_application
from cityid.enrollment.applicant import (
    Applicant,
    InvalidApplicant,
    parse_applicant,
)
from cityid.enrollment.eligibility import EligibilityDecision, decide
from cityid.enrollment.lifecycle import (
    APPLICATION_TYPES,
    ApplicationStatus,
    CardState,
    check_application_type,
)
from cityid.enrollment.photo import PhotoError, ProcessedPhoto, decode_photo_b64, process_photo
from cityid.enrollment.repository import (
    EnrollmentKeys,
    add_history,
    now,
)
from cityid.enrollment.results import IntakeItem
from cityid.enrollment.screening import IntakeChannel, mrz_failure, screen
from cityid.enrollment.storing import write_application
from cityid.enrollment.tables import (
    applications,
    policy_mode_changes,
)
from cityid.errors import BadInput
from cityid.runtime import ProcessService, Runtime
from cityid.staff.actor import Actor
from cityid.staff.permissions import authorize
from cityid.store.uow import UnitOfWork

# The document-mode changes this process has seen recorded: checked once, not per intake.
MODE_CHANGES_SEEN: ProcessService[set[tuple[dt.date, str]]] = ProcessService(
    "document-mode changes seen", set
)


@dataclass(frozen=True)
class IntakeRequest:
    """One applicant as taken in, with what the application is (new, renewal, ...)."""

    applicant: Applicant
    application_type: str = "new"
    previous_application_id: str | None = None


@dataclass(frozen=True)
class IntakeOutcome:
    """What one intake did; frozen (a copy with changes is `dataclasses.replace`)."""

    status: ApplicationStatus  # submitted | flagged | rejected (ineligible: nothing stored)
    application_id: str | None = None
    reference: str | None = None
    flags: list[dict[str, Any]] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    identity_points: int = 0
    residency_points: int = 0
    total_points: int = 0

    def item(self, line: int | None = None) -> IntakeItem:
        """The per-line shape of INTERFACE.md's `enroll` output."""
        return IntakeItem(
            line=line,
            application_id=self.application_id,
            status=self.status,
            flags=self.flags,
            reasons=self.reasons,
        )


def parse_request(data: Mapping[str, Any], runtime: Runtime, today: dt.date) -> IntakeRequest:
    """An intake object (an applicant line, an API body) as a request; per-field errors."""
    if not isinstance(data, Mapping):
        raise InvalidApplicant([("(line)", "not a JSON object")])
    errors: list[tuple[str, str]] = []
    app_type = data.get("application_type", "new")
    if app_type not in APPLICATION_TYPES:
        errors.append(("application_type", f"must be one of {', '.join(APPLICATION_TYPES)}"))
    previous = data.get("previous_application_id")
    if previous is not None and not (isinstance(previous, str) and len(previous) <= 32):
        errors.append(("previous_application_id", "not an application id"))
    try:
        applicant = parse_applicant(data, runtime.policy, today)
    except InvalidApplicant as exc:
        raise InvalidApplicant(exc.field_errors + errors) from None
    if errors:
        raise InvalidApplicant(errors)
    return IntakeRequest(applicant, str(app_type), previous)


def parse_request_line(text: str, runtime: Runtime, today: dt.date) -> IntakeRequest:
    try:
        data = json.loads(text)
    except (json.JSONDecodeError, RecursionError):
        raise InvalidApplicant([("(line)", "not valid JSON")]) from None
    return parse_request(data, runtime, today)


def check_photo(applicant: Applicant) -> ProcessedPhoto | None:
    if applicant.photo is None:
        return None
    try:
        return process_photo(decode_photo_b64(applicant.photo))
    except PhotoError as exc:
        raise InvalidApplicant([("photo", exc.message)]) from None


def intake(
    uow: UnitOfWork,
    runtime: Runtime,
    actor: Actor,
    request: IntakeRequest,
    *,
    keys: EnrollmentKeys | None = None,
    today: dt.date | None = None,
    centre: str | None = None,
    channel: IntakeChannel = IntakeChannel.DESK,
) -> IntakeOutcome:
    """Take one application in: check, score, seal, attest, screen. Caller commits.

    `keys` lets a batch reuse one sealer and its hashers; `today` is the enrollment day
    (tests and imports may set it; the eligibility rules and the document mode use it);
    `channel` says how it came in (a batch file is not screened for clerk velocity).
    """
    authorize(runtime.policy, actor, "application.create")
    policy = runtime.policy
    today = today or runtime.today()
    applicant = request.applicant
    photo = check_photo(applicant)
    record_mode_changes(uow, runtime, today)

    decision = decide(applicant, policy, today)
    if not decision.eligible:
        audit_log.append(
            uow, actor, "application.ineligible", [], reason="eligibility",
            extra={"reasons": len(decision.reasons)},
        )  # fmt: skip
        return IntakeOutcome(
            status=ApplicationStatus.REJECTED,
            reasons=list(decision.reasons),
            notes=list(decision.notes),
            identity_points=decision.identity_points,
            residency_points=decision.residency_points,
            total_points=decision.total_points,
        )
    previous = _card_state(uow, request.previous_application_id)
    check_application_type(request.application_type, previous, policy, today)

    own_keys = keys is None
    keys = keys or EnrollmentKeys.open(runtime.keystore)
    try:
        return _store(
            uow, runtime, actor, request, decision, photo, keys, today,
            centre or applicant.centre, channel,
        )  # fmt: skip
    finally:
        if own_keys:
            keys.close()


def intake_once(
    uow: UnitOfWork,
    runtime: Runtime,
    actor: Actor,
    sent: Mapping[str, Any],
    *,
    idempotency_key: str | None = None,
    pre_reference: str | None = None,
) -> IntakeOutcome:
    """Every door's intake of one object (`sent`, as the door received it). Caller commits.

    With `idempotency_key`, the same actor sending the same key and the same `sent`
    within a day gets the first outcome back (and an "application.intake_replayed"
    entry) and nothing is taken in again; the same key with another request raises
    `KeyReused`; the outcome is kept in this unit of work, so it exists only if the
    intake does. `pre_reference`, the desk's pre-application, closes when an
    application is stored (not on a replay: the first intake closed it).
    """
    authorize(runtime.policy, actor, "application.create")
    now = dt.datetime.now(dt.UTC)
    if idempotency_key is not None:
        idempotency.check_key(idempotency_key)
        earlier = idempotency.recall(uow, actor, idempotency_key, sent, now)
        if earlier is not None:
            return _outcome_kept(earlier)
    today = runtime.today()
    outcome = intake(uow, runtime, actor, parse_request(sent, runtime, today), today=today)
    if idempotency_key is not None:
        idempotency.remember(uow, actor, idempotency_key, sent, dataclasses.asdict(outcome), now)
    if pre_reference and outcome.application_id is not None:
        pre_application.close(uow, runtime, actor, pre_reference)
    return outcome


def _outcome_kept(kept: Mapping[str, Any]) -> IntakeOutcome:
    """The outcome as `intake_once` keeps it (`asdict`), or as the JSON API kept its
    answer before intake moved here (points nested): keys live a day across an upgrade."""
    fields = dict(kept)
    points = fields.pop("points", None)
    if points is not None:
        fields.update(
            identity_points=points["identity"],
            residency_points=points["residency"],
            total_points=points["total"],
        )
    fields["status"] = ApplicationStatus(fields["status"])
    return IntakeOutcome(**fields)


def _store(
    uow: UnitOfWork,
    runtime: Runtime,
    actor: Actor,
    request: IntakeRequest,
    decision: EligibilityDecision,
    photo: ProcessedPhoto | None,
    keys: EnrollmentKeys,
    today: dt.date,
    centre: str | None,
    channel: IntakeChannel,
) -> IntakeOutcome:
    """Write the application, screen it, and give it its status, history and entry."""
    applicant = request.applicant
    written = write_application(
        uow, runtime, actor, applicant, decision, photo, keys, today,
        application_type=request.application_type,
        previous_application_id=request.previous_application_id, centre=centre,
    )  # fmt: skip
    application_id = written.application_id
    flags: list[dict[str, Any]] = []
    for _failure in decision.mrz_failures:
        flags.extend(dict(f) for f in mrz_failure(False))
    flags.extend(dict(f) for f in screen(uow, runtime, application_id, applicant, channel))
    status = ApplicationStatus.FLAGGED if flags else ApplicationStatus.SUBMITTED
    uow.conn.execute(
        applications.update()
        .where(applications.c.application_id == application_id)
        .values(status=status, flags=json.dumps(flags))
    )
    add_history(uow, keys.sealer, written.sealed, application_id, status, actor.user_id, "intake")
    audit_log.append(
        uow,
        actor,
        "application.create",
        [application_id],
        reason=f"intake:{request.application_type}",
        extra={
            "status": status,
            "flags": len(flags),
            "documents": len(applicant.documents),
            "copies_retained": written.copies_retained,
            "document_mode": runtime.policy.retention.mode_on(today),
        },
    )
    return IntakeOutcome(
        status=status,
        application_id=application_id,
        reference=written.reference,
        flags=flags,
        notes=list(decision.notes),
        identity_points=decision.identity_points,
        residency_points=decision.residency_points,
        total_points=decision.total_points,
    )


def _card_state(uow: UnitOfWork, previous_id: str | None) -> CardState | None:
    if previous_id is None:
        return None
    row = uow.conn.execute(
        sa.select(
            applications.c.application_id, applications.c.status, applications.c.card_expires_on
        ).where(applications.c.application_id == previous_id)
    ).first()
    if row is None:
        raise BadInput("previous_application_id: no such application")
    return CardState(row.application_id, row.status, row.card_expires_on)


# --- the policy's document mode -----------------------------------------------------------


def record_mode_changes(uow: UnitOfWork, runtime: Runtime, today: dt.date | None = None) -> int:
    """Append "policy.mode_change" once for each mode change whose date has come.

    Returns how many were recorded now. A per-runtime note of what is already recorded
    spares later intakes the query; the table's key keeps two workers from doubling it.
    """
    today = today or runtime.today()
    due = [c for c in runtime.policy.retention.mode_changes if c.effective <= today]
    known = runtime.services.get(MODE_CHANGES_SEEN)
    pending = [c for c in due if (c.effective, c.mode) not in known]
    if not pending:
        return 0
    recorded_rows = uow.conn.execute(
        sa.select(policy_mode_changes.c.effective, policy_mode_changes.c.mode)
    ).all()
    recorded = {(r.effective, r.mode) for r in recorded_rows}
    count = 0
    for change in sorted(pending, key=lambda c: c.effective):
        if (change.effective, change.mode) in recorded:
            continue
        try:
            with uow.conn.begin_nested():
                index = audit_log.append(
                    uow,
                    Actor.system(),
                    "policy.mode_change",
                    [f"document-mode:{change.mode}"],
                    reason="policy_effective",
                    extra={"effective_on": change.effective.strftime("%Y%m%d")},
                )
                uow.conn.execute(
                    policy_mode_changes.insert().values(
                        effective=change.effective,
                        mode=change.mode,
                        recorded_at=now(),
                        audit_index=index,
                    )
                )
            count += 1
        except IntegrityError:
            pass  # another worker recorded it first
    # Only remember after the caller commits would be exact; remembering now is safe
    # because a rolled-back intake is retried by a later one via the query above.
    known.update((c.effective, c.mode) for c in due if (c.effective, c.mode) in recorded)
    return count
