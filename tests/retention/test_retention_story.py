"""The 2016 story end to end through the command line, on both databases.

Import a backlog, a court's hold on document copies, a plan all blocked by it, release
with a reason, a new plan, the two-person rule, execution, the certificate checked with
the published key, and a cardholder's receipt checked against the log.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from cityid.bootstrap import open_runtime
from cityid.errors import BadInput, Forbidden, Refused
from cityid.retention import disposition, holds
from cityid.retention.certificate import render_pdf, verify_certificate
from cityid.staff.actor import Actor
from cityid.store.uow import UnitOfWork
from tests.retention.retention_helpers import PASSWORD, copy_state, make_staff, write_backlog


def test_the_story(data_dir: Path, cli: Any, tmp_path: Path) -> None:
    runtime = open_runtime(data_dir)
    staff = make_staff(runtime)
    password = tmp_path / "password"
    password.write_text(PASSWORD)

    def as_user(name: str, *args: str) -> Any:
        return cli("--json", "--data-dir", str(data_dir), "--actor", name,
                   "--password-file", str(password), *args)  # fmt: skip

    backlog = tmp_path / "backlog.jsonl"
    write_backlog(backlog, 30, bad_lines=(4, 17))
    imported = as_user("rhoda", "import", "legacy", "--file", str(backlog))
    assert imported.code == 0, imported.out
    assert imported.json["enrolled"] == 28
    bad = [item["line"] for item in imported.json["items"] if item["status"] == "invalid"]
    assert bad == [4, 17]
    copies = copy_state(runtime)
    assert copies and set(copies.values()) == {"intact"}

    # Only counsel places holds (the records officer is refused: see test_holds.py).
    scope = json.dumps({"record_classes": ["document_copy"]})
    placed = as_user("celia", "hold", "place", "--authority", "Supreme Court, Richmond County",
                     "--docket", "80258/16", "--order-date", "2016-12-05",
                     "--reason", "FOIL petition: preserve", "--scope", scope)  # fmt: skip
    assert placed.code == 0, placed.out
    hold_id = placed.json["hold_id"]

    blocked = as_user("rhoda", "retention", "plan", "--as-of", "2017-04-20")
    assert blocked.code == 0, blocked.out
    assert blocked.json["due"] == 0
    assert blocked.json["blocked"] == len(copies)
    assert blocked.json["blocked_by"] == {hold_id: len(copies)}

    with UnitOfWork(runtime.engine) as uow:
        with pytest.raises(BadInput):
            holds.release_hold(uow, runtime, staff.counsel, hold_id, reason="  ")
        holds.release_hold(uow, runtime, staff.counsel, hold_id, reason="no standing (Apr 2017)")
        uow.commit()
    listed = as_user("rhoda", "hold", "list").json["holds"]
    assert [(h["hold_id"], h["status"]) for h in listed] == [(hold_id, "released")]

    plan = as_user("rhoda", "retention", "plan", "--as-of", "2017-04-20").json
    assert (plan["due"], plan["blocked"], plan["blocked_by"]) == (len(copies), 0, {})
    batch = plan["batch_id"]

    # Not yet approved: execution is refused and nothing is destroyed.
    assert cli("--json", "--data-dir", str(data_dir), "retention", "execute", batch).code == 1
    first = as_user("rhoda", "retention", "approve", batch)
    assert first.code == 0 and first.json["status"] == "planned"
    again = as_user("rhoda", "retention", "approve", batch)
    assert again.code == 1 and again.json["error"]["code"] == "same_approver"
    with UnitOfWork(runtime.engine) as uow:
        with pytest.raises(Refused, match="counsel"):
            disposition.approve(uow, runtime, staff.officer2, batch)
        with pytest.raises(Forbidden):
            disposition.approve(uow, runtime, Actor.system(), batch)
        assert disposition.approve(uow, runtime, staff.counsel, batch).status == "approved"
        uow.commit()

    executed = as_user("rhoda", "retention", "execute", batch)
    assert executed.code == 0, executed.out
    result = executed.json
    assert result["destroyed"] == len(copies) and result["skipped_held"] == 0
    assert result["cohort_keys_destroyed"]
    assert set(copy_state(runtime).values()) == {"tombstoned"}
    # Running it again destroys nothing twice and answers the same.
    rerun = disposition.execute(runtime, Actor.system(), batch)
    assert rerun.destroyed == result["destroyed"]
    assert rerun.cohort_keys_destroyed == result["cohort_keys_destroyed"]

    cert_file = tmp_path / "certificate.json"
    assert as_user("rhoda", "retention", "certificate", batch, "--out", str(cert_file)).code == 0
    assert render_pdf(json.loads(cert_file.read_text())).startswith(b"%PDF")
    published = cli("--json", "--data-dir", str(data_dir), "audit", "public-key").json
    document = json.loads(cert_file.read_text())
    body = verify_certificate(document, [published["verifier_key"]])
    assert body["destroyed"] == len(copies)
    assert body["counts_by_class"] == {"document_copy": len(copies)}
    assert body["cohort_keys_destroyed"] == result["cohort_keys_destroyed"]
    assert len(body["approvers"]) == 2 and body["keystore_backup_expires"]
    # No personal data: nothing from the backlog's lines appears in the certificate.
    text = cert_file.read_text()
    for line in backlog.read_text().splitlines()[:5]:
        person = json.loads(line)
        if "family_name" in person and len(person["family_name"]) > 3:
            assert person["family_name"] not in text
    verified = cli("--json", "--data-dir", str(data_dir), "retention", "certificate", batch,
                   "--verify", str(cert_file))  # fmt: skip
    assert verified.code == 0 and verified.json["ok"] is True
    forged = dict(document, certificate=dict(document["certificate"], destroyed=1))
    cert_file.write_text(json.dumps(forged))
    assert cli("--json", "--data-dir", str(data_dir), "retention", "certificate", batch,
               "--verify", str(cert_file)).code == 1  # fmt: skip

    # A cardholder's receipt, checked with the CLI against its checkpoint and a later one.
    application = imported.json["items"][0]["application_id"]
    receipt_file = tmp_path / "receipt.json"
    shown = as_user("rhoda", "receipt", "show", application, "--out", str(receipt_file))
    assert shown.code == 0, shown.out
    assert cli("--json", "--data-dir", str(data_dir), "receipt", "verify",
               str(receipt_file)).json["ok"] is True  # fmt: skip
    later = cli("--json", "--data-dir", str(data_dir), "audit", "checkpoint").json["checkpoint"]
    later_file = tmp_path / "later.checkpoint"
    later_file.write_text(later)
    checked = cli("--json", "--data-dir", str(data_dir), "receipt", "verify", str(receipt_file),
                  "--checkpoint", str(later_file))  # fmt: skip
    assert checked.code == 0 and checked.json["ok"] is True
    other = imported.json["items"][1]["application_id"]
    receipt = json.loads(receipt_file.read_text())["receipts"][0]
    receipt_file.write_text(json.dumps(dict(receipt, application_id=other)))
    assert cli("--json", "--data-dir", str(data_dir), "receipt", "verify",
               str(receipt_file)).code == 1  # fmt: skip
    runtime.close()
