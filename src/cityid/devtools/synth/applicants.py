"""`cityid synth applicants`: realistic synthetic applicant lines, deterministic per seed.

Lines follow INTERFACE.md ("Applicant lines") and parse with `parse_applicant_line`.
Every line carries `truth`: `person_id` (duplicates share it), `expect_eligible` (what
the generator meant: most are eligible, a few are not, each for one reason), `plan`
(which document bundle), and for a duplicate, `changes` (how it differs from the
person's first line: typos, nicknames, swapped day and month, a new address, ...).
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import json
import random
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from cityid.devtools.synth.names import COMMUNITIES, NICKNAMES, Community, Name
from cityid.enrollment.applicant import age_on
from cityid.enrollment.mrz import make_td1, make_td2, make_td3
from cityid.errors import BadInput
from cityid.policy.model import Policy

# --- places -----------------------------------------------------------------------------

# Borough by the first three digits of a postal code; share of the city's population.
BOROUGHS: dict[str, tuple[tuple[str, ...], float]] = {
    "Manhattan": (("100", "101", "102"), 0.19),
    "Staten Island": (("103",), 0.06),
    "Bronx": (("104",), 0.17),
    "Brooklyn": (("112",), 0.31),
    "Queens": (("110", "111", "113", "114", "116"), 0.27),
}
_QUEENS_TOWNS = {
    "110": "Floral Park",
    "111": "Long Island City",
    "113": "Flushing",
    "114": "Jamaica",
    "116": "Far Rockaway",
}
STREETS: dict[str, tuple[str, ...]] = {
    "Manhattan": (
        "Broadway", "Amsterdam Ave", "Lexington Ave", "Madison Ave", "St Nicholas Ave",
        "Avenue B", "Canal St", "Dyckman St", "Lenox Ave", "Convent Ave", "Delancey St",
        "Mott St", "Grand St", "Fort Washington Ave", "Frederick Douglass Blvd", "1st Ave",
        "2nd Ave", "3rd Ave", "E {n} St", "W {n} St",
    ),
    "Brooklyn": (
        "Flatbush Ave", "Atlantic Ave", "Eastern Pkwy", "Ocean Pkwy", "Nostrand Ave",
        "Bedford Ave", "Kings Hwy", "Church Ave", "Brighton Beach Ave", "Myrtle Ave",
        "Fulton St", "Coney Island Ave", "Avenue J", "Avenue U", "Utica Ave", "Linden Blvd",
        "{n} St", "E {n} St", "Bay Pkwy", "Lee Ave",
    ),
    "Queens": (
        "Roosevelt Ave", "Northern Blvd", "Queens Blvd", "Main St", "Jamaica Ave",
        "Hillside Ave", "Steinway St", "Ditmars Blvd", "Kissena Blvd", "Liberty Ave",
        "{n} St", "{n} Ave", "{n} Rd", "{n} Dr", "Junction Blvd", "Parsons Blvd",
    ),
    "Bronx": (
        "Grand Concourse", "Fordham Rd", "Jerome Ave", "Webster Ave", "Southern Blvd",
        "E Tremont Ave", "Westchester Ave", "Boston Rd", "University Ave", "Sedgwick Ave",
        "Morris Ave", "Gun Hill Rd", "E {n} St", "White Plains Rd",
    ),
    "Staten Island": (
        "Victory Blvd", "Richmond Ave", "Forest Ave", "Hylan Blvd", "Bay St", "Richmond Rd",
        "Castleton Ave", "Port Richmond Ave", "Targee St", "Amboy Rd",
    ),
}  # fmt: skip
_GENERIC_STREETS = ("Main St", "Oak Ave", "Park Ave", "Church St", "{n} St", "{n} Ave")
CENTRES = {
    "Manhattan": ("manhattan-1", "manhattan-2", "manhattan-3"),
    "Brooklyn": ("brooklyn-1", "brooklyn-2", "brooklyn-3"),
    "Queens": ("queens-1", "queens-2", "queens-3"),
    "Bronx": ("bronx-1", "bronx-2"),
    "Staten Island": ("staten-island-1",),
}

# --- document bundles -------------------------------------------------------------------


@dataclass(frozen=True)
class Plan:
    """A bundle of documents an applicant brings, and whether it was meant to pass."""

    key: str
    weight: float
    eligible: bool
    ages: tuple[int, int]
    needs_us_born: bool | None  # True: US-born only; False: foreign-born only
    build: Callable[[_Gen, _Person], list[dict[str, Any]]]


@dataclass
class _Person:
    person_id: str
    community: Community
    gender: str | None
    given: Name
    family: tuple[Name, ...]
    native: bool
    dob: dt.date
    country: str
    us_born: bool
    address: dict[str, str]
    borough: str
    language: str
    plan: Plan
    documents: list[dict[str, Any]] = field(default_factory=list)
    extras: dict[str, Any] = field(default_factory=dict)


class _Gen:
    """One generator run's state: the rng, the policy's places, image caches."""

    def __init__(self, policy: Policy, today: dt.date, seed: int, with_documents: bool) -> None:
        self.policy = policy
        self.today = today
        self.rng = random.Random(seed)  # noqa: S311 (test data must repeat per seed)
        self.with_documents = with_documents
        self.codes_by_borough: dict[str, list[str]] = {}
        for code in policy.residency.postal_codes:
            borough = next((b for b, (pre, _) in BOROUGHS.items() if code[:3] in pre), "")
            self.codes_by_borough.setdefault(borough, []).append(code)
        self.boroughs = [b for b in BOROUGHS if b in self.codes_by_borough] or [""]
        self.borough_weights = [BOROUGHS[b][1] if b else 1.0 for b in self.boroughs]
        self.community_weights = [c.weight for c in COMMUNITIES]
        self.avatars: dict[int, str] = {}

    def pick(self, weighted: tuple[tuple[str, float], ...]) -> str:
        return self.rng.choices([k for k, _ in weighted], [w for _, w in weighted])[0]

    def digits(self, n: int) -> str:
        return "".join(self.rng.choice("0123456789") for _ in range(n))

    def letters(self, n: int) -> str:
        return "".join(self.rng.choice("ABCDEFGHJKLMNPRSTUVWXYZ") for _ in range(n))

    def days_ahead(self, low: int, high: int) -> dt.date:
        return self.today + dt.timedelta(days=self.rng.randint(low, high))


def _doc(
    gen: _Gen, person: _Person, kind: str, number: str, country: str, expires: dt.date | None
) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "type": kind,
        "number": number,
        "issuing_country": country,
        "expires": expires.isoformat() if expires else None,
        "has_original": True,
    }
    doc_type = gen.policy.document_type(kind)
    if doc_type is not None and doc_type.mrz != "none" and expires is not None:
        doc["mrz"] = _mrz_for(doc_type.mrz, person, number, country, expires, kind)
    return doc


def _mrz_for(
    fmt: str, person: _Person, number: str, country: str, expires: dt.date, kind: str
) -> str:
    # The zone always carries the Latin spelling, as real documents do.
    fields: dict[str, Any] = {
        "document_number": number,
        "issuing_state": country,
        "nationality": person.country,
        "surname": " ".join(name for name, _ in person.family),
        "given_names": person.given[0],
        "date_of_birth": person.dob,
        "sex": person.gender,
        "date_of_expiry": expires,
    }
    if fmt == "td3":
        return make_td3(**fields)
    if fmt == "td2":
        return make_td2(**fields)
    code = "C1" if kind == "permanent_resident_card" else "C"
    return make_td1(document_code=code, **fields)


def _passport(gen: _Gen, person: _Person, expires: dt.date | None = None) -> dict[str, Any]:
    if expires is None:
        expires = gen.days_ahead(30, 3600)
    if person.us_born:
        return _doc(
            gen, person, "us_passport", gen.rng.choice("56") + gen.digits(8), "USA", expires
        )
    number = gen.letters(1) + gen.digits(8)
    return _doc(gen, person, "foreign_passport", number, person.country, expires)


def _residency(gen: _Gen, person: _Person) -> dict[str, Any]:
    kind = gen.pick(
        (
            ("utility_bill", 0.35),
            ("residential_lease", 0.2),
            ("bank_statement", 0.15),
            ("pay_stub", 0.15),
            ("jury_summons", 0.05),
            ("shelter_letter", 0.1),
        )
    )
    if kind == "residential_lease":
        return _doc(gen, person, kind, "L" + gen.digits(7), "USA", gen.days_ahead(30, 700))
    number = {
        "utility_bill": lambda: gen.digits(12),
        "bank_statement": lambda: gen.digits(10),
        "pay_stub": lambda: "PS" + gen.digits(8),
        "jury_summons": lambda: gen.digits(9),
        "shelter_letter": lambda: "DHS-" + gen.digits(7),
    }[kind]()
    return _doc(gen, person, kind, number, "USA", None)


def _uscis_number(gen: _Gen) -> str:
    return gen.rng.choice(("IOE", "SRC", "LIN", "EAC", "WAC", "MSC")) + gen.digits(10)


def _plan_passport(gen: _Gen, p: _Person) -> list[dict[str, Any]]:
    return [_passport(gen, p), _residency(gen, p)]


def _plan_licence(gen: _Gen, p: _Person) -> list[dict[str, Any]]:
    kind = "nys_driver_license" if gen.rng.random() < 0.7 else "nys_dmv_id"
    return [_doc(gen, p, kind, gen.digits(9), "USA", gen.days_ahead(30, 2900))]


def _plan_consular(gen: _Gen, p: _Person) -> list[dict[str, Any]]:
    consular = gen.letters(2) + gen.digits(8)
    birth = gen.digits(6) + "-" + gen.digits(4)
    return [
        _doc(gen, p, "consular_id", consular, p.country, gen.days_ahead(60, 1800)),
        _doc(gen, p, "foreign_birth_certificate", birth, p.country, None),
        _residency(gen, p),
    ]


def _plan_green_card(gen: _Gen, p: _Person) -> list[dict[str, Any]]:
    expires = gen.days_ahead(60, 3600)
    return [
        _doc(gen, p, "permanent_resident_card", _uscis_number(gen), "USA", expires),
        _residency(gen, p),
    ]


def _plan_work_permit(gen: _Gen, p: _Person) -> list[dict[str, Any]]:
    expires = gen.days_ahead(30, 700)
    return [
        _doc(gen, p, "employment_authorization", _uscis_number(gen), "USA", expires),
        _residency(gen, p),
    ]


def _plan_national_id(gen: _Gen, p: _Person) -> list[dict[str, Any]]:
    return [
        _doc(gen, p, "foreign_national_id", gen.digits(10), p.country, gen.days_ahead(60, 2500)),
        _doc(gen, p, "foreign_drivers_license", gen.letters(1) + gen.digits(7), p.country,
             gen.days_ahead(60, 1800)),
        _residency(gen, p),
    ]  # fmt: skip


def _expired_by(gen: _Gen, low_days: int, high_days: int) -> dt.date:
    return gen.today - dt.timedelta(days=gen.rng.randint(low_days, high_days))


def _plan_expired_recent(gen: _Gen, p: _Person) -> list[dict[str, Any]]:
    grace_days = gen.policy.eligibility.expired_passport_grace_years * 365
    return [
        _passport(gen, p, _expired_by(gen, 10, max(10, grace_days - 30))),
        _doc(gen, p, "foreign_drivers_license", gen.letters(1) + gen.digits(7), p.country,
             gen.days_ahead(60, 1800)),
        _residency(gen, p),
    ]  # fmt: skip


def _plan_minor(gen: _Gen, p: _Person) -> list[dict[str, Any]]:
    kind = "us_birth_certificate" if p.us_born else "foreign_birth_certificate"
    country = "USA" if p.us_born else p.country
    number = gen.digits(3) + "-" + gen.digits(2) + "-" + gen.digits(6)
    return [
        _doc(gen, p, kind, number, country, None),
        _doc(gen, p, "school_id", "OSIS" + gen.digits(9), "USA", gen.days_ahead(30, 600)),
        _residency(gen, p),
    ]  # fmt: skip


def _plan_birth_certificate_only(gen: _Gen, p: _Person) -> list[dict[str, Any]]:
    return [
        _doc(gen, p, "foreign_birth_certificate", gen.digits(8), p.country, None),
        _residency(gen, p),
    ]


def _plan_expired_old(gen: _Gen, p: _Person) -> list[dict[str, Any]]:
    grace_days = gen.policy.eligibility.expired_passport_grace_years * 365
    return [
        _passport(gen, p, _expired_by(gen, grace_days + 30, grace_days + 2000)),
        _residency(gen, p),
    ]


def _plan_bad_mrz(gen: _Gen, p: _Person) -> list[dict[str, Any]]:
    passport = _passport(gen, p)
    passport["mrz"] = _break_check_digit(gen, passport["mrz"])
    return [passport, _residency(gen, p)]


def _plan_no_residency(gen: _Gen, p: _Person) -> list[dict[str, Any]]:
    return [_passport(gen, p)]


def _plan_photocopy(gen: _Gen, p: _Person) -> list[dict[str, Any]]:
    passport = _passport(gen, p)
    passport["has_original"] = False
    return [passport, _residency(gen, p)]


def _break_check_digit(gen: _Gen, mrz: str) -> str:
    """Change the document number's check digit: what a forger who edits the number does."""
    first, second = mrz.split("\n")
    wrong = str((int(second[9]) + gen.rng.randint(1, 9)) % 10)
    return first + "\n" + second[:9] + wrong + second[10:]


ADULT = (18, 89)
PLANS: tuple[Plan, ...] = (
    Plan("passport_and_residency", 34, True, ADULT, None, _plan_passport),
    Plan("nys_licence", 14, True, (17, 85), None, _plan_licence),
    Plan("consular_and_birth_certificate", 10, True, ADULT, False, _plan_consular),
    Plan("green_card", 9, True, ADULT, False, _plan_green_card),
    Plan("work_permit", 6, True, (18, 65), False, _plan_work_permit),
    Plan("national_id_and_licence", 8, True, ADULT, False, _plan_national_id),
    Plan("recently_expired_passport", 4, True, ADULT, False, _plan_expired_recent),
    Plan("minor_with_caretaker", 5, True, (10, 17), None, _plan_minor),
    # A few who cannot have a card today, each for one reason.
    Plan("birth_certificate_only", 1.5, False, ADULT, False, _plan_birth_certificate_only),
    Plan("long_expired_passport", 1.5, False, ADULT, None, _plan_expired_old),
    Plan("bad_mrz", 0.8, False, ADULT, None, _plan_bad_mrz),
    Plan("no_residency_document", 1.2, False, ADULT, None, _plan_no_residency),
    Plan("photocopy", 0.5, False, ADULT, None, _plan_photocopy),
    Plan("too_young", 0.5, False, (5, 8), None, _plan_minor),
)

# --- people -----------------------------------------------------------------------------


def _new_person(gen: _Gen, number: int) -> _Person:
    rng = gen.rng
    community = rng.choices(COMMUNITIES, gen.community_weights)[0]
    us_born = rng.random() < community.us_born_share
    plan = _choose_plan(gen, us_born)
    gender = rng.choices(("F", "M", "X", None), (0.49, 0.48, 0.01, 0.02))[0]
    pool_female = gender == "F" or (gender in ("X", None) and rng.random() < 0.5)
    given = rng.choice(community.given_f if pool_female else community.given_m)
    families = community.family_f if pool_female else community.family_m
    family: tuple[Name, ...] = (rng.choice(families),)
    if rng.random() < community.double_surname_share:
        second = rng.choice(families)
        if second != family[0]:
            family = (family[0], second)
    native = (
        rng.random() < community.native_share
        and given[1] is not None
        and all(part[1] is not None for part in family)
    )
    borough, address = _address(gen)
    person = _Person(
        person_id=f"P{number:07d}",
        community=community,
        gender=gender,
        given=given,
        family=family,
        native=native,
        dob=_dob(gen, *plan.ages),
        country="USA" if us_born else rng.choice(community.countries),
        us_born=us_born,
        address=address,
        borough=borough,
        language=gen.pick(community.languages),
        plan=plan,
    )
    if person.language not in gen.policy.card.languages:
        person.language = gen.policy.card.languages[0]
    person.documents = plan.build(gen, person)
    person.extras = _extras(gen, person)
    return person


def _choose_plan(gen: _Gen, us_born: bool) -> Plan:
    fitting = [p for p in PLANS if p.needs_us_born is None or p.needs_us_born == us_born]
    return gen.rng.choices(fitting, [p.weight for p in fitting])[0]


# Adult applicants are mostly of working age.
_AGE_BANDS = ((18, 29, 0.25), (30, 44, 0.32), (45, 59, 0.25), (60, 74, 0.13), (75, 89, 0.05))


def _age(gen: _Gen, youngest: int, oldest: int) -> int:
    bands = [(max(lo, youngest), min(hi, oldest), w) for lo, hi, w in _AGE_BANDS]
    bands = [(lo, hi, w) for lo, hi, w in bands if lo <= hi]
    if not bands or youngest < 18:
        return gen.rng.randint(youngest, oldest)
    lo, hi, _ = gen.rng.choices(bands, [w for _, _, w in bands])[0]
    return gen.rng.randint(lo, hi)


def _dob(gen: _Gen, youngest: int, oldest: int) -> dt.date:
    age = _age(gen, youngest, oldest)
    # A birthday somewhere in the year of life `age`, then checked exactly.
    born = gen.today - dt.timedelta(days=int(age * 365.25) + gen.rng.randint(1, 360))
    while age_on(born, gen.today) > age:
        born += dt.timedelta(days=1)
    while age_on(born, gen.today) < age:
        born -= dt.timedelta(days=1)
    return born


def _address(gen: _Gen) -> tuple[str, dict[str, str]]:
    rng = gen.rng
    borough = rng.choices(gen.boroughs, gen.borough_weights)[0]
    postal_code = rng.choice(gen.codes_by_borough[borough])
    street = rng.choice(STREETS.get(borough, _GENERIC_STREETS))
    if "{n}" in street:
        street = street.replace("{n}", _ordinal(rng.randint(1, 240)))
    if borough == "Queens" and rng.random() < 0.6:
        number = f"{rng.randint(10, 250)}-{rng.randint(1, 99):02d}"
    else:
        number = str(rng.randint(1, 2999))
    line2 = ""
    if rng.random() < 0.55:
        unit = f"{rng.randint(1, 25)}{rng.choice('ABCDEFGH')}"
        line2 = rng.choice(("Apt {u}", "Apt {u}", "#{u}", "Unit {u}", "Fl {f}")).format(
            u=unit, f=rng.randint(1, 6)
        )
    if borough == "Queens":
        city = _QUEENS_TOWNS.get(postal_code[:3], "Queens")
    elif borough == "Manhattan" or not borough:
        city = gen.policy.residency.city_name
    else:
        city = borough
    address = {
        "line1": f"{number} {street}",
        "line2": line2,
        "city": city,
        "state": gen.policy.residency.state,
        "postal_code": postal_code,
    }
    return borough, address


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _extras(gen: _Gen, person: _Person) -> dict[str, Any]:
    rng = gen.rng
    age = age_on(person.dob, gen.today)
    extras: dict[str, Any] = {
        "veteran": age >= 21 and rng.random() < 0.02,
        "organ_donor": age >= 18 and rng.random() < 0.25,
        "caretaker_present": age <= 17,
        "centre": rng.choice(CENTRES.get(person.borough, ("centre-1",))),
    }
    if rng.random() < 0.35:
        community = person.community
        other_given = rng.choice(community.given_f + community.given_m)[0]
        extras["emergency_contact"] = {
            "name": f"{other_given} {person.family[0][0]}",
            "phone": f"+1 {rng.choice(('212', '718', '347', '646', '917', '929'))} "
            f"555 01{rng.randint(0, 99):02d}",
            "relationship": rng.choice(("spouse", "parent", "sibling", "child", "friend")),
        }
    return extras


# --- lines ------------------------------------------------------------------------------


def _names_shown(person: _Person) -> tuple[str, str]:
    if person.native:
        return str(person.given[1]), " ".join(str(native) for _, native in person.family)
    return person.given[0], " ".join(latin for latin, _ in person.family)


def _line(gen: _Gen, person: _Person, changes: list[str] | None = None) -> dict[str, Any]:
    given, family = _shown(person)
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
    if gen.with_documents:
        line["photo"] = _avatar(gen, person)
        for doc in line["documents"]:
            doc["copy_b64"] = _document_scan(doc)
    truth: dict[str, Any] = {
        "person_id": person.person_id,
        "expect_eligible": person.plan.eligible,
        "plan": person.plan.key,
    }
    if changes is not None:
        truth["changes"] = changes
    line["truth"] = truth
    return line


def _shown(person: _Person) -> tuple[str, str]:
    given, family = _names_shown(person)
    return (
        person.extras.get("given_override", given),
        person.extras.get("family_override", family),
    )


def _key(person: _Person) -> tuple[str, ...]:
    address = person.address
    return (
        *_shown(person),
        person.dob.isoformat(),
        address["line1"],
        address["line2"],
        address["postal_code"],
    )


# --- duplicates: one person, a second application -------------------------------------


def _duplicate(gen: _Gen, base: _Person) -> dict[str, Any]:
    rng = gen.rng
    person = replace(base, extras=dict(base.extras))
    shown_given, shown_family = _names_shown(base)
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
            _residency(gen, person) if _is_residency_only(gen, d) else d for d in base.documents
        ]
    if _key(person) == _key(base):
        person.extras["family_override"] = _typo(gen, _shown(person)[1])
        chosen.append("typo_family")
    return _line(gen, person, chosen)


_CHANGE_ORDER = (
    "other_script",
    "nickname",
    "surname_form",
    "typo_given",
    "typo_family",
    "day_month_swapped",
    "moved",
)


def _is_residency_only(gen: _Gen, doc: dict[str, Any]) -> bool:
    kind = gen.policy.document_type(doc["type"])
    return kind is not None and kind.category == "residency"


def _apply(gen: _Gen, person: _Person, change: str, given: str, family: str) -> str:
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
        person.borough, person.address = _address(gen)
    elif change == "surname_form":
        person.extras["family_override"] = _surname_form(gen, person)
    elif change == "other_script":
        native = not person.native
        person.extras["given_override"] = str(person.given[1] if native else person.given[0])
        person.extras["family_override"] = " ".join(
            str(n if native else latin) for latin, n in person.family
        )
    return change


def _latin_given(person: _Person, shown: str) -> str:
    return person.given[0] if person.native and shown == person.given[1] else shown


def _latin_family(person: _Person, shown: str) -> str:
    if person.native and shown == " ".join(str(n) for _, n in person.family):
        return " ".join(latin for latin, _ in person.family)
    return shown


def _surname_form(gen: _Gen, person: _Person) -> str:
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


def _typo(gen: _Gen, text: str) -> str:
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


# --- images (only with --documents) -----------------------------------------------------


def _avatar(gen: _Gen, person: _Person) -> str:
    """A plain avatar JPEG, base64: enough for the photo pipeline, nobody's face."""
    variant = int(person.person_id[1:]) % 12
    if variant not in gen.avatars:
        from PIL import Image, ImageDraw

        local = random.Random(variant)  # noqa: S311
        background = tuple(local.randint(150, 235) for _ in range(3))
        skin = local.choice(((241, 194, 125), (224, 172, 105), (198, 134, 66), (141, 85, 36)))
        image = Image.new("RGB", (240, 300), background)
        draw = ImageDraw.Draw(image)
        draw.ellipse((70, 50, 170, 170), fill=skin)
        draw.ellipse((30, 180, 210, 360), fill=tuple(local.randint(20, 120) for _ in range(3)))
        out = io.BytesIO()
        image.save(out, format="JPEG", quality=70)
        gen.avatars[variant] = base64.b64encode(out.getvalue()).decode("ascii")
    return gen.avatars[variant]


def _document_scan(doc: dict[str, Any]) -> str:
    """A small synthetic scan of a document (PNG, a few KB), base64."""
    from PIL import Image, ImageDraw

    image = Image.new("L", (320, 200), 245)
    draw = ImageDraw.Draw(image)
    draw.rectangle((4, 4, 315, 195), outline=60, width=3)
    draw.rectangle((4, 4, 315, 40), fill=90)
    draw.text((14, 16), str(doc["type"]).replace("_", " ").upper(), fill=255)
    draw.text((14, 60), f"No. {doc['number']}", fill=20)
    draw.text((14, 80), f"Country {doc['issuing_country']}", fill=20)
    draw.text((14, 100), f"Expires {doc['expires'] or '-'}", fill=20)
    draw.text((14, 170), "SYNTHETIC - NOT A REAL DOCUMENT", fill=120)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return base64.b64encode(out.getvalue()).decode("ascii")


# --- public API -------------------------------------------------------------------------


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
    gen = _Gen(policy, today or dt.date.today(), seed, with_documents)
    duplicates = min(round(count * duplicate_rate), max(count - 1, 0))
    duplicate_at = set(gen.rng.sample(range(1, count), duplicates)) if duplicates else set()
    people: list[_Person] = []
    for index in range(count):
        if index in duplicate_at:
            yield _duplicate(gen, gen.rng.choice(people))
        else:
            person = _new_person(gen, len(people) + 1)
            people.append(person)
            yield _line(gen, person)


def write_jsonl(
    path: Path | str,
    count: int,
    duplicate_rate: float = 0.0,
    seed: int = 0,
    with_documents: bool = False,
    policy: Policy | None = None,
    today: dt.date | None = None,
) -> int:
    """Write the lines to `path` (UTF-8, one JSON object a line); return how many."""
    written = 0
    with Path(path).open("w", encoding="utf-8") as out:
        for line in generate_applicants(count, duplicate_rate, seed, with_documents, policy, today):
            out.write(json.dumps(line, ensure_ascii=False, separators=(",", ":")))
            out.write("\n")
            written += 1
    return written
