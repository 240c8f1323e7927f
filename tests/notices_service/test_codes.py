"""One-time codes: sent to the contact on file, hashed, three wrong tries lock, no replay."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from cityid.crypto import RecordSealer
from cityid.enrollment.contact import issue_code_to_contact
from cityid.notices.codes import CodeCheck, CodePurpose, NoContactOnFile, check_code
from cityid.notices.outbox import open_payload
from cityid.notices.tables import notice_outbox, one_time_codes
from tests.notices_service.conftest import Office

LOST = CodePurpose.LOST_CARD


def sent_code(office: Office) -> str:
    """The code as the resident reads it: from the newest one-time-code notice."""
    with office.runtime.engine.connect() as conn:
        row = conn.execute(
            sa.select(notice_outbox)
            .where(notice_outbox.c.kind == "one_time_code")
            .order_by(notice_outbox.c.created_at.desc())
        ).first()
    assert row is not None
    with RecordSealer(office.runtime.keystore) as sealer:
        return open_payload(sealer, row).params["code"]


def check(office: Office, app: str, code_id: str, code: str, **kw: object) -> CodeCheck:
    return office.do(check_code, code_id, code, purpose=LOST, subject_id=app, **kw).outcome


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 10 ** len(code):0{len(code)}d}"


def test_the_right_code_works_once_and_a_replay_is_refused(office: Office) -> None:
    app = office.application()
    issued = office.do(issue_code_to_contact, app, LOST)
    code = sent_code(office)
    assert len(code) == 6 and issued.channels == ("email",)
    with office.runtime.engine.connect() as conn:
        stored = conn.execute(sa.select(one_time_codes)).one()
    assert code.encode() not in bytes(stored.code_hash)
    assert check(office, app, issued.code_id, code) == CodeCheck.OK
    assert check(office, app, issued.code_id, code) == CodeCheck.USED


def test_three_wrong_codes_lock_the_code_even_for_the_right_one(office: Office) -> None:
    app = office.application()
    issued = office.do(issue_code_to_contact, app, LOST)
    code = sent_code(office)
    results = [office.do(check_code, issued.code_id, wrong(code), purpose=LOST, subject_id=app)
               for _ in range(3)]  # fmt: skip
    assert [(r.outcome, r.attempts_left) for r in results] == [
        (CodeCheck.WRONG, 2), (CodeCheck.WRONG, 1), (CodeCheck.LOCKED, 0),
    ]  # fmt: skip
    assert check(office, app, issued.code_id, code) == CodeCheck.LOCKED


def test_a_code_expires_and_belongs_to_its_record(office: Office) -> None:
    app, other = office.application(), office.application()
    issued = office.do(issue_code_to_contact, app, LOST)
    code = sent_code(office)
    later = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=11)
    assert check(office, app, issued.code_id, code, now=later) == CodeCheck.EXPIRED
    assert check(office, other, issued.code_id, code) == CodeCheck.UNKNOWN
    assert (
        office.do(
            check_code, issued.code_id, code, purpose=CodePurpose.STATUS, subject_id=app
        ).outcome
        == CodeCheck.UNKNOWN
    )
    assert check(office, app, issued.code_id, code) == CodeCheck.OK


def test_a_new_code_replaces_the_old_one(office: Office) -> None:
    app = office.application()
    first = office.do(issue_code_to_contact, app, LOST)
    first_code = sent_code(office)
    second = office.do(issue_code_to_contact, app, LOST)
    assert check(office, app, first.code_id, first_code) == CodeCheck.USED
    assert check(office, app, second.code_id, sent_code(office)) == CodeCheck.OK


def test_no_contact_on_file_is_a_clear_refusal(office: Office) -> None:
    app = office.application(contact_email=None)
    with pytest.raises(NoContactOnFile, match="no email address or mobile number on file"):
        office.do(issue_code_to_contact, app, LOST)
    with office.runtime.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(one_time_codes)).scalar() == 0
