"""Cards kept at the centre: pickup chosen at intake, returned mail, the desk's
identity check, and the destruction of what nobody came for."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import sqlalchemy as sa

from cityid.audit.tables import audit_entries
from cityid.cards import issuing
from cityid.enrollment.tables import applications
from cityid.production import batches, pickup
from cityid.production.results import PickupOutcome
from cityid.retention import disposition
from cityid.retention.tables import tombstones
from cityid.store.uow import UnitOfWork
from tests.production_service.conftest import Floor
from tests.production_service.helpers import REVOKED, SUSPENDED, VALID, status_bit

BORN = "1985-03-04"  # card_helpers' applicant


def _to_centre(floor: Floor, tmp_path: Path, on: dt.date) -> str:
    """Cut, export, print and mail the waiting cards; returns the batch id."""
    batch = floor.do("printer", batches.cut)
    floor.do("printer", batches.export, batch.batch_id)
    floor.do("printer", batches.move, batch.batch_id, "printed", on=on)
    floor.do("printer", batches.move, batch.batch_id, "mailed", on=on)
    return batch.batch_id


def _actions(floor: Floor) -> list[str]:
    with UnitOfWork(floor.runtime.engine, read_only=True) as uow:
        return list(uow.conn.execute(sa.select(audit_entries.c.action)).scalars())


def test_a_pickup_card_stays_suspended_until_the_right_person_collects_it(
    floor: Floor, tmp_path: Path
) -> None:
    number = floor.issue(pickup_at_centre=True, centre="Queens Central Library").card_number
    assert status_bit(floor, tmp_path, number) == SUSPENDED  # from issuance on
    _to_centre(floor, tmp_path, floor.runtime.today())
    assert status_bit(floor, tmp_path, number) == SUSPENDED

    no_check = floor.as_user("clerk", "production", "pickup", number, "--date-of-birth", BORN)
    assert no_check.code == 1 and no_check.json["error"]["code"] == "bad_input"
    assert "photo ID" in no_check.json["error"]["message"]

    wrong = floor.as_user("clerk", "production", "pickup", number, "--date-of-birth",
                          "1986-03-04", "--id-seen")  # fmt: skip
    assert wrong.code == 1 and wrong.json["error"]["code"] == "pickup_refused"
    assert "1986" not in wrong.out and "1985" not in wrong.out
    assert status_bit(floor, tmp_path, number) == SUSPENDED
    assert _actions(floor).count("production.pickup_refused") == 1  # logged, though refused

    right = floor.as_user("clerk", "production", "pickup", number, "--date-of-birth", BORN,
                          "--id-seen")  # fmt: skip
    assert right.code == 0, right.out
    assert right.json == {"outcome": "handed_over", "card_number": number,
                          "card_status": "active", "reason": None}  # fmt: skip
    assert status_bit(floor, tmp_path, number) == VALID

    twice = floor.as_user("clerk", "production", "pickup", number, "--date-of-birth", BORN,
                          "--id-seen")  # fmt: skip
    assert twice.code == 1 and twice.json["error"]["code"] == "not_awaiting_pickup"


def test_a_replacement_for_a_pickup_card_waits_at_the_centre_too(
    floor: Floor, tmp_path: Path
) -> None:
    first = floor.issue(pickup_at_centre=True).card_number
    _to_centre(floor, tmp_path, floor.runtime.today())
    handed = floor.as_user("clerk", "production", "pickup", first, "--date-of-birth", BORN,
                           "--id-seen")  # fmt: skip
    assert handed.code == 0, handed.out
    lost = floor.do("sup", issuing.replace, first, reason="lost")
    # No safe address was the reason for pickup; a lost card does not change that.
    assert status_bit(floor, tmp_path, lost.card_number) == SUSPENDED
    assert status_bit(floor, tmp_path, first) == REVOKED
    _to_centre(floor, tmp_path, floor.runtime.today())
    again = floor.as_user("clerk", "production", "pickup", lost.card_number, "--date-of-birth",
                          BORN, "--id-seen")  # fmt: skip
    assert again.code == 0 and again.json["card_status"] == "active", again.out
    assert status_bit(floor, tmp_path, lost.card_number) == VALID


def test_returned_mail_waits_like_pickup_and_is_found_by_reference(
    floor: Floor, tmp_path: Path
) -> None:
    issued = floor.issue()
    number = issued.card_number
    batch_id = _to_centre(floor, tmp_path, floor.runtime.today())
    assert status_bit(floor, tmp_path, number) == VALID  # mailed cards work at once
    with UnitOfWork(floor.runtime.engine, read_only=True) as uow:
        reference = uow.conn.execute(
            sa.select(applications.c.reference).where(
                applications.c.application_id == issued.application_id
            )
        ).scalar_one()
    not_yet = floor.as_user("clerk", "production", "pickup", reference, "--date-of-birth", BORN,
                            "--id-seen")  # fmt: skip
    assert not_yet.code == 1 and not_yet.json["error"]["code"] == "not_awaiting_pickup"

    back = floor.as_user("printer", "production", "returned", number)
    assert back.code == 0 and back.json["state"] == "returned"
    assert status_bit(floor, tmp_path, number) == SUSPENDED
    again = floor.as_user("printer", "production", "returned", number)
    assert again.code == 1 and again.json["error"]["code"] == "not_awaiting_pickup"

    collected = floor.do("clerk", pickup.hand_over, reference.lower().replace("-", ""),
                         date_of_birth=dt.date(1985, 3, 4), id_seen=True)  # fmt: skip
    assert collected.outcome is PickupOutcome.HANDED_OVER
    assert status_bit(floor, tmp_path, number) == VALID
    shown = floor.do("printer", batches.show, batch_id)
    assert [item.state for item in shown.items] == ["collected"]


def test_a_card_suspended_for_another_reason_is_not_released_at_the_desk(
    floor: Floor, tmp_path: Path
) -> None:
    from cityid.cards import status_changes

    number = floor.issue(pickup_at_centre=True).card_number
    _to_centre(floor, tmp_path, floor.runtime.today())
    floor.do("sup", status_changes.change_status, number, "revoke", "Reported as fraud")
    refused = floor.as_user("clerk", "production", "pickup", number, "--date-of-birth", BORN,
                            "--id-seen")  # fmt: skip
    assert refused.code == 1 and refused.json["error"]["code"] == "wrong_card_status"
    assert status_bit(floor, tmp_path, number) == REVOKED


def test_an_uncollected_card_is_revoked_and_its_application_destroyed(
    floor: Floor, tmp_path: Path
) -> None:
    kept = floor.issue(pickup_at_centre=True)
    mailed = floor.issue()
    mailed_day = floor.runtime.today()
    _to_centre(floor, tmp_path, mailed_day)
    days = floor.runtime.policy.production.uncollected_after_days

    early = mailed_day + dt.timedelta(days=days)
    quiet = floor.as_user("officer", "production", "uncollected", "--as-of", early.isoformat())
    assert quiet.code == 0 and quiet.json["revoked"] == []
    assert status_bit(floor, tmp_path, kept.card_number) == SUSPENDED
    by_printer = floor.as_user("printer", "production", "uncollected")
    assert by_printer.code == 1 and by_printer.json["error"]["code"] == "forbidden"

    late = mailed_day + dt.timedelta(days=days + 1)
    swept = floor.as_user("officer", "production", "uncollected", "--as-of", late.isoformat())
    assert swept.code == 0, swept.out
    assert swept.json["revoked"] == [kept.card_number]
    assert status_bit(floor, tmp_path, kept.card_number) == REVOKED
    assert status_bit(floor, tmp_path, mailed.card_number) == VALID
    (erasure,) = swept.json["erasure_batches"]

    # The existing destruction path: two approvals, then execution (holds re-checked).
    floor.do("officer", disposition.approve, erasure)
    floor.do("counsel", disposition.approve, erasure)
    summary = disposition.execute(floor.runtime, floor.staff["officer"], erasure)
    assert summary.status == "completed"
    with UnitOfWork(floor.runtime.engine, read_only=True) as uow:
        left = set(uow.conn.execute(sa.select(applications.c.application_id)).scalars())
        gone = set(uow.conn.execute(sa.select(tombstones.c.record_id)).scalars())
    assert kept.application_id not in left and kept.application_id in gone
    assert mailed.application_id in left
    # Revoked it stays: the destroyed application's card never reads as valid again.
    assert status_bit(floor, tmp_path, kept.card_number) == REVOKED
    again = floor.as_user("officer", "production", "uncollected", "--as-of", late.isoformat())
    assert again.json["revoked"] == []


def test_the_dashboard_counts_cards_at_each_step(floor: Floor, tmp_path: Path) -> None:
    from cityid.production import report
    from cityid.reports.dashboard import build_dashboard

    floor.issue(pickup_at_centre=True)
    floor.issue()
    board = floor.do("sup", build_dashboard)
    assert board.card_production[report.WAITING_FOR_BATCH] == 2
    day = floor.runtime.today()
    _to_centre(floor, tmp_path, day)
    board = floor.do("sup", build_dashboard)
    tiles = board.card_production
    assert tiles[report.WAITING_FOR_BATCH] == 0
    assert (tiles[report.MAILED], tiles[report.AT_CENTRE], tiles[report.OVERDUE]) == (1, 1, 0)
    later = day + dt.timedelta(days=floor.runtime.policy.production.uncollected_after_days + 1)
    board = floor.do("sup", build_dashboard, today=later)
    assert (board.card_production[report.AT_CENTRE], board.card_production[report.OVERDUE]) == (
        0,
        1,
    )


def test_holders_are_told_their_card_is_mailed_or_ready_at_the_centre(
    floor: Floor, tmp_path: Path
) -> None:
    from cityid.notices.tables import notice_outbox

    kept = floor.issue(pickup_at_centre=True, centre="Queens Central Library",
                       contact_email="holder@example.org")  # fmt: skip
    mailed = floor.issue(contact_email="other@example.org")
    silent = floor.issue()  # no contact on file: nothing to send
    _to_centre(floor, tmp_path, floor.runtime.today())
    floor.do("printer", pickup.returned, mailed.card_number)

    with UnitOfWork(floor.runtime.engine, read_only=True) as uow:
        rows = uow.conn.execute(
            sa.select(
                notice_outbox.c.kind, notice_outbox.c.subject_id, notice_outbox.c.channel
            ).where(notice_outbox.c.status == "pending")  # not a suppression marker
        ).all()
        payloads = b"".join(
            bytes(p) for p in uow.conn.execute(sa.select(notice_outbox.c.s_payload)).scalars() if p
        )
    sent = sorted((kind, subject) for kind, subject, _channel in rows if kind.startswith("card_"))
    assert sent == sorted([
        ("card_ready_for_pickup", kept.application_id),
        ("card_mailed", mailed.application_id),
        ("card_ready_for_pickup", mailed.application_id),
    ])  # fmt: skip
    assert silent.application_id not in {subject for _kind, subject in sent}
    assert b"Queens" not in payloads and kept.card_number.encode() not in payloads  # sealed
