"""A small city for the disclosure tests: counsel, a clerk, and a few enrolled applicants.

Runs on SQLite and PostgreSQL (through the shared `data_dir` fixture). Applicants are
enrolled through enrollment's own service, on dates in 2014-2016, so that a request for
"three years of applicant data" covers them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from cityid.bootstrap import open_runtime
from cityid.disclosure.results import Decided, Filed
from cityid.enrollment import service
from cityid.enrollment.applicant import parse_applicant
from cityid.operations.accounts import add_user
from cityid.runtime import Runtime
from cityid.staff.actor import Actor
from cityid.store.uow import UnitOfWork

STAFF_PASSWORD = "the law decides, carefully 2016"
ADMIN = Actor("admin-bootstrap", "admin-bootstrap", "admin")


def applicant_line(given: str, family: str, language: str, born: str) -> dict[str, Any]:
    far = "2030-01-01"
    return {
        "given_name": given,
        "family_name": family,
        "date_of_birth": born,
        "address": {
            "line1": "37-12 80th St",
            "line2": "Apt 4B",
            "city": "Jackson Heights",
            "state": "NY",
            "postal_code": "11372",
        },
        "gender": "F",
        "language": language,
        "documents": [
            {"type": "consular_id", "number": f"C{born[:4]}{given[:3]}", "issuing_country": "MEX",
             "expires": far, "has_original": True},
            {"type": "us_birth_certificate", "number": f"B{born}{family[:3]}",
             "issuing_country": "USA", "expires": None, "has_original": True},
            {"type": "utility_bill", "number": f"U{given}{family}", "issuing_country": "USA",
             "expires": None, "has_original": True},
        ],
    }  # fmt: skip


@dataclass
class City:
    data_dir: Path
    runtime: Runtime
    counsel: Actor
    clerk: Actor
    password_file: Path
    applications: dict[str, str] = field(default_factory=dict)  # label -> application id
    cli: Any = None

    def as_counsel(self, *args: str) -> Any:
        return self.cli(
            "--json", "--data-dir", str(self.data_dir),
            "--actor", "counsel", "--password-file", str(self.password_file), *args,
        )  # fmt: skip

    def as_clerk(self, *args: str) -> Any:
        return self.cli(
            "--json", "--data-dir", str(self.data_dir),
            "--actor", "clerk", "--password-file", str(self.password_file), *args,
        )  # fmt: skip


PEOPLE = {
    # label: (given, family, language, born, enrolled on)
    "maria": ("María", "García López", "spa", "1985-03-04", dt.date(2015, 3, 10)),
    "wei": ("Wei", "Zhang", "zho", "1979-11-20", dt.date(2015, 3, 11)),
    "fatou": ("Fatou", "Diallo", "wol", "1990-06-01", dt.date(2016, 5, 2)),
    # Enrolled alone in its month, so its cohort key can be destroyed on its own.
    "gone": ("Olek", "Kowalski", "pol", "1970-01-15", dt.date(2014, 8, 20)),
}


@pytest.fixture
def city(data_dir: Path, cli: Any, tmp_path: Path) -> Iterator[City]:
    runtime = open_runtime(data_dir)
    password_file = tmp_path / "staff.pw"
    password_file.write_text(STAFF_PASSWORD)
    with UnitOfWork(runtime.engine) as uow:
        counsel = add_user(
            uow, runtime.policy, username="counsel", role="counsel", password=STAFF_PASSWORD,
            by=ADMIN,
        )  # fmt: skip
        clerk = add_user(
            uow, runtime.policy, username="clerk", role="clerk", password=STAFF_PASSWORD, by=ADMIN
        )
        uow.commit()
    town = City(data_dir, runtime, counsel, clerk, password_file, cli=cli)
    with UnitOfWork(runtime.engine) as uow:
        for label, (given, family, language, born, enrolled) in PEOPLE.items():
            applicant = parse_applicant(
                applicant_line(given, family, language, born), runtime.policy, enrolled
            )
            outcome = service.intake(
                uow, runtime, clerk, service.IntakeRequest(applicant), today=enrolled
            )
            assert outcome.application_id is not None, outcome.reasons
            town.applications[label] = outcome.application_id
        uow.commit()
    try:
        yield town
    finally:
        runtime.close()


def file_request(
    city: City, kind: str, instrument: str, scope: dict[str, Any], **more: Any
) -> Filed:
    """File in-process as counsel (the CLI is tested elsewhere; this keeps tests fast)."""
    from cityid.disclosure.filing import file_request as file_

    with UnitOfWork(city.runtime.engine) as uow:
        result = file_(
            uow, city.runtime, city.counsel,
            requester_kind=kind, instrument=instrument, scope=scope, **more,
        )  # fmt: skip
        uow.commit()
    return result


def decide(city: City, request_id: str, **more: Any) -> Decided:
    from cityid.disclosure.decisions import decide as decide_

    with UnitOfWork(city.runtime.engine) as uow:
        result = decide_(uow, city.runtime, city.counsel, request_id, **more)
        uow.commit()
    return result


def package(city: City, request_id: str) -> Any:
    from cityid.disclosure.release import build_package

    with UnitOfWork(city.runtime.engine) as uow:
        result = build_package(uow, city.runtime, city.counsel, request_id)
        uow.commit()
    return result
