"""Receipts for chunk entries: a leaf per application, proven into the entry and the log.

A cardholder's receipt must verify, must not verify for anyone else or for more than was
destroyed, and must name no other application. Receipts of batches run when each
application had its own entry (format /1) must still verify.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from cityid.audit import log as audit_log
from cityid.audit import service as audit_service
from cityid.audit.entry import decode_entry
from cityid.bootstrap import open_runtime
from cityid.enrollment.tables import document_attestations
from cityid.jsonable import to_json
from cityid.retention import disposition, legacy_import, receipts
from cityid.retention.results import ReceiptCheck
from cityid.retention.tables import destruction_receipts
from cityid.runtime import Runtime
from cityid.staff.actor import Actor
from cityid.store.uow import UnitOfWork
from cityid.web.app import create_app
from tests.retention.retention_helpers import actors, application_ids, set_chunk_size, write_backlog


@pytest.fixture
def runtime(data_dir: Path) -> Iterator[Runtime]:
    set_chunk_size(data_dir, 4)  # several chunks, several applications per chunk
    opened = open_runtime(data_dir)
    yield opened
    opened.close()


def _destroy_backlog(runtime: Runtime, tmp_path: Path, count: int) -> list[str]:
    staff = actors()
    backlog = tmp_path / "backlog.jsonl"
    write_backlog(backlog, count)
    legacy_import.import_legacy(runtime, staff.officer, backlog)
    with UnitOfWork(runtime.engine) as uow:
        batch = disposition.plan(
            uow, runtime, staff.officer, as_of=dt.date(2017, 5, 1), record_classes=["document_copy"]
        )
        disposition.approve(uow, runtime, staff.officer, batch.batch_id)
        disposition.approve(uow, runtime, staff.counsel, batch.batch_id)
        uow.commit()
    disposition.execute(runtime, Actor.system(), batch.batch_id)
    return application_ids(runtime)


def retained_copies(runtime: Runtime, application_id: str) -> list[str]:
    """The documents the backlog kept a copy of (the copies themselves are gone)."""
    with UnitOfWork(runtime.engine, read_only=True) as uow:
        return list(
            uow.conn.execute(
                sa.select(document_attestations.c.attestation_id).where(
                    document_attestations.c.application_id == application_id,
                    document_attestations.c.copy_status == "retained",
                )
            ).scalars()
        )


def _issued(runtime: Runtime, application_id: str) -> list[dict[str, Any]]:
    """The application's receipts as the cardholder gets them: JSON."""
    return [to_json(receipt) for receipt in receipts.issue_receipts(runtime, application_id)]


def _check(runtime: Runtime, receipt: dict[str, Any]) -> ReceiptCheck:
    keys = audit_service.verifier_keys(runtime)
    return receipts.verify_receipt(receipt, keys, origin=runtime.policy.program.checkpoint_origin)


def test_each_cardholder_proves_their_own_destruction_and_no_one_elses(
    runtime: Runtime, tmp_path: Path
) -> None:
    apps = _destroy_backlog(runtime, tmp_path, 10)
    copies = {app: retained_copies(runtime, app) for app in apps}
    issued = {app: _issued(runtime, app) for app in apps}
    for app, mine in issued.items():
        # One receipt per chunk that destroyed some of the application's copies.
        destroyed = 0
        for receipt in mine:
            assert receipt["format"] == receipts.FORMAT
            result = _check(runtime, receipt)
            assert result.ok is True, result.problem
            assert result.application_id == app
            destroyed += result.destroyed["document_copy"]
            # The entry names the batch only; the receipt no other application.
            entry = decode_entry(base64.b64decode(receipt["entry"]))
            assert list(entry.targets) == [receipt["batch_id"]]
            assert not [other for other in apps if other != app and other in str(receipt)]
        assert destroyed == len(copies[app]) > 0

    first, second = apps[0], apps[1]
    receipt = issued[first][0]
    # Claiming someone else's destruction, or more destroyed than was, fails.
    theirs = dict(receipt, application_id=second, leaf=issued[second][0]["leaf"])
    assert _check(runtime, theirs).ok is False
    named = dict(receipt, application_id=second, leaf=receipt["leaf"].replace(first, second))
    assert _check(runtime, named).ok is False
    inflated = dict(receipt, leaf=f"{first} document_copy:9")
    problem = _check(runtime, inflated).problem
    assert problem and "leaf proof fails" in problem
    moved = dict(receipt, leaf_index=(receipt["leaf_index"] + 1) % receipt["applications"])
    assert _check(runtime, moved).ok is False
    assert _check(runtime, dict(receipt, leaf_proof="zz")).problem == "not a destruction receipt"


def test_receipts_and_their_checks_keep_their_json_keys(runtime: Runtime, tmp_path: Path) -> None:
    """`cityid receipt show` and `receipt verify` print these keys, in this order; a check
    that fails shows the receipt's fields as far as it got, and junk shows only why."""
    app = _destroy_backlog(runtime, tmp_path, 4)[0]
    receipt = _issued(runtime, app)[0]
    assert list(receipt) == [
        "format", "application_id", "batch_id", "leaf", "leaf_index", "applications",
        "leaf_proof", "entry_index", "entry", "tree_size", "proof", "checkpoint",
    ]  # fmt: skip
    assert isinstance(receipt["proof"], list) and isinstance(receipt["leaf_proof"], list)
    assert receipt["format"] == "cityid-destruction-receipt/2"
    good = to_json(_check(runtime, receipt))
    assert list(good) == [
        "ok", "problem", "application_id", "batch_id", "entry_index", "tree_size",
        "destroyed", "destroyed_at",
    ]  # fmt: skip
    assert good["ok"] is True and good["problem"] is None and good["destroyed"]["document_copy"]
    forged = to_json(_check(runtime, dict(receipt, leaf=f"{app} document_copy:9")))
    assert list(forged) == [
        "ok", "problem", "application_id", "batch_id", "entry_index", "tree_size"
    ]  # fmt: skip
    assert to_json(_check(runtime, {"entry": "x"})) == {
        "ok": False, "problem": "not a destruction receipt"
    }  # fmt: skip
    together = to_json(receipts.verify_all_against_log(runtime, [receipt]))
    assert list(together) == [*good, "receipts"] and together["receipts"] == 1


def test_receipts_of_entry_per_application_batches_still_verify(runtime: Runtime) -> None:
    # A destruction recorded the earlier way: an entry naming the application itself.
    staff = actors()
    with UnitOfWork(runtime.engine) as uow:
        index = audit_log.append(
            uow, staff.admin, receipts.DESTROY_ACTION, ["app-0123456789abcdef0123"],
            reason="disposition", reason_ref="rb-0011223344556677", extra={"document_copy": 2},
        )  # fmt: skip
        uow.conn.execute(
            destruction_receipts.insert().values(
                application_id="app-0123456789abcdef0123", audit_index=index,
                batch_id="rb-0011223344556677",
            )
        )  # fmt: skip
        uow.commit()
    (receipt,) = _issued(runtime, "app-0123456789abcdef0123")
    assert receipt["format"] == receipts.FORMAT_ENTRY_PER_APPLICATION and list(receipt) == [
        "format", "application_id", "batch_id", "entry_index", "entry", "tree_size", "proof",
        "checkpoint",
    ]  # fmt: skip
    result = _check(runtime, receipt)
    assert result.ok is True and result.destroyed == {"document_copy": 2}
    other = dict(receipt, application_id="app-fedcba9876543210fedc")
    assert _check(runtime, other).ok is False


def test_a_chunk_entry_commits_to_every_application_it_destroyed(
    runtime: Runtime, tmp_path: Path
) -> None:
    apps = _destroy_backlog(runtime, tmp_path, 9)
    with UnitOfWork(runtime.engine, read_only=True) as uow:
        rows = uow.conn.execute(
            sa.select(destruction_receipts).order_by(
                destruction_receipts.c.audit_index, destruction_receipts.c.position
            )
        ).all()
        chunks: dict[int, list[str]] = {}
        for row in rows:
            chunks.setdefault(row.audit_index, []).append(row.leaf)
        for index, leaves in chunks.items():
            entry = decode_entry(
                base64.b64decode(audit_service.entries(uow, index, index + 1)[0].leaf)
            )
            assert entry.extra["applications"] == len(leaves)
            assert entry.extra["applications_root"] == receipts.leaves_root(leaves).hex()
    # Every application is in some chunk's tree, with all of its copies.
    named = [receipts.parse_leaf(leaf) for leaves in chunks.values() for leaf in leaves]
    assert {app for app, _ in named} == set(apps) and len(chunks) >= 3
    total = sum(counts["document_copy"] for _, counts in named)
    assert total == sum(len(retained_copies(runtime, app)) for app in apps)


def test_the_public_page_checks_every_receipt_of_an_application(
    runtime: Runtime, tmp_path: Path
) -> None:
    apps = _destroy_backlog(runtime, tmp_path, 10)
    # With chunks of 4, some application's copies were destroyed in two chunks.
    issued = {app: _issued(runtime, app) for app in apps}
    app = next(app for app, mine in issued.items() if len(mine) > 1)
    document = {"receipts": issued[app]}
    with TestClient(create_app(runtime), base_url="https://testserver") as client:
        good = client.post("/receipts/check", data={"receipt": json.dumps(document)})
        assert 'data-result="ok"' in good.text
        copies = len(retained_copies(runtime, app))
        assert f"{copies} document copy" in good.text
        assert f"in {len(issued[app])} entries" in good.text
        forged = dict(issued[app][1], leaf=f"{app} document_copy:7")
        bad = {"receipts": [issued[app][0], forged]}
        refused = client.post("/receipts/check", data={"receipt": json.dumps(bad)})
        assert 'data-result="bad"' in refused.text and "receipt 2 of 2" in refused.text
        other = next(a for a in apps if a != app)
        mixed = {"receipts": [issued[app][0], issued[other][0]]}
        mixed_out = client.post("/receipts/check", data={"receipt": json.dumps(mixed)})
        assert "different applications" in mixed_out.text
