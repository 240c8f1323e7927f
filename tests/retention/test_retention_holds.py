"""Holds: scopes, who may place them, append-only rows, and early erasure under a hold."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import sqlalchemy as sa

from cityid.bootstrap import open_runtime
from cityid.crypto import KeyDestroyed
from cityid.enrollment import lookup
from cityid.errors import BadInput, Forbidden
from cityid.retention import disposition, holds, legacy_import
from cityid.retention.results import BatchSummary
from cityid.retention.scope import RecordFacts, parse_scope
from cityid.retention.tables import legal_holds
from cityid.staff.actor import Actor
from cityid.store.uow import UnitOfWork
from tests.retention.retention_helpers import actors, application_ids, write_backlog

COPY = RecordFacts("document_copy", "app-1", dt.date(2016, 3, 1), "centre-bronx")


def test_scopes_narrow_and_refuse_nonsense() -> None:
    assert parse_scope('{"all": true}').covers(COPY)
    assert parse_scope({"record_classes": ["document_copy"]}).covers(COPY)
    assert not parse_scope({"record_classes": ["application"]}).covers(COPY)
    dated = parse_scope({"enrolled_from": "2016-01-01", "enrolled_to": "2016-02-28"})
    assert not dated.covers(COPY)
    both = {"record_classes": ["document_copy"], "centres": ["centre-queens"]}
    assert not parse_scope(both).covers(COPY)
    assert parse_scope({"application_ids": ["app-1"]}).covers(COPY)
    for bad in ("{}", '{"all": false}', '{"all": true, "centres": ["x"]}',
                '{"record_classes": ["passport"]}', '{"enrolled_from": "soon"}',
                '{"colour": "red"}', "not json"):  # fmt: skip
        with pytest.raises(BadInput):
            parse_scope(bad)


def test_holds_are_counsels_and_never_edited(data_dir: Path) -> None:
    runtime = open_runtime(data_dir)
    staff = actors()
    with UnitOfWork(runtime.engine) as uow:
        with pytest.raises(Forbidden):
            holds.place_hold(uow, runtime, staff.officer, authority="Court", docket="1",
                             reason="r", scope={"all": True})  # fmt: skip
        with pytest.raises(Forbidden):
            holds.place_hold(uow, runtime, Actor.system(), authority="Court", docket="1",
                             reason="r", scope={"all": True})  # fmt: skip
        first = holds.place_hold(uow, runtime, staff.counsel, authority="Court A",
                                 docket="80258/16", reason="r", scope={"all": True})  # fmt: skip
        second = holds.place_hold(uow, runtime, staff.counsel, authority="Court B",
                                  docket="12-3", reason="r", scope={"centres": ["c1"]})  # fmt: skip
        uow.commit()
    for statement in (
        sa.update(legal_holds).where(legal_holds.c.hold_id == first).values(reason="edited"),
        sa.delete(legal_holds).where(legal_holds.c.hold_id == first),
    ):
        with UnitOfWork(runtime.engine) as uow, pytest.raises(sa.exc.DatabaseError):
            uow.conn.execute(statement)
    with UnitOfWork(runtime.engine) as uow:
        holds.release_hold(uow, runtime, staff.counsel, first, reason="order lifted")
        uow.commit()
    with UnitOfWork(runtime.engine, read_only=True) as uow:
        listed = {h.hold_id: h for h in holds.list_holds(uow, runtime, staff.officer)}
        stacked = [h.hold_id for h in holds.active_holds(uow)]
    assert listed[first].status == "released" and listed[first].reason == "r"
    assert listed[first].release_reason == "order lifted"
    assert stacked == [second]
    runtime.close()


def test_early_erasure_waits_for_the_hold_and_rekeys_the_cohort(
    data_dir: Path, tmp_path: Path
) -> None:
    runtime = open_runtime(data_dir)
    staff = actors()
    backlog = tmp_path / "backlog.jsonl"
    write_backlog(backlog, 6)
    legacy_import.import_legacy(runtime, staff.officer, backlog)
    target, *others = application_ids(runtime)
    reader = Actor("sup-1", "sup-1", "supervisor")
    from cityid.matching.service import reencode_register
    from cityid.matching.tables import match_encodings

    reencode_register(runtime, Actor.system())  # the backlog joins the 1:N index

    def erase() -> BatchSummary:
        with UnitOfWork(runtime.engine) as uow:
            planned = disposition.plan_erasure(
                uow, runtime, staff.officer, target, reason="applicant_request"
            )
            disposition.approve(uow, runtime, staff.officer, planned.batch_id)
            disposition.approve(uow, runtime, staff.counsel, planned.batch_id)
            uow.commit()
        return disposition.execute(runtime, Actor.system(), str(planned.batch_id))

    with UnitOfWork(runtime.engine) as uow:
        hold = holds.place_hold(uow, runtime, staff.counsel, authority="Court", docket="9-9",
                                reason="r", scope={"application_ids": [target]})  # fmt: skip
        uow.commit()
    held = erase()
    assert held.destroyed == 0 and held.skipped_held > 0
    with UnitOfWork(runtime.engine) as uow:
        assert lookup.show(uow, runtime, reader, target, purpose="audit").application_id == target
        holds.release_hold(uow, runtime, staff.counsel, hold, reason="lifted")
        uow.commit()
    done = erase()
    assert done.destroyed == held.skipped_held
    assert done.counts_by_class["application"] == 1
    assert done.cohort_keys_destroyed
    with UnitOfWork(runtime.engine) as uow, pytest.raises(Exception) as gone:
        lookup.show(uow, runtime, reader, target, purpose="audit")
    assert not isinstance(gone.value, KeyDestroyed)  # the row is gone, not garbage
    for other in others:  # the rest of the cohorts were re-keyed and still open
        with UnitOfWork(runtime.engine) as uow:
            assert lookup.show(uow, runtime, reader, other, purpose="audit").application_id == other
    with UnitOfWork(runtime.engine) as uow:  # the 1:N index forgot only the erased one
        removed = dict(
            uow.conn.execute(
                sa.select(match_encodings.c.application_id, match_encodings.c.removed)
            ).all()
        )
    assert removed[target] is True or removed[target] == 1
    assert not any(removed[other] for other in others)
    runtime.close()
