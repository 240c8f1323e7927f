"""Insider alerts: an insider's evening of reads raises them, a clerk's normal day none."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from cityid.accountability import alerts
from cityid.enrollment import lookup
from cityid.errors import BadInput, Forbidden
from cityid.runtime import Runtime
from cityid.store.uow import UnitOfWork

from .conftest import Clock, enroll

POSTAL = ("11368", "11369", "11201", "10001", "10453", "11101", "10301", "11215")


def _local(runtime: Runtime, hour: int, minute: int = 0) -> dt.datetime:
    tz = ZoneInfo(runtime.policy.program.timezone)
    today = dt.datetime.now(tz).date()
    return dt.datetime.combine(today, dt.time(hour, minute), tz).astimezone(dt.UTC)


def _scan(runtime, auditor, since, until):
    with UnitOfWork(runtime.engine) as uow:
        result = alerts.scan(uow, runtime, auditor, since=since, until=until)
        uow.commit()
    return result


def test_an_insiders_evening_of_reads_raises_alerts(runtime, people, clock: Clock) -> None:
    clerk = people["clerk-a"]
    records = [
        enroll(
            runtime,
            clerk,
            "bronx-1",
            given=f"Persona{i}",
            family=f"Apellido{i}",
            number=f"ZQ55500{i:02d}",
            postal_code=POSTAL[i % len(POSTAL)],
        )
        for i in range(10)
    ]
    clock.at = _local(runtime, 21)  # 9 pm: after the shift
    with UnitOfWork(runtime.engine) as uow:
        for i in range(1000):  # 1,000 reads in an evening, one every 7 seconds
            clock.move(dt.timedelta(seconds=7))
            lookup.show(uow, runtime, clerk, records[i % 10], purpose="intake")
        uow.commit()
    result = _scan(runtime, people["aud"], _local(runtime, 0), _local(runtime, 23, 59))
    by_rule = {a.rule: a for a in result.alerts}
    assert {"read_rate", "off_shift"} <= set(by_rule), by_rule.keys()
    assert all(a.staff_id == clerk.user_id and a.username == "clerk-a" for a in result.alerts)
    assert by_rule["off_shift"].count == 1000
    assert by_rule["read_rate"].count > runtime.policy.accountability.alerts.max_reads_per_hour

    with UnitOfWork(runtime.engine) as uow:
        detail = alerts.show(uow, runtime, people["aud"], by_rule["read_rate"].alert_id)
        uow.commit()
    assert detail.entries and all(e.action == "application.read" for e in detail.entries)
    assert {e.actor for e in detail.entries} == {clerk.user_id}
    assert {t for e in detail.entries for t in e.targets} <= set(records)
    # A second scan of the same evening adds nothing; the queue holds each alert once.
    again = _scan(runtime, people["aud"], _local(runtime, 0), _local(runtime, 23, 59))
    assert again.raised == 0
    with UnitOfWork(runtime.engine) as uow:
        assert len(alerts.queue(uow, runtime, people["aud"])) == result.raised
        assert alerts.open_count(uow) == result.raised
        closed = alerts.close(uow, runtime, people["aud"], detail.alert.alert_id, "referred")
        uow.commit()
    assert closed.status == "closed" and closed.outcome == "referred"


def test_a_clerks_normal_day_raises_none(runtime, people, clock: Clock) -> None:
    clerk = people["clerk-a"]
    clock.at = _local(runtime, 9)
    for i in range(40):  # 40 applicants over the day: search, take in, open to check
        clock.move(dt.timedelta(minutes=10))
        with UnitOfWork(runtime.engine) as uow:
            found = lookup.search(uow, runtime, clerk, f"Apellido{i}", f"Persona{i}",
                                  dt.date(1980, 1, 1 + i % 28), purpose="intake")  # fmt: skip
            uow.commit()
        assert found == []
        clock.move(dt.timedelta(minutes=2))
        app_id = enroll(runtime, clerk, "bronx-1", given=f"Persona{i}", family=f"Apellido{i}",
                        number=f"ZQ66600{i:02d}", postal_code=POSTAL[i % len(POSTAL)],
                        born=dt.date(1980, 1, 1 + i % 28))  # fmt: skip
        with UnitOfWork(runtime.engine) as uow:
            lookup.show(uow, runtime, clerk, app_id, purpose="intake")
            lookup.show(uow, runtime, clerk, app_id, purpose="intake")
            uow.commit()
    assert clock.now() < _local(runtime, 18)
    result = _scan(runtime, people["aud"], _local(runtime, 0), _local(runtime, 23, 59))
    assert result.entries_read >= 120
    assert result.alerts == []


def test_only_an_auditor_scans_and_bad_input_changes_nothing(runtime, people) -> None:
    with UnitOfWork(runtime.engine) as uow:
        try:
            alerts.scan(uow, runtime, people["sup"])
        except Forbidden:
            pass
        else:
            raise AssertionError("a supervisor scanned the log")
        now = dt.datetime.now(dt.UTC)
        try:
            alerts.scan(uow, runtime, people["aud"], since=now, until=now)
        except BadInput as error:
            assert "before" in error.message
        else:
            raise AssertionError("an empty period was accepted")
        assert alerts.open_count(uow) == 0
