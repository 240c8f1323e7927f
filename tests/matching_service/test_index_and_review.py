"""Two processes share the register through the database; investigators decide, clerks don't."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import sqlalchemy as sa

from cityid.audit.tables import audit_entries
from cityid.bootstrap import open_runtime
from cityid.errors import Forbidden
from cityid.matching import index_store, review, service
from cityid.matching.tables import match_encodings, review_items
from cityid.runtime import Runtime
from cityid.staff.actor import Actor
from cityid.store.uow import UnitOfWork

from .conftest import enroll, person

BORN = dt.date(1983, 9, 21)


def test_two_processes_see_each_others_new_encodings_before_searching(
    runtime: Runtime, data_dir: Path, staff: dict[str, Actor]
) -> None:
    other = open_runtime(data_dir)  # a second worker: its own engine, keystore and index
    try:
        enroll(other, staff["clerk"], person("Nadia", "Haddad", BORN, "N0000001", "U-1"))
        # this runtime loads its index now (one record), then the other worker enrolls more
        first, flags = enroll(
            runtime, staff["clerk"], person("Robert", "Kowalczyk", BORN, "N0000002", "U-2")
        )
        assert flags == []
        second, flags = enroll(
            other, staff["clerk"], person("Bob", "Kowalczyk", BORN, "N0000003", "U-3")
        )
        assert [f["of"] for f in flags if f["kind"] == "possible_duplicate"] == [first]
        # ... and the first worker, whose index predates `second`, finds it too
        third, flags = enroll(
            runtime, staff["clerk"], person("Robbie", "Kowalczyk", BORN, "N0000004", "U-4")
        )
        assert {f["of"] for f in flags if f["kind"] == "possible_duplicate"} == {first, second}

        # a record that leaves the register leaves every worker's index
        with UnitOfWork(other.engine) as uow:
            assert index_store.remove_encodings(uow, [second]) == 1
            uow.commit()
        _, flags = enroll(
            runtime, staff["clerk"], person("Bobby", "Kowalczyk", BORN, "N0000005", "U-5")
        )
        assert {f["of"] for f in flags if f["kind"] == "possible_duplicate"} == {first, third}
    finally:
        other.close()


def test_an_investigator_decision_is_stored_and_a_clerk_cannot_decide(
    runtime: Runtime, staff: dict[str, Actor]
) -> None:
    first, _ = enroll(runtime, staff["clerk"], person("Ana", "Ferreira", BORN, "F1", "W-1"))
    second, _ = enroll(runtime, staff["clerk"], person("Ana", "Ferriera", BORN, "F2", "W-2"))
    investigator, clerk = staff["investigator"], staff["clerk"]
    with UnitOfWork(runtime.engine) as uow:
        [item] = review.list_items(uow, runtime, investigator)
        assert (item.application_id, item.other_application_id) == (second, first)
        with pytest.raises(Forbidden):
            review.list_items(uow, runtime, clerk)
        shown = review.show_item(uow, runtime, investigator, item.item_id)
        assert [a.applicant.family_name for a in shown.applications] == [
            "Ferriera",
            "Ferreira",
        ]
        with pytest.raises(Forbidden):
            review.decide(uow, runtime, clerk, item.item_id, "duplicate")
        decided = review.decide(uow, runtime, investigator, item.item_id, "duplicate")
        uow.commit()
    assert decided.status == "decided" and decided.decision == "duplicate"

    with runtime.engine.connect() as conn:
        row = conn.execute(sa.select(review_items)).one()
        actions = conn.execute(sa.select(audit_entries.c.action, audit_entries.c.actor)).all()
    assert (row.status, row.decision, row.decided_by) == (
        "decided",
        "duplicate",
        "user-investigator",
    )
    assert row.decided_at is not None
    # both applications opened for the investigator were audited, and the decision too
    assert actions.count(("application.read", "user-investigator")) == 2
    assert ("review.read", "user-investigator") in actions
    assert ("review.decide", "user-investigator") in actions
    assert not [a for a in actions if a[0] == "review.decide" and a[1] == "user-clerk"]
    with UnitOfWork(runtime.engine) as uow:
        with pytest.raises(review.AlreadyDecided):
            review.decide(uow, runtime, investigator, row.item_id, "not_duplicate")
        counts = review.decision_counts(uow, runtime, investigator)
    assert counts["possible_duplicate"]["duplicate"] == 1


def test_after_a_match_key_rotation_reencoding_restores_duplicate_search(
    runtime: Runtime, staff: dict[str, Actor]
) -> None:
    first, _ = enroll(runtime, staff["clerk"], person("Elena", "Popescu", BORN, "R1", "T-1"))
    old_key = index_store.encoder_for(runtime).key_id
    runtime.keystore.rotate_keyed_hash("match")
    assert index_store.encoder_for(runtime).key_id != old_key
    # encodings under the old key cannot be compared with the new one: nothing found yet
    second, flags = enroll(runtime, staff["clerk"], person("Elena", "Popesku", BORN, "R2", "T-2"))
    assert not [f for f in flags if f["kind"] == "possible_duplicate"]

    done = service.reencode_register(runtime, Actor.system())
    assert (done.encoded, done.skipped_current) == (1, 1)  # `second` was already current
    _, flags = enroll(runtime, staff["clerk"], person("Elena", "Popescu", BORN, "R3", "T-3"))
    assert {f["of"] for f in flags if f["kind"] == "possible_duplicate"} == {first, second}
    with runtime.engine.connect() as conn:
        keys = set(conn.execute(sa.select(match_encodings.c.key_id)).scalars())
    assert keys == {index_store.encoder_for(runtime).key_id}
