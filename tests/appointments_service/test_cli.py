"""`cityid centres` and `cityid appointments`: the supervisor's week, the desk, the purge."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from cityid.appointments import bookings
from cityid.runtime import Runtime
from cityid.staff.actor import Actor
from cityid.store.uow import UnitOfWork

from .conftest import next_monday

SQLITE_ONLY = pytest.mark.parametrize("fresh_database_url", ["sqlite"], indirect=True)


def _as(actor: Actor, password_file: Path) -> list[str]:
    return ["--json", "--actor", actor.username, "--password-file", str(password_file)]


@SQLITE_ONLY
def test_a_supervisor_adds_a_centre_and_releases_a_week(
    cli: Any, runtime: Runtime, accounts: dict[str, Actor], password_file: Path
) -> None:
    boss, clerk = _as(accounts["supervisor"], password_file), _as(accounts["clerk"], password_file)
    added = cli(
        *boss, "centres", "add", "queens-lib", "--name", "Queens Library", "--borough", "Queens",
        "--address", "89-11 Merrick Blvd", "--hours", '{"tue": ["10:00", "12:00"]}',
        "--language", "eng", "--language", "kor", "--accessibility", "Lift to 2nd floor",
    )  # fmt: skip
    assert added.code == 0, added.err
    assert added.json["languages"] == ["eng", "kor"]
    refused = cli(*clerk, "centres", "add", "x-centre", "--name", "X", "--borough", "B",
                  "--address", "A")  # fmt: skip
    assert refused.code == 1 and refused.json["error"]["code"] == "forbidden"
    bad = cli(*boss, "centres", "add", "bad-hours", "--name", "X", "--borough", "B",
              "--address", "A", "--hours", '{"tue": ["12:00", "10:00"]}')  # fmt: skip
    assert bad.code == 1 and "closes before it opens" in bad.json["error"]["message"]
    monday = next_monday(runtime.today()).isoformat()
    released = cli(*boss, "appointments", "release", "--centre", "queens-lib", "--week", monday)
    assert released.code == 0, released.err
    assert released.json == {
        "centre_id": "queens-lib", "week": monday, "created": 6, "already": 0
    }  # fmt: skip
    tuesday = (next_monday(runtime.today()) + dt.timedelta(days=1)).isoformat()
    listed = cli(*clerk, "appointments", "slots", "--centre", "queens-lib", "--from", tuesday)
    assert [s["free"] for s in listed.json["slots"]] == [2] * 6
    listing = cli("--json", "centres", "list")
    assert [c["centre_id"] for c in listing.json["centres"]] == ["queens-lib"]


@SQLITE_ONLY
def test_the_desk_lists_and_checks_in_and_the_system_purges(
    cli: Any,
    runtime: Runtime,
    accounts: dict[str, Actor],
    password_file: Path,
    week: list[Any],
) -> None:
    with UnitOfWork(runtime.engine) as uow:
        made = bookings.book(uow, runtime, week[0].slot_id, "Wen", "Li", dt.date(2001, 2, 3))
        uow.commit()
    clerk = _as(accounts["clerk"], password_file)
    day = week[0].day.isoformat()
    listed = cli(*clerk, "appointments", "desk", "--centre", "bronx-hub", "--date", day)
    assert listed.code == 0, listed.err
    assert [(b["reference"], b["family_name"]) for b in listed.json["bookings"]] == [
        (made.reference, "Li")
    ]
    early = cli(*clerk, "appointments", "check-in", made.reference)
    assert early.code == 1 and early.json["error"]["code"] == "not_today"
    after = (week[0].day + dt.timedelta(days=1)).isoformat()
    purged = cli("--json", "appointments", "purge", "--before", after)  # as system
    assert purged.code == 0, purged.err
    assert purged.json["bookings"] == 1 and purged.json["keys_destroyed"] == 1
    gone = cli(*clerk, "appointments", "check-in", made.reference)
    assert gone.code == 1 and gone.json["error"]["code"] == "no_booking"
