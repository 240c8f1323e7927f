"""`cityid synth applicants`: realistic synthetic applicant lines, deterministic per seed.

Lines follow INTERFACE.md ("Applicant lines") and parse with `parse_applicant_line`.
Every line carries `truth`: `person_id` (duplicates share it), `expect_eligible` (what
the generator meant: most are eligible, a few are not, each for one reason), `plan`
(which document bundle), and for a duplicate, `changes` (how it differs from the
person's first line: typos, nicknames, swapped day and month, a new address, ...).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from cityid.devtools.synth.duplicates import duplicate
from cityid.devtools.synth.generator import Gen, Person
from cityid.devtools.synth.lines import applicant_line
from cityid.devtools.synth.people import new_person
from cityid.errors import BadInput
from cityid.policy.model import Policy


def generate_applicants(
    count: int,
    duplicate_rate: float = 0.0,
    seed: int = 0,
    with_documents: bool = False,
    policy: Policy | None = None,
    today: dt.date | None = None,
) -> Iterator[dict[str, Any]]:
    """`count` applicant lines; `round(count * duplicate_rate)` of them are second
    applications of a person seen earlier in the file (same `truth.person_id`)."""
    if count < 0:
        raise BadInput("count must be zero or more")
    if not 0 <= duplicate_rate < 1:
        raise BadInput("duplicate rate must be at least 0 and below 1")
    if policy is None:
        from cityid.policy import load_policy

        policy = load_policy()
    gen = Gen(policy, today or dt.date.today(), seed, with_documents)
    duplicates = min(round(count * duplicate_rate), max(count - 1, 0))
    duplicate_at = set(gen.rng.sample(range(1, count), duplicates)) if duplicates else set()
    people: list[Person] = []
    for index in range(count):
        if index in duplicate_at:
            yield duplicate(gen, gen.rng.choice(people))
        else:
            person = new_person(gen, len(people) + 1)
            people.append(person)
            yield applicant_line(gen, person)


def write_jsonl(
    path: Path | str,
    count: int,
    duplicate_rate: float = 0.0,
    seed: int = 0,
    with_documents: bool = False,
    policy: Policy | None = None,
    today: dt.date | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> int:
    """Write the lines to `path` (UTF-8, one JSON object a line); return how many.
    `progress("writing applicants", done, count)` every 1,000 lines and at the end."""
    written = 0
    with Path(path).open("w", encoding="utf-8") as out:
        for line in generate_applicants(count, duplicate_rate, seed, with_documents, policy, today):
            out.write(json.dumps(line, ensure_ascii=False, separators=(",", ":")))
            out.write("\n")
            written += 1
            if progress is not None and written % 1000 == 0:
                progress("writing applicants", written, count)
    if progress is not None:
        progress("writing applicants", written, count)
    return written
