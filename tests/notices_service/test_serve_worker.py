"""The worker inside `cityid serve` delivers the outbox without anyone running a command."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from cityid.bootstrap import open_runtime
from cityid.enrollment.contact import notify_applicant
from cityid.notices.kinds import NoticeKind
from cityid.notices.tables import notice_outbox
from cityid.web.app import create_app
from tests.cards_service.card_helpers import supervisor
from tests.notices_service.conftest import Office


def test_the_server_sends_queued_notices_by_itself(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CITYID_NOTIFY_INTERVAL_SECONDS", "1")
    runtime = open_runtime(data_dir)
    office = Office(runtime, supervisor(runtime), data_dir)
    app = office.application()
    office.do(notify_applicant, app, NoticeKind.CARD_MAILED, {"reference": "Q7K2M9"})
    status = "pending"
    with TestClient(create_app(runtime)):
        deadline = time.monotonic() + 60  # a wait for the round, not a timing assert
        while status == "pending" and time.monotonic() < deadline:
            time.sleep(0.2)
            with runtime.engine.connect() as conn:
                status = conn.execute(sa.select(notice_outbox.c.status)).scalar_one()
    assert status == "sent"
    assert list((data_dir / "spool" / "mail").glob("*.eml"))
