"""The agency's whole day for one resident, end to end on both databases: an appointment
booked online, checked in at the desk, an intake that chose pickup at the centre, the
decision, a print batch mailed to the centre, the hand-over at the desk; and the notices
of each step arriving over a real SMTP server, with nothing personal in a subject."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cityid.appointments import bookings, centres
from cityid.cards import issuing
from cityid.notices import delivery
from cityid.production import batches, pickup
from cityid.production.results import PickupOutcome
from cityid.store.uow import UnitOfWork
from tests.cards_service.card_helpers import STREET, approved_application
from tests.notices_service.smtp import free_port, start_server, use_smtp
from tests.production_service.conftest import Floor
from tests.production_service.helpers import SUSPENDED, VALID, status_bit

EMAIL = "resident@example.org"
BORN = dt.date(1985, 3, 4)  # card_helpers' applicant, María García López


@pytest.fixture
def smtp_floor(data_dir: Path, request: pytest.FixtureRequest) -> Iterator[tuple[Floor, int]]:
    port = free_port()
    use_smtp(data_dir, port)  # before the runtime opens, so delivery uses it
    floor: Floor = request.getfixturevalue("floor")
    yield floor, port


def _subjects_and_bodies(inbox: Any) -> list[tuple[str, str]]:
    found = []
    for to, message in inbox.messages:
        assert to == [EMAIL]
        body = message.get_payload(decode=True).decode()
        found.append((str(message["Subject"]), body))
    return found


def test_from_booking_to_pickup_with_every_notice_arriving(
    smtp_floor: tuple[Floor, int], tmp_path: Path
) -> None:
    floor, port = smtp_floor
    runtime = floor.runtime
    monday = runtime.today() + dt.timedelta(days=7 - runtime.today().weekday())
    floor.do("sup", centres.save_centre, "queens-central", name="Queens Central Library",
             borough="Queens", address="89-11 Merrick Blvd", languages=["eng", "spa"],
             accessibility="Step-free entrance")  # fmt: skip
    floor.do("sup", centres.release_week, "queens-central", monday)
    with UnitOfWork(runtime.engine) as uow:
        slot = centres.open_slots(uow, "queens-central", monday, 7, dt.datetime.now(dt.UTC))[0]
        booked = bookings.book(uow, runtime, slot.slot_id, "María", "García López", BORN,
                               contact=EMAIL, language="en")  # fmt: skip
        uow.commit()

    # The desk, at the booked time: check in, then the intake carries the reference.
    at_desk = slot.starts_at + dt.timedelta(minutes=5)
    floor.do("clerk", bookings.check_in, booked.reference, now=at_desk)
    application_id = approved_application(
        runtime, floor.staff["sup"], contact_email=EMAIL, pickup_at_centre=True,
        centre="Queens Central Library",
    )  # fmt: skip
    assert floor.do("clerk", bookings.served, booked.reference, application_id,
                    now=at_desk + dt.timedelta(minutes=20))  # fmt: skip

    # Approved and issued: the card waits, suspended, until it is handed over.
    number = floor.do("sup", issuing.issue, application_id).card_number
    assert status_bit(floor, tmp_path, number) == SUSPENDED
    batch = floor.do("printer", batches.cut)
    floor.do("printer", batches.export, batch.batch_id)
    floor.do("printer", batches.move, batch.batch_id, "printed", on=runtime.today())
    floor.do("printer", batches.move, batch.batch_id, "mailed", on=runtime.today())
    assert status_bit(floor, tmp_path, number) == SUSPENDED  # at the centre, not yet collected

    wrong = floor.do("clerk", pickup.hand_over, number, date_of_birth=dt.date(1986, 3, 4),
                     id_seen=True)  # fmt: skip
    assert wrong.outcome == PickupOutcome.REFUSED
    assert status_bit(floor, tmp_path, number) == SUSPENDED
    right = floor.do("clerk", pickup.hand_over, number, date_of_birth=BORN, id_seen=True)
    assert right.outcome == PickupOutcome.HANDED_OVER
    assert status_bit(floor, tmp_path, number) == VALID

    server, inbox = start_server(port)
    try:
        report = delivery.run_once(runtime)
    finally:
        server.stop()
    assert report.failed == 0 and report.retried == 0
    arrived = _subjects_and_bodies(inbox)
    bodies = "\n".join(body for _, body in arrived)
    assert booked.reference in bodies  # the booking confirmation
    assert "Queens Central Library" in bodies  # ready for pickup at the centre
    assert report.sent == len(arrived) >= 3  # booking, decision, ready for pickup
    for subject, body in arrived:
        for personal in ("María", "Maria", "García", "Garcia", STREET, number, EMAIL):
            assert personal not in subject
        assert number not in body  # a card number never travels by mail
