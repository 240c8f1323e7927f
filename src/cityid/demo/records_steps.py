"""The story's fight over the records: the court's hold, a subpoena, the hold released,
the copies destroyed, an old backup, a receipt, and the audit and transparency report
(`cityid demo`, steps five onward).

Each step returns one line saying what happened or raises `StepFailed`.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import sqlalchemy as sa

from cityid.audit import service as audit_service
from cityid.crypto import KeyDestroyed, RecordSealer, SealedKey
from cityid.demo import checks
from cityid.demo.calendar import (
    COURT,
    DESTRUCTION_DAY,
    DOCKET,
    HOLD_REASON,
    ORDER_DATE,
    RELEASE_DAY,
    RELEASE_REASON,
    SUBPOENA_DAY,
)
from cityid.demo.checks import expect, need_retention
from cityid.demo.stage import Story
from cityid.disclosure import decisions as disclosure_decisions
from cityid.disclosure import filing as disclosure_filing
from cityid.disclosure import report as transparency
from cityid.enrollment import lookup
from cityid.enrollment.tables import applications, document_copies
from cityid.errors import Refused
from cityid.jsonable import to_json
from cityid.store.engine import make_engine, sqlite_url
from cityid.store.uow import UnitOfWork


def step_hold(story: Story) -> str:
    """The court's order holds the copies; the Dec 31 plan shows everything blocked."""
    need_retention()
    from cityid.retention import disposition, holds

    rt = story.rt
    with story.uow() as uow:
        hold_id = holds.place_hold(
            uow, rt, story.cast["counsel"], authority=COURT, docket=DOCKET, reason=HOLD_REASON,
            scope={"record_classes": ["document_copy"]}, order_date=ORDER_DATE,
        )  # fmt: skip
        uow.commit()
    story.facts["hold_id"] = hold_id
    with story.uow() as uow:
        planned = disposition.plan(
            uow, rt, story.cast["records_officer"], as_of=DESTRUCTION_DAY,
            record_classes=["document_copy"],
        )  # fmt: skip
        uow.commit()
    expect(planned.due == 0, f"the plan would destroy {planned.due} held copies")
    expect(
        planned.blocked == story.copies,
        f"{planned.blocked} blocked, expected all {story.copies} copies",
    )
    expect(
        planned.blocked_by == {hold_id: story.copies},
        f"blocked by {planned.blocked_by}, expected only the court's hold",
    )
    return (
        f"hold {hold_id} ({COURT}, {DOCKET}, ordered {ORDER_DATE}); plan as of "
        f"{DESTRUCTION_DAY}: 0 due, {planned.blocked} blocked by the hold"
    )


def step_subpoena(story: Story) -> str:
    """A federal administrative subpoena for three years of applicant data is refused."""
    rt, counsel = story.rt, story.cast["counsel"]
    with story.uow() as uow:
        filed = disclosure_filing.file_request(
            uow, rt, counsel, requester_kind="federal_law_enforcement",
            instrument="administrative_subpoena",
            scope={"from": "2014-01-01", "to": "2016-12-31"},
            requester="federal immigration agency", docket="AS-2016-0412",
            received_on=SUBPOENA_DAY,
        )  # fmt: skip
        decided = disclosure_decisions.decide(
            uow, rt, counsel, filed.request_id, today=SUBPOENA_DAY
        )
        uow.commit()
    expect(decided.decision == "denied", f"the subpoena was {decided.decision}")
    expect(bool(decided.rule), "the refusal names no rule")
    story.facts["request_id"] = filed.request_id
    return f"request {filed.request_id} denied under rule {decided.rule}"


def step_release(story: Story) -> str:
    """April 2017: the hold is released with the court's reason."""
    need_retention()
    from cityid.retention import holds

    hold_id = story.fact("hold_id")
    with story.uow() as uow:
        released = holds.release_hold(
            uow, story.rt, story.cast["counsel"], hold_id, reason=RELEASE_REASON
        )
        uow.commit()
    expect(released.status == "released", f"the hold is {released.status}")
    return f"hold {hold_id} released ({RELEASE_DAY:%B %Y}): petitioners lacked standing"


def step_destroy(story: Story) -> str:
    """Two officials approve (one person twice is refused); destruction runs; the
    certificate verifies with the log's published key."""
    need_retention()
    from cityid.operations import backup
    from cityid.retention import certificate, disposition

    rt, officer, counsel = story.rt, story.cast["records_officer"], story.cast["counsel"]
    old_backup = story.work_dir / "backup-before-destruction.sqlite"
    backup.create_backup(rt.engine, old_backup)
    story.facts["backup"] = old_backup
    with story.uow() as uow:
        planned = disposition.plan(
            uow, rt, officer, as_of=RELEASE_DAY, record_classes=["document_copy"]
        )
        uow.commit()
    batch_id = planned.batch_id
    expect(planned.due == story.copies, f"{planned.due} due, expected {story.copies}")
    expect(planned.blocked == 0, f"{planned.blocked} still blocked")
    with story.uow() as uow:
        disposition.approve(uow, rt, officer, batch_id)
        uow.commit()
    twice_refused = False
    try:
        with story.uow() as uow:
            disposition.approve(uow, rt, officer, batch_id)
    except Refused:
        twice_refused = True
    expect(twice_refused, "the same records officer approved twice")
    with story.uow() as uow:
        approved = disposition.approve(uow, rt, counsel, batch_id)
        uow.commit()
    expect(approved.status == "approved", f"after two approvals: {approved.status}")
    result = disposition.execute(rt, officer, batch_id)
    expect(result.destroyed == story.copies, f"destroyed {result.destroyed}")
    expect(bool(result.cohort_keys_destroyed), "no cohort key was destroyed")
    with story.uow(read_only=True) as uow:
        document = disposition.certificate_document(uow, rt, officer, batch_id)
    body = certificate.verify_certificate(document, audit_service.verifier_keys(rt))
    expect(body["destroyed"] == story.copies, f"the certificate says {body['destroyed']}")
    (story.work_dir / "certificate.json").write_text(json.dumps(document, indent=2), "utf-8")
    story.facts["batch_id"] = batch_id
    return (
        f"batch {batch_id}: same approver twice refused; records officer + counsel approved; "
        f"{result.destroyed} copies destroyed, {len(result.cohort_keys_destroyed)} "
        "cohort key(s) destroyed; certificate verifies with the published key"
    )


def step_old_backup(story: Story) -> str:
    """The backup from before the destruction, restored, cannot bring the copies back."""
    need_retention()
    from cityid.operations import backup

    old_backup: Path = story.fact("backup")
    restored_dir = story.work_dir / "restored"
    restored_dir.mkdir(exist_ok=True)
    engine = make_engine(sqlite_url(restored_dir / "cityid.db"))
    try:
        backup.restore_backup(old_backup, engine)
        destroyed = opened = 0
        with UnitOfWork(engine, read_only=True) as uow, RecordSealer(story.rt.keystore) as sealer:
            rows = uow.conn.execute(sa.select(document_copies)).all()
            for row in rows:
                key = SealedKey(row.cohort_key_id, bytes(row.wrapped_key))
                try:
                    sealer.open_field(key, row.copy_id, "image", bytes(row.s_image))
                    opened += 1
                except KeyDestroyed:
                    destroyed += 1
    finally:
        engine.dispose()
        shutil.rmtree(restored_dir, ignore_errors=True)  # a scratch copy, not a keepsake
    expect(len(rows) == story.copies, f"the backup holds {len(rows)} copies")
    expect(opened == 0, f"{opened} copies opened from the old backup")
    return f"old backup restored: {len(rows)} copy rows, {destroyed} unreadable (keys destroyed)"


def step_receipt(story: Story) -> str:
    """A cardholder checks their destruction receipt against a later checkpoint."""
    need_retention()
    from cityid.retention import receipts

    rt = story.rt
    application_id = story.fact("original")
    receipt = receipts.issue_receipts(rt, application_id)[0]
    with story.uow() as uow:
        shown = lookup.show(
            uow, rt, story.cast["supervisor"], application_id, purpose="desk_request"
        )
        reference = uow.conn.execute(
            sa.select(applications.c.reference).where(
                applications.c.application_id == application_id
            )
        ).scalar_one()
        later = audit_service.create_checkpoint(rt, uow)
        uow.commit()
    copies = {doc.copy for doc in shown.documents}
    expect("destroyed" in copies, f"the record shows its copies as {sorted(copies)}")
    # Checked as the cardholder hands it over: its JSON.
    checked = receipts.verify_against_log(rt, to_json(receipt), reference=reference)
    expect(checked.ok, f"the receipt does not verify: {checked.problem}")
    expect(later.size > receipt.tree_size, "no later checkpoint to check against")
    return (
        f"receipt for entry {receipt.entry_index} verifies against checkpoint of size "
        f"{later.size} (issued at size {receipt.tree_size})"
    )


def step_audit_and_report(story: Story) -> str:
    """The whole audit log verifies; the public transparency report counts it all."""
    rt = story.rt
    verified = audit_service.verify(rt)
    expect(bool(verified.ok), f"the audit log does not verify at {verified}")
    with story.uow(read_only=True) as uow:
        totals = transparency.build_report(uow, rt)["totals"]
    denied = totals["requests_by_decision"].get("denied", 0)
    destroyed = totals["records_destroyed"]
    expect(totals["requests"] >= 1 and denied >= 1, f"report requests: {totals}")
    if checks.retention_missing() is None:
        expect(
            destroyed.get("document_copy") == story.copies,
            f"the report counts {destroyed} destroyed",
        )
    return (
        f"audit log verifies ({verified.size} entries); transparency: "
        f"{totals['requests']} request(s), {denied} denied, cards issued "
        f"{totals['cards_issued']}, holds {totals['holds_placed']} placed / "
        f"{totals['holds_released']} released, destroyed "
        + (", ".join(f"{name}={count}" for name, count in destroyed.items()) or "none")
    )
