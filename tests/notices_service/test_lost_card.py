"""A card reported lost at /me/ (number, date of birth, one-time code) or at a desk: it
is suspended on the status list at once; bad input and wrong codes change nothing."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from cityid.audit.tables import audit_entries
from cityid.cards import issuing
from cityid.cards import service as cards
from cityid.cards.keys import IssuerKeys
from cityid.cards.lost import report_at_desk
from cityid.cards.status_list import Status, verify_status_list_token
from cityid.errors import Forbidden, Refused
from cityid.notices.tables import notice_outbox
from cityid.staff.actor import Actor
from cityid.web.app import create_app
from tests.cards_service.card_helpers import SUPERVISOR, password_file
from tests.notices_service.conftest import EMAIL, Office
from tests.notices_service.test_codes import sent_code, wrong

BORN = "1985-03-04"  # the date of birth card_helpers enrols


@pytest.fixture
def client(office: Office) -> Iterator[TestClient]:
    with TestClient(create_app(office.runtime)) as http:
        yield http


def _status_bit(office: Office, client: TestClient, number: str) -> Status:
    """What a verifier's next status list says about the card."""
    card = office.do(cards.get_card, number)
    keys = IssuerKeys.from_cose_key_set(client.get("/.well-known/cityid/keys").content)
    token = client.get(f"/status-lists/{card.status_list}").content
    listed = verify_status_list_token(token, keys, now=dt.datetime.now(dt.UTC))
    return listed.status_of(card.status_index)


def _start(client: TestClient, number: str, born: str = BORN, want: str = "lost") -> str:
    page = client.post(
        "/me/card/code", data={"card_number": number, "date_of_birth": born, "want": want}
    )
    assert page.status_code == 200, page.text
    found = re.search(r'name="code_id" value="([^"]+)"', page.text)
    assert found is not None
    return found.group(1)


def _confirm(client: TestClient, number: str, code_id: str, code: str, want: str = "lost"):  # type: ignore[no-untyped-def]
    return client.post(
        "/me/card/confirm",
        data={"card_number": number, "date_of_birth": BORN, "want": want,
              "code_id": code_id, "code": code},
    )  # fmt: skip


def test_a_resident_stops_a_lost_card_with_a_code(office: Office, client: TestClient) -> None:
    number = office.do(issuing.issue, office.application()).card_number
    qr = office.do(cards.credential_qr, number)["qr"]
    assert _status_bit(office, client, number) == Status.VALID
    code_id = _start(client, number)
    code = sent_code(office)
    done = _confirm(client, number, code_id, code)
    assert done.status_code == 200
    assert 'data-card-status="suspended"' in done.text and "$10.00" in done.text
    assert _status_bit(office, client, number) == Status.SUSPENDED
    assert client.post("/api/v1/verify", json={"qr": qr}).json()["result"] == "suspended"
    with office.runtime.engine.connect() as conn:
        kinds = set(conn.execute(sa.select(notice_outbox.c.kind)).scalars())
    assert "card_reported_lost" in kinds
    # The same code again is a replay: refused, and the page says so.
    replay = _confirm(client, number, code_id, code)
    assert replay.status_code == 422 and 'data-problem="used"' in replay.text
    # Every step is in the audit log, by opaque ids only.
    with office.runtime.engine.connect() as conn:
        entries = list(conn.execute(sa.select(audit_entries.c.action, audit_entries.c.entry)))
    actions = [e.action for e in entries]
    for step in ("card.self_service", "code.issue", "code.check", "card.report_lost",
                 "notice.queue"):  # fmt: skip
        assert step in actions
    logged = b"".join(bytes(e.entry) for e in entries)
    for personal in (number, EMAIL, BORN):
        assert personal.encode() not in logged


def test_three_wrong_codes_lock_and_the_card_stays_valid(
    office: Office, client: TestClient
) -> None:
    number = office.do(issuing.issue, office.application()).card_number
    code_id = _start(client, number)
    code = sent_code(office)
    first = _confirm(client, number, code_id, wrong(code))
    assert first.status_code == 422 and "Tries left: 2." in first.text
    assert 'id="code-error"' in first.text and 'aria-invalid="true"' in first.text
    assert "Tries left: 1." in _confirm(client, number, code_id, wrong(code)).text
    third = _confirm(client, number, code_id, wrong(code))
    assert 'data-problem="locked"' in third.text
    locked = _confirm(client, number, code_id, code)
    assert 'data-problem="locked"' in locked.text
    assert _status_bit(office, client, number) == Status.VALID


def test_bad_input_gets_words_beside_its_field_and_sends_nothing(
    office: Office, client: TestClient
) -> None:
    number = office.do(issuing.issue, office.application()).card_number
    bad = client.post(
        "/me/card/code", data={"card_number": "1234", "date_of_birth": "", "want": "lost"}
    )
    assert bad.status_code == 422
    assert "This is not a card number" in bad.text and "Please enter your date of birth" in bad.text
    wrong_birth = client.post(
        "/me/card/code", data={"card_number": number, "date_of_birth": "1990-01-01", "want": "lost"}
    )
    assert wrong_birth.status_code == 404 and 'data-problem="not_found"' in wrong_birth.text
    with office.runtime.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(notice_outbox)).scalar() == 0


def test_status_is_shown_the_same_way_and_changes_nothing(
    office: Office, client: TestClient
) -> None:
    number = office.do(issuing.issue, office.application()).card_number
    code_id = _start(client, number, want="status")
    shown = _confirm(client, number, code_id, sent_code(office), want="status")
    assert shown.status_code == 200 and "Your card is valid." in shown.text
    assert _status_bit(office, client, number) == Status.VALID


def test_the_pages_speak_arabic_right_to_left(office: Office, client: TestClient) -> None:
    page = client.get("/me/card?lang=ar")
    assert page.status_code == 200 and 'dir="rtl"' in page.text and 'lang="ar"' in page.text
    assert "My card: lost, stolen or status" not in page.text


def test_a_clerk_reports_a_lost_card_at_the_desk(office: Office, client: TestClient) -> None:
    number = office.do(issuing.issue, office.application()).card_number
    clerk = Actor("clerk-1", "clerk1", "clerk")
    reported = office.do(lambda uow, rt, _a: report_at_desk(uow, rt, clerk, number, "stolen"))
    assert reported.status == "suspended" and reported.replacement.fee_cents == 1000
    assert _status_bit(office, client, number) == Status.SUSPENDED
    with pytest.raises(Refused, match="not usable already"):
        office.do(lambda uow, rt, _a: report_at_desk(uow, rt, clerk, number, "lost"))
    auditor = Actor("aud-1", "aud1", "auditor")
    with pytest.raises(Forbidden):
        office.do(lambda uow, rt, _a: report_at_desk(uow, rt, auditor, number, "lost"))


def test_the_cli_door_reports_a_card_lost_too(office: Office, cli: Any, tmp_path: Path) -> None:
    number = office.do(issuing.issue, office.application()).card_number
    secret = password_file(tmp_path)
    base = ("--json", "--data-dir", str(office.data_dir), "--actor", SUPERVISOR,
            "--password-file", str(secret))  # fmt: skip
    result = cli(*base, "card", "report-lost", number, "--reason", "stolen")
    assert result.code == 0, result.out
    assert result.json["status"] == "suspended" and result.json["previous_status"] == "active"
    assert result.json["replacement"]["fee_cents"] == 1000
    again = cli(*base, "card", "report-lost", number, "--reason", "lost")
    assert again.code == 1 and "not usable already" in again.json["error"]["message"]
