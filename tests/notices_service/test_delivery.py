"""Delivery end to end: queued, sent through a real SMTP server, retried when it is down."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from cityid.bootstrap import open_runtime
from cityid.enrollment.contact import notify_applicant
from cityid.notices import delivery
from cityid.notices.kinds import NoticeKind
from cityid.notices.tables import notice_outbox
from tests.cards_service.card_helpers import STREET, supervisor
from tests.enrollment_service.helpers import dump_database
from tests.notices_service.conftest import EMAIL, PHONE, Office
from tests.notices_service.smtp import free_port, start_server, use_smtp

CARD_PARAMS = {"reference": "Q7K2M9", "centre": "Flushing Library"}


@pytest.fixture
def smtp_office(data_dir: Path) -> Iterator[tuple[Office, int]]:
    port = free_port()
    use_smtp(data_dir, port)
    runtime = open_runtime(data_dir)
    yield Office(runtime, supervisor(runtime), data_dir), port
    runtime.close()


def _row(office: Office) -> sa.Row:
    with office.runtime.engine.connect() as conn:
        return conn.execute(sa.select(notice_outbox)).one()


def test_a_notice_arrives_with_nothing_personal_in_its_subject(
    smtp_office: tuple[Office, int],
) -> None:
    office, port = smtp_office
    app = office.application(language="eng")
    office.do(notify_applicant, app, NoticeKind.CARD_READY_FOR_PICKUP, CARD_PARAMS)
    server, inbox = start_server(port)
    try:
        report = delivery.run_once(office.runtime)
    finally:
        server.stop()
    assert (report.sent, report.retried, report.failed) == (1, 0, 0)
    [(to, message)] = inbox.messages
    assert to == [EMAIL] and message["To"] == EMAIL
    subject = str(message["Subject"])
    assert subject == "IDNYC: your card is ready"
    for personal in ("María", "García", STREET, "Garcia"):
        assert personal not in subject
    body = message.get_payload(decode=True).decode()
    assert "ready for pickup at Flushing Library" in body and "Q7K2M9" in body
    # Delivered: the row keeps no address, and nothing sealed that could be opened.
    row = _row(office)
    assert (row.status, row.s_payload, row.wrapped_key, row.subject_id) == (
        "sent",
        None,
        None,
        None,
    )
    assert EMAIL.encode() not in dump_database(office.runtime.engine)
    assert delivery.run_once(office.runtime).sent == 0  # sent once, never again


def test_a_down_server_means_later_not_lost(smtp_office: tuple[Office, int]) -> None:
    office, port = smtp_office
    app = office.application()
    office.do(notify_applicant, app, NoticeKind.CARD_MAILED, {"reference": "Q7K2M9"})
    first = delivery.run_once(office.runtime)  # nothing listens on the port
    assert (first.sent, first.retried, first.errors) == (0, 1, {"smtp_unavailable": 1})
    row = _row(office)
    assert row.status == "pending" and row.attempts == 1 and row.s_payload is not None
    server, inbox = start_server(port)
    try:
        assert delivery.run_once(office.runtime).sent == 0  # not due yet: back-off
        later = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=2)
        assert delivery.run_once(office.runtime, now=later).sent == 1
    finally:
        server.stop()
    [(_, message)] = inbox.messages
    assert str(message["Subject"]) == "IDNYC: su tarjeta va por correo"
    assert message["Content-Language"] == "es"


def test_gives_up_after_the_policy_attempts_and_forgets_the_address(
    smtp_office: tuple[Office, int],
) -> None:
    office, _port = smtp_office
    app = office.application()
    office.do(notify_applicant, app, NoticeKind.CARD_MAILED, {"reference": "Q7K2M9"})
    moment = dt.datetime.now(dt.UTC)
    for _ in range(office.runtime.policy.notices.max_attempts):
        delivery.run_once(office.runtime, now=moment)
        moment += dt.timedelta(days=1)
    row = _row(office)
    assert (row.status, row.attempts, row.s_payload, row.subject_id) == ("failed", 8, None, None)
    assert row.last_error == "smtp_unavailable"


def test_texts_go_to_the_sms_spool_without_anything_personal(office: Office) -> None:
    app = office.application(contact_email=None, contact_phone=PHONE, language="eng")
    office.do(notify_applicant, app, NoticeKind.CARD_READY_FOR_PICKUP, CARD_PARAMS)
    assert delivery.run_once(office.runtime).sent == 1
    [spooled] = list((office.data_dir / "spool" / "sms").glob("*.json"))
    text = json.loads(spooled.read_text("utf-8"))
    assert text["to"] == PHONE
    assert text["text"] == "IDNYC: your card is ready for pickup at Flushing Library."
    assert oct(spooled.stat().st_mode & 0o777) == "0o600"


def test_mail_goes_to_the_spool_by_default(office: Office) -> None:
    app = office.application()
    office.do(notify_applicant, app, NoticeKind.CARD_MAILED, {"reference": "Q7K2M9"})
    assert delivery.run_once(office.runtime).sent == 1
    [spooled] = list((office.data_dir / "spool" / "mail").glob("*.eml"))
    assert f"To: {EMAIL}" in spooled.read_text("utf-8")


def test_backoff_doubles_up_to_the_cap() -> None:
    waits = [delivery.backoff(60, 3600, n).total_seconds() for n in (1, 2, 3, 7, 8)]
    assert waits == [60, 120, 240, 3600, 3600]
