"""The batch jobs and the queue from the command line: backfill, dedupe, list, decide."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from cityid.bootstrap import open_runtime
from cityid.operations.accounts import add_user
from cityid.staff.actor import Actor
from cityid.store.uow import UnitOfWork
from tests.enrollment_service.helpers import write_lines

from .conftest import person

PASSWORD = "a long staff password 42"
BORN = dt.date(1969, 12, 30)


def test_reencode_then_dedupe_queues_the_pair_for_an_investigator(
    data_dir: Path, cli: Any, tmp_path: Path
) -> None:
    runtime = open_runtime(data_dir)
    with UnitOfWork(runtime.engine) as uow:
        for role in ("clerk", "investigator"):
            add_user(
                uow, runtime.policy, username=f"{role}1", role=role, password=PASSWORD,
                by=Actor("test-admin", "test-admin", "admin"),
            )  # fmt: skip
        uow.commit()
    runtime.close()
    secret = tmp_path / "password"
    secret.write_text(PASSWORD)
    base = ("--json", "--data-dir", str(data_dir))

    def as_(role: str, *args: str) -> Any:
        return cli(*base, "--actor", f"{role}1", "--password-file", str(secret), *args)

    lines = write_lines(
        tmp_path / "people.jsonl",
        [
            person("Guillermo", "Ortega Ruiz", BORN, "G0000001", "E-1"),
            person("Memo", "Ortega Ruiz", BORN, "G0000002", "E-2", postal_code="10027"),
            person("Hana", "Sato", dt.date(1995, 5, 5), "G0000003", "E-3"),
        ],
    )
    enrolled = as_("clerk", "enroll", "--file", str(lines))
    assert enrolled.code == 0, enrolled.out
    ids = [i["application_id"] for i in enrolled.json["items"]]

    # intake already encoded and screened all three: Memo's application was flagged
    assert enrolled.json["items"][1]["status"] == "flagged"
    kinds = {flag["kind"] for flag in enrolled.json["items"][1]["flags"]}
    assert "possible_duplicate" in kinds

    # nothing to backfill; after a key rotation `--all` re-encodes everything
    done = cli(*base, "matching", "reencode")
    assert done.code == 0, done.out
    assert done.json["encoded"] == 0 and done.json["skipped_current"] >= 3
    everything = cli(*base, "matching", "reencode", "--all")
    assert everything.code == 0, everything.out
    assert everything.json["encoded"] >= 3

    # the batch job finds the same pair, and never queues it twice
    deduped = cli(*base, "matching", "dedupe")
    assert deduped.code == 0, deduped.out
    assert deduped.json["opened"] == 0

    listed = as_("investigator", "review", "list", "--kind", "possible_duplicate")
    [item] = listed.json["items"]
    assert {item["application_id"], item["other_application_id"]} == {ids[0], ids[1]}
    assert item["score"] >= 0.8

    refused = as_("clerk", "review", "decide", item["item_id"], "--decision", "duplicate")
    assert refused.code == 1 and refused.json["error"]["code"] == "forbidden"
    bad = as_("investigator", "review", "decide", item["item_id"], "--decision", "maybe")
    assert bad.code == 2
    shown = as_("investigator", "review", "show", item["item_id"])
    names = {a["applicant"]["given_name"] for a in shown.json["applications"]}
    assert names == {"Guillermo", "Memo"}
    decided = as_(
        "investigator", "review", "decide", item["item_id"], "--decision", "not_duplicate"
    )
    assert decided.code == 0 and decided.json["decision"] == "not_duplicate"
    # Decided, the pair leaves the review queue, and the investigator's scope with it.
    after = as_("investigator", "review", "show", item["item_id"])
    assert [a.get("unavailable") for a in after.json["applications"]] == ["out_of_scope"] * 2
