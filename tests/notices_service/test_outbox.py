"""The outbox: queued in the caller's transaction, sealed, opt-out and dedupe honoured."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from cityid.crypto import RecordSealer
from cityid.enrollment.contact import notify_applicant
from cityid.errors import BadInput
from cityid.notices.kinds import NoticeKind, Suppressed
from cityid.notices.outbox import open_payload
from cityid.notices.tables import notice_outbox
from cityid.store.uow import UnitOfWork
from tests.enrollment_service.helpers import dump_database
from tests.notices_service.conftest import EMAIL, PHONE, Office


def _rows(office: Office) -> list[sa.Row]:
    with office.runtime.engine.connect() as conn:
        return list(conn.execute(sa.select(notice_outbox).order_by(notice_outbox.c.channel)))


def test_a_notice_is_queued_sealed_one_per_channel(office: Office) -> None:
    app = office.application(contact_phone="(718) 555-0123")
    queued = office.do(notify_applicant, app, NoticeKind.CARD_MAILED, {"reference": "R-1"})
    assert len(queued.notice_ids) == 2 and queued.suppressed is None
    rows = _rows(office)
    assert [(r.channel, r.status, r.language) for r in rows] == [
        ("email", "pending", "spa"), ("sms", "pending", "spa"),
    ]  # fmt: skip
    dump = dump_database(office.runtime.engine)
    assert EMAIL.encode() not in dump and PHONE.encode() not in dump


def test_rolled_back_change_leaves_no_notice(office: Office) -> None:
    app = office.application()
    with UnitOfWork(office.runtime.engine) as uow:
        notify_applicant(uow, office.runtime, office.actor, app, NoticeKind.CARD_MAILED,
                         {"reference": "R-1"})  # fmt: skip
        uow.rollback()
    assert _rows(office) == []


def test_opt_out_is_honoured_except_for_legally_required(office: Office) -> None:
    app = office.application(notices_opt_out=True, keep_decision=True)
    # The approval queued its decision notice: legally required, so sent despite the opt-out.
    assert [(r.kind, r.legally_required) for r in _rows(office)] == [("decision", True)]
    skipped = office.do(notify_applicant, app, NoticeKind.CARD_MAILED, {"reference": "R"})
    assert skipped.notice_ids == () and skipped.suppressed == Suppressed.OPTED_OUT
    assert len(_rows(office)) == 1


def test_a_decision_is_told_to_the_contact_on_file(office: Office) -> None:
    office.application(keep_decision=True, contact_phone="+17185550123")
    rows = _rows(office)
    assert [(r.kind, r.channel) for r in rows] == [("decision", "email"), ("decision", "sms")]
    with RecordSealer(office.runtime.keystore) as sealer:
        assert open_payload(sealer, rows[0]).params["outcome"] == "approved"


def test_dedupe_and_bad_parameters(office: Office) -> None:
    app = office.application()
    params = {"days": 60, "expires": "2031-01-01"}
    first = office.do(notify_applicant, app, NoticeKind.RENEWAL_DUE, params, dedupe="r60:x")
    again = office.do(notify_applicant, app, NoticeKind.RENEWAL_DUE, params, dedupe="r60:x")
    assert len(first.notice_ids) == 1 and again.suppressed == Suppressed.DUPLICATE
    with pytest.raises(BadInput, match="missing parameters expires"):
        office.do(notify_applicant, app, NoticeKind.RENEWAL_DUE, {"days": 30})
    assert len(_rows(office)) == 1


def test_no_contact_on_file_queues_nothing(office: Office) -> None:
    app = office.application(contact_email=None)
    queued = office.do(notify_applicant, app, NoticeKind.CARD_MAILED, {"reference": "R"})
    assert queued.suppressed == Suppressed.NO_CONTACT and _rows(office) == []


def test_contact_fields_are_checked_with_clear_messages() -> None:
    from cityid.enrollment.applicant import InvalidApplicant, parse_applicant
    from cityid.policy import load_policy
    from tests.cards_service.card_helpers import applicant_line

    policy, today = load_policy(), dt.date.today()
    with pytest.raises(InvalidApplicant) as bad:
        parse_applicant(
            applicant_line(today, contact_email="not an address", contact_phone="12"),
            policy, today,
        )  # fmt: skip
    assert dict(bad.value.field_errors) == {
        "contact_email": "not an email address",
        "contact_phone": "not a mobile number (7 to 15 digits, optionally a leading +)",
    }
    assert "not an address" not in str(bad.value)  # never echoes the value
    ok = parse_applicant(applicant_line(today, contact_phone="(718) 555-0123"),
                         policy, today)  # fmt: skip
    assert ok.contact_phone == "7185550123" and ok.contact_email is None
