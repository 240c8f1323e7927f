"""The desk: a clerk reports a card lost from the card page; the desk form takes the
contact on file and the application page shows it."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from cityid.cards import issuing
from cityid.operations.accounts import add_user
from cityid.staff.actor import Actor
from cityid.store.uow import UnitOfWork
from cityid.web.app import create_app
from cityid.web.routes.desk_form import to_line
from tests.notices_service.conftest import EMAIL, Office

PASSWORD = "a long clerk passphrase 42"


def _clerk(office: Office) -> Actor:
    with UnitOfWork(office.runtime.engine) as uow:
        clerk = add_user(
            uow, office.runtime.policy, username="clerk1", role="clerk", password=PASSWORD,
            by=Actor("test", "test", "admin"),
        )  # fmt: skip
        uow.commit()
    return clerk


def _login(client: TestClient, username: str) -> str:
    page = client.get("/console/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token
    form = {"username": username, "password": PASSWORD, "csrf_token": token[1]}
    client.post("/console/login", data=form)
    home = client.get("/console/")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', home.text)
    assert csrf
    return csrf[1]


def test_a_clerk_reports_a_card_stolen_from_the_card_page(office: Office) -> None:
    number = office.do(issuing.issue, office.application()).card_number
    _clerk(office)
    with TestClient(create_app(office.runtime), base_url="https://testserver") as client:
        csrf = _login(client, "clerk1")
        page = client.get(f"/console/cards/{number}")
        assert "Report stolen" in page.text
        done = client.post(
            f"/console/cards/{number}/report-lost",
            data={"reason": "stolen", "csrf_token": csrf},
            headers={"origin": "https://testserver"},
        )
        assert done.status_code == 200 and "Reported stolen: the card is suspended." in done.text
        assert 'data-card-status="suspended"' in done.text
        assert "Report stolen" not in done.text  # only an active card can be reported
        again = client.post(
            f"/console/cards/{number}/report-lost",
            data={"reason": "lost", "csrf_token": csrf},
            headers={"origin": "https://testserver"},
        )
        assert "not usable already" in again.text


def test_the_desk_form_carries_the_contact_and_the_page_shows_it(office: Office) -> None:
    line = to_line({"given_name": "A", "contact_email": EMAIL, "contact_phone": "",
                    "notices_opt_out": "on"})  # fmt: skip
    assert line["contact_email"] == EMAIL and line["notices_opt_out"] is True
    assert "contact_phone" not in line
    app = office.application(contact_phone="+1 718 555 0123")
    with UnitOfWork(office.runtime.engine) as uow:
        add_user(uow, office.runtime.policy, username="sup2", role="supervisor",
                 password=PASSWORD, by=Actor("test", "test", "admin"))  # fmt: skip
        uow.commit()
    with TestClient(create_app(office.runtime), base_url="https://testserver") as client:
        _login(client, "sup2")
        page = client.get(f"/console/applications/{app}?purpose=desk_request")
        assert EMAIL in page.text and "+17185550123" in page.text
