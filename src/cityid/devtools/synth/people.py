"""A synthetic person: name by community, date of birth by age band, an address, a
document plan, and the optional extras an applicant line may carry.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from cityid.devtools.synth.documents import PLANS
from cityid.devtools.synth.generator import Gen, Person, Plan
from cityid.devtools.synth.names import COMMUNITIES, Name
from cityid.devtools.synth.places import CENTRES, GENERIC_STREETS, QUEENS_TOWNS, STREETS
from cityid.enrollment.applicant import age_on


def new_person(gen: Gen, number: int) -> Person:
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
    borough, address = draw_address(gen)
    person = Person(
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


def _choose_plan(gen: Gen, us_born: bool) -> Plan:
    fitting = [p for p in PLANS if p.needs_us_born is None or p.needs_us_born == us_born]
    return gen.rng.choices(fitting, [p.weight for p in fitting])[0]


# Adult applicants are mostly of working age.
_AGE_BANDS = ((18, 29, 0.25), (30, 44, 0.32), (45, 59, 0.25), (60, 74, 0.13), (75, 89, 0.05))


def _age(gen: Gen, youngest: int, oldest: int) -> int:
    bands = [(max(lo, youngest), min(hi, oldest), w) for lo, hi, w in _AGE_BANDS]
    bands = [(lo, hi, w) for lo, hi, w in bands if lo <= hi]
    if not bands or youngest < 18:
        return gen.rng.randint(youngest, oldest)
    lo, hi, _ = gen.rng.choices(bands, [w for _, _, w in bands])[0]
    return gen.rng.randint(lo, hi)


def _dob(gen: Gen, youngest: int, oldest: int) -> dt.date:
    age = _age(gen, youngest, oldest)
    # A birthday somewhere in the year of life `age`, then checked exactly.
    born = gen.today - dt.timedelta(days=int(age * 365.25) + gen.rng.randint(1, 360))
    while age_on(born, gen.today) > age:
        born += dt.timedelta(days=1)
    while age_on(born, gen.today) < age:
        born -= dt.timedelta(days=1)
    return born


def draw_address(gen: Gen) -> tuple[str, dict[str, str]]:
    rng = gen.rng
    borough = rng.choices(gen.boroughs, gen.borough_weights)[0]
    postal_code = rng.choice(gen.codes_by_borough[borough])
    street = rng.choice(STREETS.get(borough, GENERIC_STREETS))
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
        city = QUEENS_TOWNS.get(postal_code[:3], "Queens")
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


def _extras(gen: Gen, person: Person) -> dict[str, Any]:
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
