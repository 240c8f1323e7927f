"""`cityid enroll`, `application show|approve`: batches, bad lines, and what is left behind."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from cityid.enrollment import service as enrollment_service
from cityid.enrollment.tables import applications, document_attestations
from cityid.errors import CityIdError
from cityid.runtime import Runtime
from cityid.staff.actor import Actor

from .helpers import (
    DOCUMENT_SCAN,
    PASSPORT_NUMBER,
    applicant_line,
    dump_database,
    files_bytes,
    write_lines,
)

SQLITE_ONLY = pytest.mark.parametrize("fresh_database_url", ["sqlite"], indirect=True)


def _as(actor: Actor, password_file: Path) -> list[str]:
    return ["--json", "--actor", actor.username, "--password-file", str(password_file)]


def _count(runtime: Runtime, table: sa.Table) -> int:
    with runtime.engine.connect() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())


def test_batch_enrolls_good_lines_and_reports_bad_ones_by_number(
    cli: Any, runtime: Runtime, accounts: dict[str, Actor], password_file: Path, tmp_path: Path
) -> None:
    bad_photo = applicant_line(number="PH0000001")
    bad_photo["photo"] = base64.b64encode(b"GIF89a not a photo at all").decode()
    lines: list[Any] = [
        applicant_line(number="GOOD00001"),
        applicant_line(number="BAD000001", postal_code="07030"),  # Hoboken, not the city
        applicant_line(number="BAD000002", date_of_birth="1988-02-30"),
        applicant_line(number="BAD000003", date_of_birth="1870-01-01"),
        "this is not json",
        bad_photo,
        applicant_line(number="GOOD00002", given="Nadia", family="Haddad"),
    ]
    lines[3]["documents"][1]["type"] = "library_card"
    file = write_lines(tmp_path / "batch.jsonl", lines)

    result = cli("enroll", "--file", str(file), *_as(accounts["clerk"], password_file))
    assert result.code == 0, result.out
    report = result.json
    assert (report["enrolled"], report["rejected"], report["invalid"]) == (2, 0, 5)
    by_line = {item["line"]: item for item in report["items"]}
    assert by_line[1]["status"] in ("submitted", "flagged")
    assert by_line[7]["application_id"]
    assert by_line[2]["reasons"] == ["address.postal_code: not in the city's postal codes"]
    assert by_line[3]["reasons"] == ["date_of_birth: not a date (use YYYY-MM-DD)"]
    assert "date_of_birth: gives an age over 130" in by_line[4]["reasons"]
    assert "documents.1.type: not a document type the program accepts" in by_line[4]["reasons"]
    assert by_line[5]["reasons"] == ["(line): not valid JSON"]
    assert by_line[6]["reasons"] == ["photo: photo must be a JPEG or PNG image"]
    assert all(by_line[n]["application_id"] is None for n in (2, 3, 4, 5, 6))
    # Only the good lines left anything: two applications, two attestations each.
    assert _count(runtime, applications) == 2
    assert _count(runtime, document_attestations) == 4


def test_verify_and_discard_leaves_no_document_byte_or_number_anywhere(
    cli: Any,
    runtime: Runtime,
    accounts: dict[str, Actor],
    password_file: Path,
    tmp_path: Path,
    data_dir: Path,
) -> None:
    assert runtime.policy.retention.mode_on(runtime.today()) == "verify-and-discard"
    file = write_lines(tmp_path / "batch.jsonl", [applicant_line(scan=True, photo=True)])
    result = cli("enroll", "--file", str(file), *_as(accounts["clerk"], password_file))
    assert result.code == 0 and result.json["enrolled"] == 1, result.out
    app_id = result.json["items"][0]["application_id"]
    shown = cli(
        "application", "show", app_id, "--documents", "--purpose", "intake",
        *_as(accounts["clerk"], password_file),
    )  # fmt: skip
    assert shown.code == 0
    assert [d["copy"] for d in shown.json["documents"]] == ["not_retained", "not_retained"]
    assert shown.json["applicant"]["family_name"] == "Quintanilla-Ybarra"  # it is all there

    needles = [
        PASSPORT_NUMBER.encode(),
        b"ACCT-55310",
        b"ACCT55310",
        DOCUMENT_SCAN[:40],
        DOCUMENT_SCAN[300:340],
        base64.b64encode(DOCUMENT_SCAN)[:60],
    ]
    database = dump_database(runtime.engine)
    on_disk = files_bytes(data_dir)
    if runtime.engine.dialect.name == "sqlite":
        # The database file itself (and its -wal and -shm), byte for byte.
        db_file = Path(str(runtime.engine.url.database))
        assert db_file.stat().st_size > 0
        on_disk += files_bytes(db_file.parent, f"{db_file.name}*")
    assert b"Quintanilla" not in database  # sealed, not in the clear
    for needle in needles:
        assert needle not in database
        assert needle not in on_disk


def test_a_failure_mid_line_leaves_nothing_of_that_line(
    cli: Any,
    runtime: Runtime,
    accounts: dict[str, Actor],
    password_file: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real_screen = enrollment_service.screen
    calls = {"n": 0}

    def screen_failing_on_second(*args: Any) -> list[dict[str, Any]]:
        calls["n"] += 1
        if calls["n"] == 2:  # after the row and attestations are written
            raise CityIdError("screening is down for this one", code="screening_failed")
        return real_screen(*args)

    monkeypatch.setattr(enrollment_service, "screen", screen_failing_on_second)
    lines = [applicant_line(number=f"HALF0000{i}", given=f"Name{'abc'[i]}") for i in range(3)]
    file = write_lines(tmp_path / "batch.jsonl", lines)
    result = cli("enroll", "--file", str(file), *_as(accounts["clerk"], password_file))
    assert result.code == 0, result.out
    statuses = [item["status"] for item in result.json["items"]]
    assert statuses[1] == "invalid" and statuses[0] != "invalid" and statuses[2] != "invalid"
    assert _count(runtime, applications) == 2
    assert _count(runtime, document_attestations) == 4


@SQLITE_ONLY
def test_show_and_decide_through_the_cli(
    cli: Any, runtime: Runtime, accounts: dict[str, Actor], password_file: Path, tmp_path: Path
) -> None:
    file = write_lines(tmp_path / "one.jsonl", [applicant_line()])
    app_id = cli("enroll", "--file", str(file), *_as(accounts["clerk"], password_file)).json[
        "items"
    ][0]["application_id"]

    system = cli("--json", "enroll", "--file", str(file))
    assert system.code == 1 and system.json["error"]["code"] == "forbidden"
    refused = cli("application", "approve", app_id, *_as(accounts["clerk"], password_file))
    assert refused.code == 1 and refused.json["error"]["code"] == "forbidden"
    approved = cli(
        "application", "approve", app_id, "--reason", "all good",
        *_as(accounts["supervisor"], password_file),
    )  # fmt: skip
    assert approved.code == 0 and approved.json["status"] == "approved"

    with runtime.engine.connect() as conn:
        cohort = conn.execute(sa.select(applications.c.cohort_key_id)).scalar_one()
    runtime.keystore.destroy(cohort)
    gone = cli(
        "application", "show", app_id, "--purpose", "intake",
        *_as(accounts["clerk"], password_file),
    )  # fmt: skip
    assert gone.code == 1
    assert gone.json["error"]["code"] == "destroyed"
    assert "Quintanilla" not in gone.out


@SQLITE_ONLY
def test_synth_applicants_writes_lines_that_enroll(
    cli: Any, accounts: dict[str, Actor], password_file: Path, tmp_path: Path
) -> None:
    out = tmp_path / "synth.jsonl"
    written = cli("--json", "synth", "applicants", "--count", "12", "--duplicate-rate", "0.2",
                  "--out", str(out))  # fmt: skip
    assert written.code == 0 and written.json == {"written": 12, "file": str(out)}
    report = cli("enroll", "--file", str(out), *_as(accounts["clerk"], password_file)).json
    assert report["invalid"] == 0
    assert report["enrolled"] + report["rejected"] == 12
    assert report["enrolled"] >= 8
