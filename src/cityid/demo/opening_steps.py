"""The story's first days: staff hired, the backlog enrolled, cards issued and checked,
and the switch to the new document rules (`cityid demo`, steps one to four).

Each step returns one line saying what happened or raises `StepFailed`.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from cityid.bootstrap import open_runtime
from cityid.cards import issuing, status_changes, status_service
from cityid.cards import service as cards
from cityid.cards.results import Issued
from cityid.cards.verify import Verifier
from cityid.crypto import cose_key_set
from cityid.datadir import ADMIN_USERNAME, init_data_dir
from cityid.demo import backlog, checks
from cityid.demo.calendar import (
    CARDS_TO_ISSUE,
    DAY_AFTER_SWITCH,
    DESTRUCTION_DAY,
    SWITCH_DAY,
)
from cityid.demo.cast import STAFF, hire_staff, new_password
from cityid.demo.checks import expect
from cityid.demo.stage import Story
from cityid.devtools.faults import from_environment
from cityid.devtools.synth.applicants import generate_applicants
from cityid.enrollment import transitions
from cityid.enrollment.tables import document_attestations, document_copies
from cityid.operations.accounts import find_user
from cityid.store.uow import UnitOfWork


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
    wanted = len(STAFF) + 1  # and the admin
    expect(roles == wanted, f"expected {wanted} roles with staff, found {roles}")
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
            issued.append(issuing.issue(uow, rt, supervisor, application_id))
        uow.commit()
    good, bad = issued[0].card_number, issued[1].card_number
    with story.uow() as uow:
        qr_good = cards.credential_qr(uow, rt, supervisor, good)["qr"]
        qr_bad = cards.credential_qr(uow, rt, supervisor, bad)["qr"]
        status_changes.change_status(uow, rt, supervisor, bad, "revoke", "reported stolen")
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
