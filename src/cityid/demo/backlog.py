"""The program's first two years: synthetic applicants enrolled through 2015-2016.

Enrollment days run from the program's launch to the day before the city stopped
keeping copies, in order, so every copy is taken in retain mode. Two applications are
made by hand on top of the synthetic ones so the fraud signals have something certain
to find: the same person again under a misspelled name, and a stranger presenting the
first person's passport.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from cityid.devtools.synth.applicants import generate_applicants
from cityid.enrollment import service as enrollment
from cityid.enrollment.applicant import InvalidApplicant
from cityid.enrollment.lifecycle import ApplicationStatus
from cityid.enrollment.repository import EnrollmentKeys
from cityid.enrollment.screening import IntakeChannel
from cityid.runtime import Runtime
from cityid.staff.actor import Actor
from cityid.store.uow import UnitOfWork

LAUNCH = dt.date(2015, 1, 12)
LAST_RETAIN_DAY = dt.date(2016, 12, 6)
COMMIT_EVERY = 100
DUPLICATE_RATE = 0.01
PASSPORTS = ("us_passport", "foreign_passport")
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Enrolled:
    """What the backlog left behind, for the later steps to check against. The lines
    are applicant lines as intake read them (documents: the `cityid enroll` format)."""

    outcomes: Counter[str] = field(default_factory=Counter)  # status (or "invalid") -> count
    flags: Counter[str] = field(default_factory=Counter)  # flag kind -> count
    ids: tuple[str, ...] = ()  # stored applications, in order
    submitted: tuple[str, ...] = ()  # stored and unflagged
    lines: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)  # id -> its line


def enrollment_days(count: int) -> Iterator[dt.date]:
    """`count` days spread evenly from the launch to the last day copies were kept."""
    span = (LAST_RETAIN_DAY - LAUNCH).days
    for index in range(count):
        yield LAUNCH + dt.timedelta(days=span * index // max(count - 1, 1))


def enroll_line(
    uow: UnitOfWork,
    runtime: Runtime,
    clerk: Actor,
    line: dict[str, Any],
    day: dt.date,
    keys: EnrollmentKeys | None = None,
) -> enrollment.IntakeOutcome | None:
    """One applicant through intake on `day`; None for a line intake cannot read."""
    try:
        request = enrollment.parse_request(line, runtime, day)
    except InvalidApplicant:
        return None
    return enrollment.intake(
        uow, runtime, clerk, request, keys=keys, today=day, channel=IntakeChannel.BATCH
    )


def enroll_backlog(
    runtime: Runtime, clerk: Actor, size: int, progress: Progress | None = None
) -> Enrolled:
    """Generate and enroll `size` applicants with their document copies, committing in
    chunks so a crash loses one chunk at most."""
    outcomes: Counter[str] = Counter()
    flags: Counter[str] = Counter()
    ids: list[str] = []
    submitted: list[str] = []
    stored_lines: dict[str, dict[str, Any]] = {}
    lines = generate_applicants(
        size, DUPLICATE_RATE, seed=2016, with_documents=True, policy=runtime.policy,
        today=LAST_RETAIN_DAY,
    )  # fmt: skip
    with EnrollmentKeys.open(runtime.keystore) as keys, UnitOfWork(runtime.engine) as uow:
        for done, (line, day) in enumerate(zip(lines, enrollment_days(size), strict=True), 1):
            outcome = enroll_line(uow, runtime, clerk, line, day, keys)
            if outcome is None:
                outcomes["invalid"] += 1
            else:
                outcomes[outcome.status] += 1
                flags.update(str(flag["kind"]) for flag in outcome.flags)
                if outcome.application_id is not None:
                    ids.append(outcome.application_id)
                    stored_lines[outcome.application_id] = line
                    if outcome.status == ApplicationStatus.SUBMITTED:
                        submitted.append(outcome.application_id)
            if done % COMMIT_EVERY == 0:
                uow.commit()
                if progress is not None:
                    progress(done, size)
        uow.commit()
    if progress is not None:
        progress(size, size)
    return Enrolled(outcomes, flags, tuple(ids), tuple(submitted), stored_lines)


def _passport_of(line: Mapping[str, Any]) -> dict[str, Any] | None:
    return next((doc for doc in line["documents"] if doc["type"] in PASSPORTS), None)


def passport_holders(found: Enrolled) -> list[str]:
    """Stored, unflagged applications that presented a passport, oldest first."""
    return [app_id for app_id in found.submitted if _passport_of(found.lines[app_id])]


def misspelled(text: str) -> str:
    """The slip a clerk makes: two inner letters swapped (or one doubled)."""
    if len(text) >= 4 and text[1] != text[2]:
        return text[0] + text[2] + text[1] + text[3:]
    return text + text[-1]


def _fresh_number(number: str) -> str:
    """A different document of the same kind: the last characters changed."""
    tail = "".join(str((int(c) + 3) % 10) if c.isdigit() else c for c in number[-4:])
    return number[:-4] + tail if tail != number[-4:] else number + "7"


def second_application_misspelled(line: Mapping[str, Any]) -> dict[str, Any]:
    """The same person again: family name misspelled, new documents (no shared token)."""
    again = copy.deepcopy(dict(line))
    again.pop("truth", None)
    again["family_name"] = misspelled(str(line["family_name"]))
    for doc in again["documents"]:
        doc["number"] = _fresh_number(str(doc["number"]))
        doc.pop("mrz", None)  # the zone's check digits would not match a new number
    return again


def stranger_with_passport(stranger: Mapping[str, Any], owner: Mapping[str, Any]) -> dict[str, Any]:
    """Someone else presenting `owner`'s passport in place of their own (an applicant
    line: the forged document a clerk is handed, so it stays a document)."""
    forged = copy.deepcopy(dict(stranger))
    forged.pop("truth", None)
    passport = _passport_of(owner)
    assert passport is not None
    forged["documents"] = [
        copy.deepcopy(passport) if doc["type"] in PASSPORTS else doc for doc in forged["documents"]
    ]
    return forged
