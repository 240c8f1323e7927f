"""The 2016 story, step by step, each step checking what it promised (`cityid demo`).

Every step calls the services directly (no subprocesses), acts as the staff member
whose job it is, and either returns one line saying what happened (with its key
number) or raises `StepFailed` saying what differed. A failing step does not stop the
story: later steps run and report on their own, and the caller exits non-zero.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from pydantic import SecretStr

from cityid.audit import service as audit_service
from cityid.bootstrap import open_runtime
from cityid.cards import service as cards
from cityid.cards import status_service
from cityid.cards.results import Issued
from cityid.cards.verify import Verifier
from cityid.crypto import KeyDestroyed, RecordSealer, SealedKey, cose_key_set
from cityid.datadir import ADMIN_USERNAME, init_data_dir
from cityid.demo import backlog, checks
from cityid.demo.cast import Cast, hire_staff, new_password
from cityid.demo.checks import StepFailed, StepResult, expect, need_retention
from cityid.devtools.faults import from_environment
from cityid.devtools.synth.applicants import generate_applicants
from cityid.disclosure import report as transparency
from cityid.disclosure import requests as disclosure
from cityid.enrollment import lookup, transitions
from cityid.enrollment.tables import applications, document_attestations, document_copies
from cityid.errors import CityIdError, Refused
from cityid.operations.accounts import find_user
from cityid.runtime import Runtime
from cityid.settings import Settings
from cityid.store.engine import make_engine, sqlite_url
from cityid.store.uow import UnitOfWork

SWITCH_DAY = dt.date(2016, 12, 7)
DAY_AFTER_SWITCH = dt.date(2016, 12, 8)
DESTRUCTION_DAY = dt.date(2016, 12, 31)
ORDER_DATE = dt.date(2016, 12, 5)
SUBPOENA_DAY = dt.date(2016, 12, 20)
RELEASE_DAY = dt.date(2017, 4, 24)
COURT = "Richmond County Supreme Court"
DOCKET = "Index No. 80258/16"
HOLD_REASON = (
    "Temporary restraining order: two Assembly members petition under the Freedom of "
    "Information Law to preserve IDNYC application documents; destruction barred until "
    "a hearing."
)
RELEASE_REASON = (
    "April 2017: the court found the petitioners lacked standing and dismissed the "
    "petition; the short stay for an appeal has run out."
)
CARDS_TO_ISSUE = 4
Note = Callable[[str], None]


@dataclass
class Story:
    """The data dir the story runs in, the people in it, and what each step left."""

    data_dir: Path
    settings: Settings
    size: int
    work_dir: Path  # exports a bank would keep, the old backup, the restored copy
    note: Note = lambda _text: None
    runtime: Runtime | None = None
    cast: Cast = field(default_factory=Cast)
    enrolled: backlog.Enrolled = field(default_factory=backlog.Enrolled)
    copies: int = 0
    facts: dict[str, Any] = field(default_factory=dict)

    @property
    def rt(self) -> Runtime:
        if self.runtime is None:
            raise StepFailed("the data dir was never opened (the first step failed)")
        return self.runtime

    def uow(self, *, read_only: bool = False) -> UnitOfWork:
        return UnitOfWork(self.rt.engine, read_only=read_only)

    def fact(self, name: str) -> Any:
        if name not in self.facts:
            raise StepFailed(f"an earlier step did not leave its result ({name})")
        return self.facts[name]

    def close(self) -> None:
        if self.runtime is not None:
            self.runtime.keystore.close()
            self.runtime.close()


# --- the steps --------------------------------------------------------------------------


def step_staff(story: Story) -> str:
    """A fresh data dir and one staff member per role."""
    admin_password = new_password()
    init_data_dir(story.data_dir, story.settings, admin_password=admin_password)
    story.work_dir.mkdir(parents=True, exist_ok=True)
    story.runtime = open_runtime(story.data_dir, story.settings, faults=from_environment())
    with story.uow() as uow:
        admin = find_user(uow, ADMIN_USERNAME)
        story.cast.passwords[ADMIN_USERNAME] = admin_password
        hire_staff(uow, story.rt.policy, admin, story.cast)
        uow.commit()
    roles = len(story.cast.actors)
    expect(roles == 7, f"expected 7 roles with staff, found {roles}")
    return f"data dir ready, {roles} staff: " + ", ".join(
        f"{role}={actor.username}" for role, actor in story.cast.actors.items()
    )


def step_enroll(story: Story) -> str:
    """The backlog in retain mode, then a misspelled duplicate and a borrowed passport."""
    rt, clerk = story.rt, story.cast["clerk"]
    expect(
        rt.policy.retention.mode_on(backlog.LAST_RETAIN_DAY) == "retain",
        "the policy does not keep copies before 2016-12-07",
    )

    def progress(done: int, total: int) -> None:
        story.note(f"enrolled {done}/{total}")

    found = story.enrolled = backlog.enroll_backlog(rt, clerk, story.size, progress)
    stored = len(found.ids)
    expect(stored >= story.size * 0.8, f"only {stored} of {story.size} applicants were stored")
    holders = backlog.passport_holders(found)
    expect(len(holders) >= 2, "fewer than two applicants presented a passport")
    original, stranger = holders[0], holders[1]
    with story.uow() as uow:
        again = backlog.enroll_line(
            uow, rt, clerk, backlog.second_application_misspelled(found.lines[original]),
            dt.date(2016, 11, 28),
        )  # fmt: skip
        forged = backlog.enroll_line(
            uow, rt, clerk,
            backlog.stranger_with_passport(found.lines[stranger], found.lines[original]),
            dt.date(2016, 11, 30),
        )  # fmt: skip
        story.copies = int(
            uow.conn.execute(sa.select(sa.func.count()).select_from(document_copies)).scalar_one()
        )
        uow.commit()
    expect(again is not None and again.application_id is not None, "the duplicate was refused")
    expect(forged is not None and forged.application_id is not None, "the forger was refused")
    assert again is not None and forged is not None
    story.facts.update(original=original, duplicate=again.application_id)
    reuse = [f for f in forged.flags if f["kind"] == "document_reuse" and f["of"] == original]
    expect(bool(reuse), f"the reused passport was not flagged (flags: {forged.flags})")
    duplicate = [
        f for f in again.flags if f["kind"] == "possible_duplicate" and f["of"] == original
    ]
    if checks.duplicate_search_wired():
        expect(
            bool(duplicate),
            f"the misspelled duplicate was not flagged possible_duplicate (flags: {again.flags})",
        )
        dup_text = f"misspelled duplicate flagged (score {duplicate[0].get('score')})"
    else:
        dup_text = "misspelled duplicate: 1:N duplicate search not wired into screening yet"
    expect(story.copies > 0, "no document copies were retained")
    flagged = found.outcomes["flagged"] + (again.status == "flagged") + 1
    return (
        f"{stored + 2} enrolled 2015-01-12..2016-12-06 ({found.outcomes['rejected']} "
        f"ineligible turned away), {story.copies} document copies retained, {flagged} flagged; "
        f"reused passport flagged document_reuse; {dup_text}"
    )


def _latest_status_tokens(story: Story, uow: UnitOfWork, now: dt.datetime) -> list[bytes]:
    return [
        status_service.signed_token(story.rt, uow, number, now=now)
        for number in status_service.list_numbers(uow)
    ]


def step_cards(story: Story) -> str:
    """Cards approved and issued; a bank checks one offline (valid) and a revoked one."""
    rt, supervisor = story.rt, story.cast["supervisor"]
    chosen = [a for a in story.enrolled.submitted if a != story.facts.get("original")]
    expect(len(chosen) >= 2, "fewer than two applications to issue cards to")
    issued: list[Issued] = []
    with story.uow() as uow:
        for application_id in chosen[:CARDS_TO_ISSUE]:
            transitions.approve(uow, rt, supervisor, application_id, "documents seen")
            # Signed with today's clock, so the bank below checks them as valid now.
            issued.append(cards.issue(uow, rt, supervisor, application_id))
        uow.commit()
    good, bad = issued[0].card_number, issued[1].card_number
    with story.uow() as uow:
        qr_good = cards.credential_qr(uow, rt, supervisor, good)["qr"]
        qr_bad = cards.credential_qr(uow, rt, supervisor, bad)["qr"]
        cards.change_status(uow, rt, supervisor, bad, "revoke", "reported stolen")
        uow.commit()
    # What the bank takes away and keeps offline: the key set and the status list.
    now = dt.datetime.now(dt.UTC)
    keys_file = story.work_dir / "issuer-keys.cbor"
    keys_file.write_bytes(cose_key_set(rt.keystore))
    with story.uow(read_only=True) as uow:
        tokens = _latest_status_tokens(story, uow, now)
    for number, token in enumerate(tokens):
        (story.work_dir / f"status-list-{number}.cwt").write_bytes(token)
    bank = Verifier(keys_file.read_bytes(), tokens, now=now)
    seen_good = bank.verify(qr_good, now=now, purpose="identity").result.value
    seen_bad = bank.verify(qr_bad, now=now, purpose="identity").result.value
    expect(seen_good == "valid", f"the bank saw card {good} as {seen_good}, not valid")
    expect(seen_bad == "revoked", f"the bank saw revoked card {bad} as {seen_bad}")
    return (
        f"{len(issued)} cards issued; bank offline check: {good} valid, {bad} revoked "
        f"(key set {keys_file.stat().st_size} bytes, {len(tokens)} status list)"
    )


def step_switch(story: Story) -> str:
    """From Dec 7 documents are checked and handed back; the backlog is due Dec 31."""
    rt, clerk = story.rt, story.cast["clerk"]
    expect(
        rt.policy.retention.mode_on(SWITCH_DAY) == "verify-and-discard",
        "the policy does not switch to verify-and-discard on 2016-12-07",
    )
    lines = generate_applicants(
        40, seed=1208, with_documents=True, policy=rt.policy, today=DAY_AFTER_SWITCH
    )
    with story.uow() as uow:
        outcome = None
        for line in lines:
            outcome = backlog.enroll_line(uow, rt, clerk, line, DAY_AFTER_SWITCH)
            if outcome is not None and outcome.application_id is not None:
                break
        expect(outcome is not None and outcome.application_id is not None, "nobody enrolled")
        assert outcome is not None
        kept = uow.conn.execute(
            sa.select(sa.func.count()).where(
                document_copies.c.application_id == outcome.application_id
            )
        ).scalar_one()
        statuses = set(
            uow.conn.execute(
                sa.select(document_attestations.c.copy_status).where(
                    document_attestations.c.application_id == outcome.application_id
                )
            ).scalars()
        )
        due: dict[dt.date, int] = dict(
            uow.conn.execute(
                sa.select(document_copies.c.due_on, sa.func.count()).group_by(
                    document_copies.c.due_on
                )
            ).all()
        )
        uow.commit()
    expect(kept == 0, f"an enrollment on 2016-12-08 stored {kept} document copies")
    expect(statuses == {"not_retained"}, f"its attestations say {sorted(statuses)}")
    expect(
        set(due) == {DESTRUCTION_DAY},
        f"backlog copies fall due on {sorted(str(d) for d in due)}, not only 2016-12-31",
    )
    return (
        f"2016-12-08 enrollment kept 0 copies (attested only); {due[DESTRUCTION_DAY]} "
        f"backlog copies scheduled for destruction on {DESTRUCTION_DAY}"
    )


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
        filed = disclosure.file_request(
            uow, rt, counsel, requester_kind="federal_law_enforcement",
            instrument="administrative_subpoena",
            scope={"from": "2014-01-01", "to": "2016-12-31"},
            requester="federal immigration agency", docket="AS-2016-0412",
            received_on=SUBPOENA_DAY,
        )  # fmt: skip
        decided = disclosure.decide(uow, rt, counsel, filed.request_id, today=SUBPOENA_DAY)
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
        shown = lookup.show(uow, rt, story.cast["supervisor"], application_id)
        reference = uow.conn.execute(
            sa.select(applications.c.reference).where(
                applications.c.application_id == application_id
            )
        ).scalar_one()
        later = audit_service.create_checkpoint(rt, uow)
        uow.commit()
    copies = {doc.copy for doc in shown.documents}
    expect("destroyed" in copies, f"the record shows its copies as {sorted(copies)}")
    checked = receipts.verify_against_log(rt, receipt, reference=reference)
    expect(bool(checked.get("ok")), f"the receipt does not verify: {checked.get('problem')}")
    expect(later.size > int(receipt["tree_size"]), "no later checkpoint to check against")
    return (
        f"receipt for entry {receipt['entry_index']} verifies against checkpoint of size "
        f"{later.size} (issued at size {receipt['tree_size']})"
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


Step = tuple[str, Callable[[Story], str]]
STEPS: tuple[Step, ...] = (
    ("staff", step_staff),
    ("enroll", step_enroll),
    ("cards", step_cards),
    ("verify_and_discard", step_switch),
    ("court_hold", step_hold),
    ("federal_subpoena", step_subpoena),
    ("hold_released", step_release),
    ("destruction", step_destroy),
    ("old_backup", step_old_backup),
    ("receipt", step_receipt),
    ("audit_and_report", step_audit_and_report),
)


def run_step(story: Story, name: str, step: Callable[[Story], str]) -> StepResult:
    try:
        return StepResult(name, True, step(story))
    except StepFailed as failed:
        return StepResult(name, False, failed.detail)
    except CityIdError as exc:
        return StepResult(name, False, f"{exc.code}: {exc.message}")
    except Exception as exc:  # a bug met on the way: the story reports it and goes on
        return StepResult(name, False, f"unexpected {type(exc).__name__}: {exc}")


def tell(story: Story, on_result: Callable[[StepResult], None]) -> list[StepResult]:
    """Run every step in order; each result goes to `on_result` as it is known."""
    results = []
    for name, step in STEPS:
        result = run_step(story, name, step)
        results.append(result)
        on_result(result)
        if name == "staff" and not result.ok:
            break  # no data dir: nothing else can run
    return results


def story_settings(data_dir: Path, *, throwaway: bool) -> Settings:
    """A throwaway data dir gets its own keystore passphrase in memory (no warning file)
    and its own SQLite database, whatever CITYID_DATABASE_URL says."""
    if throwaway:
        return Settings(
            data_dir=data_dir,
            database_url=None,
            keystore_passphrase=SecretStr(secrets.token_urlsafe(24)),
        )
    return Settings(data_dir=data_dir)
