"""The outbox forgets with the register: a destroyed application's waiting notices are
withdrawn (a legally required one still goes), and a past month's key is destroyed once
nothing under it is waiting."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from cityid.audit.tables import audit_entries
from cityid.crypto import KeyDestroyed, RecordSealer
from cityid.enrollment.contact import notify_applicant
from cityid.notices.forgetting import destroy_spent_keys
from cityid.notices.kinds import NoticeKind
from cityid.notices.outbox import NOTICE_RECORD_CLASS, open_payload
from cityid.notices.tables import notice_outbox, one_time_codes
from cityid.retention import disposition
from cityid.staff.actor import Actor
from cityid.store.uow import UnitOfWork
from tests.notices_service.conftest import EMAIL, Office
from tests.retention.retention_helpers import actors


def _rows(office: Office) -> dict[str, sa.Row]:
    with office.runtime.engine.connect() as conn:
        return {r.kind: r for r in conn.execute(sa.select(notice_outbox))}


def _erase(office: Office, application_id: str) -> None:
    staff = actors()
    with UnitOfWork(office.runtime.engine) as uow:
        planned = disposition.plan_erasure(
            uow, office.runtime, staff.officer, application_id, reason="applicant_request"
        )
        disposition.approve(uow, office.runtime, staff.officer, planned.batch_id)
        disposition.approve(uow, office.runtime, staff.counsel, planned.batch_id)
        uow.commit()
    done = disposition.execute(office.runtime, Actor.system(), str(planned.batch_id))
    assert done.counts_by_class["application"] == 1


def test_erasing_an_application_withdraws_its_waiting_notices_but_not_the_required(
    office: Office,
) -> None:
    app = office.application(keep_decision=True)  # its decision notice: legally required
    office.do(notify_applicant, app, NoticeKind.CARD_MAILED, {"reference": "R-1"})
    with office.runtime.engine.begin() as conn:  # a code waiting to be typed in
        conn.execute(one_time_codes.insert().values(
            code_id="otc-1", purpose="card", subject_id=app, salt=b"s", code_hash=b"h",
            attempts=0, status="active", created_at=dt.datetime.now(dt.UTC),
            expires_at=dt.datetime.now(dt.UTC) + dt.timedelta(minutes=15),
        ))  # fmt: skip
    _erase(office, app)
    rows = _rows(office)
    mailed, decision = rows["card_mailed"], rows["decision"]
    assert mailed.status == "withdrawn"
    assert (mailed.s_payload, mailed.wrapped_key, mailed.subject_id) == (None, None, None)
    assert decision.status == "pending" and decision.s_payload is not None  # the law asks
    with office.runtime.engine.connect() as conn:
        assert conn.execute(sa.select(one_time_codes)).all() == []


def test_a_past_months_key_goes_once_nothing_waits_under_it(office: Office) -> None:
    app = office.application()
    office.do(notify_applicant, app, NoticeKind.CARD_MAILED, {"reference": "R-1"})
    office.do(notify_applicant, app, NoticeKind.RENEWAL_DUE,
              {"days": 60, "expires": "2027-01-31"})  # fmt: skip
    rows = _rows(office)
    key_id = rows["card_mailed"].cohort_key_id
    assert key_id == rows["renewal_due"].cohort_key_id  # one key for the month
    made = rows["card_mailed"].created_at.replace(tzinfo=dt.UTC)
    next_month = (made.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    runtime = office.runtime

    # This month, and the first day of the next, the key stays whatever happens.
    assert destroy_spent_keys(runtime, office.actor, next_month).destroyed == ()
    later = next_month + dt.timedelta(days=2)
    # One notice went; the other still waits (a retry): the key is kept for it.
    with runtime.engine.begin() as conn:
        conn.execute(notice_outbox.update()
                     .where(notice_outbox.c.kind == "card_mailed")
                     .values(status="sent", s_payload=None, wrapped_key=None,
                             cohort_key_id=None, subject_id=None))  # fmt: skip
    kept = destroy_spent_keys(runtime, office.actor, later)
    assert kept.destroyed == () and kept.kept == 1
    with RecordSealer(runtime.keystore) as sealer:
        assert open_payload(sealer, _rows(office)["renewal_due"]).address == EMAIL
    # It gives up: now nothing needs the key, and it is destroyed, with an audit entry.
    with runtime.engine.begin() as conn:
        conn.execute(notice_outbox.update()
                     .where(notice_outbox.c.kind == "renewal_due")
                     .values(status="failed", s_payload=None, wrapped_key=None,
                             cohort_key_id=None, subject_id=None))  # fmt: skip
    gone = destroy_spent_keys(runtime, office.actor, later)
    assert gone.destroyed == (key_id,)
    assert runtime.keystore.info(key_id).state == "destroyed"
    assert runtime.keystore.info(key_id).purpose.startswith(f"{NOTICE_RECORD_CLASS}/")
    with pytest.raises(KeyDestroyed):
        runtime.keystore.unwrap(key_id, b"x" * 40, b"aad")
    with UnitOfWork(runtime.engine) as uow:
        actions = [r.action for r in uow.conn.execute(sa.select(audit_entries))]
    assert actions.count("notice.key_destroy") == 1
    # Run again: nothing more to do.
    assert destroy_spent_keys(runtime, office.actor, later).destroyed == ()
