""" "Who looked at my record": exactly the accesses, each proved, checked by `cityid audit`."""

from __future__ import annotations

import json
from pathlib import Path

from cityid.enrollment import lookup
from cityid.runtime import Runtime
from cityid.staff.actor import Actor
from cityid.store.uow import UnitOfWork

from .conftest import STAFF_PASSWORD, enroll


def _read(runtime: Runtime, actor: Actor, application_id: str, purpose: str) -> None:
    with UnitOfWork(runtime.engine) as uow:
        lookup.show(uow, runtime, actor, application_id, purpose=purpose)
        uow.commit()


def test_the_report_lists_exactly_the_accesses_and_verifies(
    runtime, people, cli, data_dir: Path, tmp_path: Path
) -> None:
    mine = enroll(runtime, people["clerk-a"], "bronx-1")
    other = enroll(runtime, people["clerk-a"], "bronx-1", given="Yusuf", family="Okafor",
                   number="ZQ4444444", postal_code="11201")  # fmt: skip
    _read(runtime, people["clerk-a"], mine, "intake")
    _read(runtime, people["sup"], mine, "desk_request")
    _read(runtime, people["clerk-a"], other, "intake")  # someone else's record

    secret = tmp_path / "pw"
    secret.write_text(STAFF_PASSWORD)
    base = ("--json", "--data-dir", str(data_dir))
    as_clerk = (*base, "--actor", "clerk-a", "--password-file", str(secret))
    refused = cli(*as_clerk[:-4], "--actor", "clerk-b", "--password-file", str(secret),
                  "application", "show", mine, "--purpose", "intake")  # fmt: skip
    assert refused.json["error"]["code"] == "out_of_scope"

    out = tmp_path / "report.json"
    made = cli(*as_clerk, "access", "report", mine, "--out", str(out))
    assert made.code == 0, made.out
    doc = json.loads(out.read_text())
    seen = [
        (line["action"], line["purpose"], line["role"], line["office"]) for line in doc["lines"]
    ]
    assert seen == [
        ("matching.screen", "intake", "clerk", "bronx-1"),  # its own duplicate check
        ("application.create", "intake:new", "clerk", "bronx-1"),
        ("matching.screen", "intake", "clerk", "bronx-1"),  # compared at the other intake
        ("application.read", "intake", "clerk", "bronx-1"),
        ("application.read", "desk_request", "supervisor", None),
        ("access.refused", "other_centre", "clerk", "queens-1"),
    ]
    text = out.read_text()
    assert other not in text
    for name in ('"clerk-a"', '"clerk-b"', '"sup"', "Quintanilla", "Marisol", "1988-04-17"):
        assert name not in text  # no staff names, nothing personal
    indexes = [line["index"] for line in doc["lines"]]
    assert indexes == sorted(indexes) and max(indexes) < doc["size"]

    vkey = cli(*base, "audit", "public-key").json["verifier_key"]
    checked = cli(*base, "audit", "verify-report", str(out), "--log-vkey", vkey)
    assert checked.code == 0, checked.out
    assert checked.json["ok"] and checked.json["lines_checked"] == 6
    assert checked.json["signature_checked"] is True
    # The same line, checked one at a time with the log's own proof command.
    line = doc["lines"][3]
    proof = cli(*base, "audit", "proof", "inclusion", "--index", str(line["index"]),
                "--size", str(doc["size"]))  # fmt: skip
    assert proof.json["proof"] == line["proof"] and proof.json["leaf_hash"] == line["leaf_hash"]

    forged = json.loads(text)
    forged["lines"][2]["proof"][0] = "00" * 32
    bad = tmp_path / "forged.json"
    bad.write_text(json.dumps(forged))
    failed = cli(*base, "audit", "verify-report", str(bad), "--log-vkey", vkey)
    assert failed.code == 1 and failed.json["first_bad_index"] == doc["lines"][2]["index"]
    slipped = json.loads(text)
    slipped["lines"].append({**doc["lines"][0], "entry": doc["lines"][0]["entry"][:-4] + "AAAA"})
    bad.write_text(json.dumps(slipped))
    assert cli(*base, "audit", "verify-report", str(bad), "--log-vkey", vkey).code == 1
    later = cli(*as_clerk, "access", "report", mine).json["lines"]
    assert [ln["action"] for ln in later[6:]] == ["access.report"]  # the first report, now
    wrong_key = cli(*base, "audit", "verify-report", str(out), "--log-vkey", vkey[:-8] + "AAAAAAA=")
    assert wrong_key.code == 1


def test_a_report_for_an_unknown_application_says_so(runtime, people, cli, data_dir, tmp_path):
    secret = tmp_path / "pw"
    secret.write_text(STAFF_PASSWORD)
    base = ("--json", "--data-dir", str(data_dir), "--actor", "clerk-a")
    missing = cli(*base, "--password-file", str(secret), "access", "report", "app-nope")
    assert missing.code == 1 and missing.json["error"]["code"] == "not_found"
    inv = cli("--json", "--data-dir", str(data_dir), "--actor", "inv", "--password-file",
              str(secret), "access", "report", "app-nope")  # fmt: skip
    assert inv.json["error"]["code"] == "forbidden"
