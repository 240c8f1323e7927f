"""A synthetic person as an applicant line (INTERFACE.md's shape plus `truth`), and the
names and key a duplicate is compared by.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from cityid.devtools.synth.generator import Gen, Person
from cityid.devtools.synth.images import avatar, document_scan


def names_shown(person: Person) -> tuple[str, str]:
    if person.native:
        return str(person.given[1]), " ".join(str(native) for _, native in person.family)
    return person.given[0], " ".join(latin for latin, _ in person.family)


def applicant_line(gen: Gen, person: Person, changes: list[str] | None = None) -> dict[str, Any]:
    given, family = shown_names(person)
    line: dict[str, Any] = {
        "given_name": given,
        "family_name": family,
        "date_of_birth": person.dob.isoformat(),
        "address": dict(person.address),
        "gender": person.gender,
        "language": person.language,
        "veteran": person.extras["veteran"],
        "organ_donor": person.extras["organ_donor"],
        "caretaker_present": person.extras["caretaker_present"],
        "centre": person.extras["centre"],
        "documents": [dict(doc) for doc in person.documents],
    }
    if "emergency_contact" in person.extras:
        line["emergency_contact"] = person.extras["emergency_contact"]
    carer = caretaker(gen, person)
    if carer is not None:
        line["caretaker"] = carer
    if gen.with_documents:
        line["photo"] = avatar(gen, person)
        for doc in line["documents"]:
            doc["copy_b64"] = document_scan(doc)
    truth: dict[str, Any] = {
        "person_id": person.person_id,
        "expect_eligible": person.plan.eligible,
        "plan": person.plan.key,
    }
    if changes is not None:
        truth["changes"] = changes
    line["truth"] = truth
    return line


def caretaker(gen: Gen, person: Person) -> dict[str, Any] | None:
    """A minor's parent: a consular ID and the child's own birth certificate. Drawn from
    the person's id, not the generator, so every other line of a seed stays as it was."""
    births = [d for d in person.documents if d["type"].endswith("birth_certificate")]
    if not person.extras["caretaker_present"] or not births:
        return None
    digest = hashlib.sha256(f"caretaker/{person.person_id}".encode()).hexdigest()
    documents: list[dict[str, Any]] = [
        {
            "type": "consular_id",
            "number": "CT" + str(int(digest[:12], 16))[:9],
            "issuing_country": births[0]["issuing_country"],
            "expires": (gen.today + dt.timedelta(days=900)).isoformat(),
        },
        {k: v for k, v in births[0].items() if k != "mrz"},
    ]
    return {"relationship": "parent", "documents": documents}


def shown_names(person: Person) -> tuple[str, str]:
    given, family = names_shown(person)
    return (
        person.extras.get("given_override", given),
        person.extras.get("family_override", family),
    )


def person_key(person: Person) -> tuple[str, ...]:
    address = person.address
    return (
        *shown_names(person),
        person.dob.isoformat(),
        address["line1"],
        address["line2"],
        address["postal_code"],
    )
