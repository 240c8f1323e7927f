"""A person's second application, differing from the first the ways people really do:
typos, nicknames, swapped day and month, a surname form, a new address, ...
"""

from __future__ import annotations

import unicodedata
from dataclasses import replace
from typing import Any

from cityid.devtools.synth.documents import residency
from cityid.devtools.synth.generator import Gen, Person
from cityid.devtools.synth.lines import applicant_line, names_shown, person_key, shown_names
from cityid.devtools.synth.names import COMMUNITIES, NICKNAMES
from cityid.devtools.synth.people import draw_address
from cityid.enrollment.applicant import age_on


def duplicate(gen: Gen, base: Person) -> dict[str, Any]:
    rng = gen.rng
    person = replace(base, extras=dict(base.extras))
    shown_given, shown_family = names_shown(base)
    options: list[tuple[str, float]] = [
        ("typo_given", 1.0),
        ("typo_family", 1.0),
        ("moved", 1.0),
    ]
    if base.given[0] in NICKNAMES:
        options.append(("nickname", 1.5))
    if base.dob.day <= 12 and base.dob.day != base.dob.month:
        options.append(("day_month_swapped", 0.8))
    options.append(("surname_form", 1.0 if len(base.family) > 1 else 0.4))
    if base.given[1] is not None and all(n is not None for _, n in base.family):
        options.append(("other_script", 0.8))
    how_many = rng.choices((1, 2, 3), (0.55, 0.35, 0.1))[0]
    chosen: list[str] = []
    for _ in range(how_many):
        pick = rng.choices([o for o, _ in options], [w for _, w in options])[0]
        if pick not in chosen:
            chosen.append(pick)
    # Whole-name changes first, so that a later typo is not overwritten.
    chosen.sort(key=_CHANGE_ORDER.index)
    applied: list[str] = []
    for change in chosen:
        done = _apply(gen, person, change, shown_given, shown_family)
        if done not in applied:
            applied.append(done)
        shown_given = person.extras.get("given_override", shown_given)
        shown_family = person.extras.get("family_override", shown_family)
    chosen = applied
    if rng.random() < 0.5:
        chosen.append("different_document")
        person.documents = person.plan.build(gen, person)
    elif "moved" in chosen:
        # Same identity documents, a residency document for the new address.
        person.documents = [
            residency(gen, person) if _is_residency_only(gen, d) else d for d in base.documents
        ]
    if person_key(person) == person_key(base):
        person.extras["family_override"] = _typo(gen, shown_names(person)[1])
        chosen.append("typo_family")
    return applicant_line(gen, person, chosen)


_CHANGE_ORDER = (
    "other_script",
    "nickname",
    "surname_form",
    "typo_given",
    "typo_family",
    "day_month_swapped",
    "moved",
)


def _is_residency_only(gen: Gen, doc: dict[str, Any]) -> bool:
    kind = gen.policy.document_type(doc["type"])
    return kind is not None and kind.category == "residency"


def _apply(gen: Gen, person: Person, change: str, given: str, family: str) -> str:
    """Make one change to the second application; return what was really changed."""
    rng = gen.rng
    if change == "typo_given":
        person.extras["given_override"] = _typo(gen, _latin_given(person, given))
    elif change == "typo_family":
        person.extras["family_override"] = _typo(gen, _latin_family(person, family))
    elif change == "nickname":
        person.extras["given_override"] = rng.choice(NICKNAMES[person.given[0]])
    elif change == "day_month_swapped":
        dob = person.dob
        swapped = dob.replace(month=dob.day, day=dob.month)
        if age_on(swapped, gen.today) == age_on(dob, gen.today):
            person.dob = swapped
        else:  # the swap would change the age, and with it the outcome the truth promises
            person.extras["given_override"] = _typo(gen, _latin_given(person, given))
            return "typo_given"
    elif change == "moved":
        person.borough, person.address = draw_address(gen)
    elif change == "surname_form":
        person.extras["family_override"] = _surname_form(gen, person)
    elif change == "other_script":
        native = not person.native
        person.extras["given_override"] = str(person.given[1] if native else person.given[0])
        person.extras["family_override"] = " ".join(
            str(n if native else latin) for latin, n in person.family
        )
    return change


def _latin_given(person: Person, shown: str) -> str:
    return person.given[0] if person.native and shown == person.given[1] else shown


def _latin_family(person: Person, shown: str) -> str:
    if person.native and shown == " ".join(str(n) for _, n in person.family):
        return " ".join(latin for latin, _ in person.family)
    return shown


def _surname_form(gen: Gen, person: Person) -> str:
    parts = [latin for latin, _ in person.family]
    rng = gen.rng
    if len(parts) > 1:
        form = rng.choice(("swapped", "hyphenated", "first_only"))
        if form == "swapped":
            return " ".join(reversed(parts))
        if form == "hyphenated":
            return "-".join(parts)
        return parts[0]
    # One surname: a married or second surname added, hyphenated.
    other = rng.choice(person.community.family_f + person.community.family_m)[0]
    if other == parts[0]:
        other = rng.choice(COMMUNITIES[0].family_m)[0]
    return f"{parts[0]}-{other}" if rng.random() < 0.5 else f"{other}-{parts[0]}"


_NEIGHBOUR_VOWELS = {"a": "e", "e": "i", "i": "y", "o": "u", "u": "o", "y": "i"}


def _typo(gen: Gen, text: str) -> str:
    """One realistic slip: letters swapped, dropped or doubled, a vowel misheard, an
    accent lost. Always returns a different string."""
    rng = gen.rng
    plain = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
    if plain != text and rng.random() < 0.4:
        return unicodedata.normalize("NFC", plain)
    for _ in range(20):
        if len(text) < 3:
            candidate = text + text[-1]
        else:
            i = rng.randint(1, len(text) - 2)
            kind = rng.choice(("swap", "drop", "double", "vowel"))
            if kind == "swap":
                candidate = text[:i] + text[i + 1] + text[i] + text[i + 2 :]
            elif kind == "drop":
                candidate = text[:i] + text[i + 1 :]
            elif kind == "double":
                candidate = text[:i] + text[i] + text[i:]
            else:
                lower = text[i].lower()
                if lower not in _NEIGHBOUR_VOWELS:
                    continue
                candidate = text[:i] + _NEIGHBOUR_VOWELS[lower] + text[i + 1 :]
        if candidate != text and candidate.strip():
            return candidate
    return text + text[-1]
