"""Renewal notices at 60 and 30 days before expiry, once each; `cityid notify run`."""

from __future__ import annotations

import datetime as dt
from email import message_from_bytes
from email.policy import default
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from cityid.cards import issuing
from cityid.enrollment.renewal_notices import queue_renewals, threshold_for
from cityid.notices.tables import notice_outbox
from cityid.staff.actor import Actor
from tests.notices_service.conftest import Office

SYSTEM = Actor.system()


def _renewals(office: Office) -> list[Any]:
    with office.runtime.engine.connect() as conn:
        return list(
            conn.execute(
                sa.select(notice_outbox.c.dedupe_key).where(notice_outbox.c.kind == "renewal_due")
            ).scalars()
        )


def test_thresholds_pick_the_nearest_one_reached() -> None:
    assert [threshold_for([60, 30], d) for d in (61, 60, 45, 30, 20, 1)] == [
        None, 60, 60, 30, 30, 30,
    ]  # fmt: skip


def test_a_card_gets_one_notice_at_60_and_one_at_30_days(office: Office) -> None:
    card = office.do(issuing.issue, office.application())
    expires = dt.date.fromisoformat(card.expires)
    queue = lambda days: office.do(  # noqa: E731
        lambda uow, rt, _actor: queue_renewals(uow, rt, SYSTEM, expires - dt.timedelta(days))
    )
    assert queue(61) == 0
    assert queue(45) == 1
    assert queue(44) == 0  # the 60-day notice went already
    assert queue(25) == 1
    assert queue(2) == 0
    assert [k.split(":")[0] for k in _renewals(office)] == ["renewal-60", "renewal-30"]


def test_notify_run_sends_what_is_due(office: Office, cli: Any, data_dir: Path) -> None:
    office.application(keep_decision=True)  # its approval queued a decision notice
    result = cli("--json", "--data-dir", str(data_dir), "notify", "run")
    assert result.code == 0, result.out
    assert result.json["delivery"]["sent"] == 1
    assert result.json["renewals_queued"] == 0
    [mail] = list((data_dir / "spool" / "mail").glob("*.eml"))
    message = message_from_bytes(mail.read_bytes(), policy=default)
    assert message["Subject"] == "IDNYC: una decisión sobre su solicitud"


def test_a_card_without_contact_is_looked_at_once(office: Office) -> None:
    card = office.do(issuing.issue, office.application(contact_email=None))
    expires = dt.date.fromisoformat(card.expires)
    day = expires - dt.timedelta(45)
    assert office.do(lambda uow, rt, _a: queue_renewals(uow, rt, SYSTEM, day)) == 0
    with office.runtime.engine.connect() as conn:
        rows = conn.execute(sa.select(notice_outbox)).all()
    # One marker for the occasion: nothing to send, no address, not delivered.
    assert [(r.kind, r.status, r.channel, r.s_payload) for r in rows] == [
        ("renewal_due", "suppressed", "none", None)
    ]
    assert office.do(lambda uow, rt, _a: queue_renewals(uow, rt, SYSTEM, day)) == 0
    with office.runtime.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(notice_outbox)).scalar() == 1
