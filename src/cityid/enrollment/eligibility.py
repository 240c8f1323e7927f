"""Who may have a card: the eligibility rules, driven entirely by the Policy.

`decide(applicant, policy, today)` is pure: the same applicant, policy and day always
give the same decision. Reasons are sentences a clerk can read out to the applicant
("needs 1 more residency point"); they name documents by their type, never by number.
"""

from __future__ import annotations

import datetime as dt
import re

from pydantic import BaseModel, ConfigDict

from cityid.enrollment.applicant import Applicant, Document, age_on
from cityid.enrollment.mrz import MrzError, parse_mrz
from cityid.policy.model import DocumentType, Policy


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class DocumentPoints(_Frozen):
    """What one presented document counted for, and why (a sentence, or empty)."""

    index: int
    type: str
    identity_points: int
    residency_points: int
    points: int
    counted: bool
    note: str = ""


class MrzFailure(_Frozen):
    """A document whose machine-readable zone did not check: a fraud signal too."""

    index: int
    type: str
    failed_checks: list[str]


class EligibilityDecision(_Frozen):
    eligible: bool
    age: int
    identity_points: int
    residency_points: int
    total_points: int
    # Sentences to read out: why the applicant is not (yet) eligible. Empty when eligible.
    reasons: list[str]
    # Sentences about documents that counted less than usual, eligible or not.
    notes: list[str]
    document_points: list[DocumentPoints]
    mrz_failures: list[MrzFailure]
    # The type code of a document that satisfied every requirement alone, if one did.
    sufficient_alone: str | None = None
    # What each of the caretaker's documents proved (no points: proof, not score).
    caretaker_documents: list[DocumentPoints] = []


def decide(applicant: Applicant, policy: Policy, today: dt.date) -> EligibilityDecision:
    rules = policy.eligibility
    age = age_on(applicant.date_of_birth, today)
    scored = [_score(i, doc, policy, today) for i, doc in enumerate(applicant.documents)]
    scored = _count_repeats_once(scored, applicant.documents)
    counted = [
        (points, policy.document_type(points.type)) for points, _ in scored if points.counted
    ]
    counted_types = [kind for _, kind in counted if kind is not None]

    identity = sum(points.identity_points for points, _ in counted)
    residency = sum(points.residency_points for points, _ in counted)
    total = identity + residency
    notes = [points.note for points, _ in scored if points.note]
    mrz_failures = [failure for _, failure in scored if failure is not None]

    shortfalls: list[str] = []
    if age < rules.min_age:
        shortfalls.append(f"applicant must be at least {rules.min_age} years old")

    alone = next(
        (
            kind.code
            for kind in counted_types
            if kind.code in rules.sufficient_alone_with_city_address
            and _is_city_address(applicant, policy)
        ),
        None,
    )
    if alone is None:
        shortfalls.extend(
            _document_shortfalls(applicant, policy, age, counted_types, identity, residency)
        )

    carer_shortfalls, carer_documents = caretaker_check(applicant, policy, age, today)
    shortfalls.extend(carer_shortfalls)
    eligible = not shortfalls
    return EligibilityDecision(
        eligible=eligible,
        age=age,
        identity_points=identity,
        residency_points=residency,
        total_points=total,
        reasons=[] if eligible else notes + shortfalls,
        notes=notes,
        document_points=[points for points, _ in scored],
        mrz_failures=mrz_failures,
        sufficient_alone=alone,
        caretaker_documents=carer_documents,
    )


def caretaker_check(
    applicant: Applicant, policy: Policy, age: int, today: dt.date
) -> tuple[list[str], list[DocumentPoints]]:
    """Whether the applicant needs a caretaker, and whether the one who came proved who
    they are and their bond, with originals that have not expired (the same checks as
    the applicant's documents). Returns the shortfalls and what each document proved."""
    rules = policy.eligibility.caretaker
    carer = applicant.caretaker
    if carer is None:
        if policy.eligibility.min_age <= age <= rules.required_through_age:
            return [
                f"applicants aged {policy.eligibility.min_age} to {rules.required_through_age} "
                "apply with a caretaker (a parent or guardian) who brings proof"
            ], []
        return [], []
    if age >= rules.adult_from_age and not rules.adults_may_have_one:
        return ["this program does not take an adult's application with a caretaker"], []
    proved = [_caretaker_score(i, doc, policy, today) for i, doc in enumerate(carer.documents)]
    shown = {p.type for p in proved if p.counted}
    found: list[str] = [p.note for p in proved if p.note]
    if not shown & set(rules.identity_documents):
        found.append("the caretaker needs an original document that proves who they are")
    if not shown & set(rules.relationship_documents):
        found.append(
            "the caretaker needs a document that proves their relationship to the applicant"
        )
    return found, proved


def _caretaker_score(index: int, doc: Document, policy: Policy, today: dt.date) -> DocumentPoints:
    name = _spoken(policy.caretaker_document_name(doc.type) or doc.type)
    if policy.eligibility.originals_only and not doc.has_original:
        return _nothing(index, doc.type, f"the caretaker's {name} is not the original")
    kind = policy.document_type(doc.type)
    if kind is not None and kind.mrz != "none" and doc.mrz and _mrz_failure(index, doc, kind):
        return _nothing(index, doc.type, f"the caretaker's {name} fails its machine-readable check")
    if doc.expires is not None and doc.expires < today:
        return _nothing(index, doc.type, f"the caretaker's {name} has expired")
    return DocumentPoints(
        index=index, type=doc.type, identity_points=0, residency_points=0, points=0, counted=True
    )


def _document_shortfalls(
    applicant: Applicant,
    policy: Policy,
    age: int,
    counted_types: list[DocumentType],
    identity: int,
    residency: int,
) -> list[str]:
    rules = policy.eligibility
    found: list[str] = []
    identity_short = max(0, rules.min_identity_points - identity)
    residency_short = max(0, rules.min_residency_points - residency)
    if identity_short:
        found.append(f"needs {_points(identity_short)} more identity {_word(identity_short)}")
    if residency_short:
        found.append(f"needs {_points(residency_short)} more residency {_word(residency_short)}")
    # The total can ask for more than the two minimums together; say only the extra.
    total_short = rules.min_points_total - (identity + residency) - identity_short - residency_short
    if total_short > 0:
        found.append(
            f"needs {_points(total_short)} more {_word(total_short)} in all (identity or residency)"
        )
    if rules.require_photo_document and not any(kind.has_photo for kind in counted_types):
        exempt = applicant.with_caretaker and age <= rules.photo_exemption_max_age_with_caretaker
        if not exempt:
            found.append("needs a document with a photo")
    if rules.require_date_of_birth_document and not any(
        kind.has_date_of_birth for kind in counted_types
    ):
        found.append("needs a document showing date of birth")
    return found


def _score(
    index: int, doc: Document, policy: Policy, today: dt.date
) -> tuple[DocumentPoints, MrzFailure | None]:
    rules = policy.eligibility
    kind = policy.document_type(doc.type)
    if kind is None:
        return _nothing(
            index, doc.type, "this document type is not accepted and counts no points"
        ), None
    name = _spoken(kind.name)

    if rules.originals_only and not doc.has_original:
        return _nothing(
            index, kind.code, f"the {name} is not the original and counts no points"
        ), None

    if kind.mrz != "none" and doc.mrz:
        failure = _mrz_failure(index, doc, kind)
        if failure is not None:
            what = ", ".join(_CHECK_WORDS.get(c, c) for c in failure.failed_checks)
            note = (
                f"the {name}'s machine-readable zone fails its check ({what}) and counts no points"
            )
            return _nothing(index, kind.code, note), failure

    identity, residency, note = kind.identity_points, kind.residency_points, ""
    if kind.has_expiry and doc.expires is not None and doc.expires < today:
        grace = rules.expired_passport_grace_years
        within_grace = today < _add_years(doc.expires, grace)
        if kind.machine_readable_passport and within_grace:
            identity = min(identity, rules.expired_passport_identity_points)
            residency = 0
            note = (
                f"the {name} expired less than {grace} {_years(grace)} ago and counts "
                f"{_points(identity)} identity {_word(identity)} instead of {kind.identity_points}"
            )
        elif kind.machine_readable_passport:
            note = f"the {name} expired more than {grace} {_years(grace)} ago and counts no points"
            return _nothing(index, kind.code, note), None
        else:
            return _nothing(index, kind.code, f"the {name} has expired and counts no points"), None

    points = DocumentPoints(
        index=index,
        type=kind.code,
        identity_points=identity,
        residency_points=residency,
        points=identity + residency,
        counted=True,
        note=note,
    )
    return points, None


def _count_repeats_once(
    scored: list[tuple[DocumentPoints, MrzFailure | None]], documents: list[Document]
) -> list[tuple[DocumentPoints, MrzFailure | None]]:
    """The same document shown twice counts once."""
    seen: set[tuple[str, str, str]] = set()
    out: list[tuple[DocumentPoints, MrzFailure | None]] = []
    for (points, failure), doc in zip(scored, documents, strict=True):
        key = (doc.type, doc.issuing_country, _plain(doc.number))
        if key in seen and points.counted:
            points = _nothing(
                points.index, points.type, "the same document was shown twice; it counts once"
            )
        seen.add(key)
        out.append((points, failure))
    return out


_CHECK_WORDS = {
    "document_number": "document number",
    "date_of_birth": "date of birth",
    "date_of_expiry": "expiry date",
    "optional_data": "personal number",
    "composite": "overall",
    "format": "not a readable zone",
}


def _mrz_failure(index: int, doc: Document, kind: DocumentType) -> MrzFailure | None:
    assert doc.mrz is not None
    expected = None if kind.mrz == "none" else kind.mrz
    try:
        result = parse_mrz(doc.mrz, expected)
    except MrzError:
        return MrzFailure(index=index, type=kind.code, failed_checks=["format"])
    if result.valid:
        return None
    return MrzFailure(index=index, type=kind.code, failed_checks=result.failed_checks)


def _nothing(index: int, code: str, note: str) -> DocumentPoints:
    return DocumentPoints(
        index=index,
        type=code,
        identity_points=0,
        residency_points=0,
        points=0,
        counted=False,
        note=note,
    )


def _is_city_address(applicant: Applicant, policy: Policy) -> bool:
    address = applicant.address
    return (
        address.state.upper() == policy.residency.state
        and address.postal_code[:5] in policy.residency.postal_code_set
    )


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year without one
        return day.replace(year=day.year + years, day=28)


def _plain(number: str) -> str:
    return re.sub(r"[^0-9A-Z]", "", number.upper())


def _points(n: int) -> str:
    return str(n)


def _word(n: int) -> str:
    return "point" if n == 1 else "points"


def _years(n: int) -> str:
    return "year" if n == 1 else "years"


def _spoken(name: str) -> str:
    """A type name as it reads mid-sentence: "Residential lease" -> "residential lease".

    Names that start with a proper noun or an abbreviation ("New York State ...",
    "U.S. passport") keep their capitals.
    """
    words = name.split()
    first = words[0]
    if sum(c.isupper() for c in first) > 1 or "." in first:
        return name
    if len(words) > 1 and words[1][:1].isupper() and not words[1].isupper():
        return name
    return first[:1].lower() + name[1:]
