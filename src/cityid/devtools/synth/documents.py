"""Document bundles for synthetic applicants: one plan per way people really apply
(passport, licence, consular card, a minor with a birth certificate, an expired or
tampered document, ...), each with what the generator expects eligibility to say.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from cityid.devtools.synth.generator import Gen, Person, Plan
from cityid.enrollment.mrz import make_td1, make_td2, make_td3


def _doc(
    gen: Gen, person: Person, kind: str, number: str, country: str, expires: dt.date | None
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
    fmt: str, person: Person, number: str, country: str, expires: dt.date, kind: str
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


def _passport(gen: Gen, person: Person, expires: dt.date | None = None) -> dict[str, Any]:
    if expires is None:
        expires = gen.days_ahead(30, 3600)
    if person.us_born:
        return _doc(
            gen, person, "us_passport", gen.rng.choice("56") + gen.digits(8), "USA", expires
        )
    number = gen.letters(1) + gen.digits(8)
    return _doc(gen, person, "foreign_passport", number, person.country, expires)


def residency(gen: Gen, person: Person) -> dict[str, Any]:
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


def _uscis_number(gen: Gen) -> str:
    return gen.rng.choice(("IOE", "SRC", "LIN", "EAC", "WAC", "MSC")) + gen.digits(10)


def _plan_passport(gen: Gen, p: Person) -> list[dict[str, Any]]:
    return [_passport(gen, p), residency(gen, p)]


def _plan_licence(gen: Gen, p: Person) -> list[dict[str, Any]]:
    kind = "nys_driver_license" if gen.rng.random() < 0.7 else "nys_dmv_id"
    return [_doc(gen, p, kind, gen.digits(9), "USA", gen.days_ahead(30, 2900))]


def _plan_consular(gen: Gen, p: Person) -> list[dict[str, Any]]:
    consular = gen.letters(2) + gen.digits(8)
    birth = gen.digits(6) + "-" + gen.digits(4)
    return [
        _doc(gen, p, "consular_id", consular, p.country, gen.days_ahead(60, 1800)),
        _doc(gen, p, "foreign_birth_certificate", birth, p.country, None),
        residency(gen, p),
    ]


def _plan_green_card(gen: Gen, p: Person) -> list[dict[str, Any]]:
    expires = gen.days_ahead(60, 3600)
    return [
        _doc(gen, p, "permanent_resident_card", _uscis_number(gen), "USA", expires),
        residency(gen, p),
    ]


def _plan_work_permit(gen: Gen, p: Person) -> list[dict[str, Any]]:
    expires = gen.days_ahead(30, 700)
    return [
        _doc(gen, p, "employment_authorization", _uscis_number(gen), "USA", expires),
        residency(gen, p),
    ]


def _plan_national_id(gen: Gen, p: Person) -> list[dict[str, Any]]:
    return [
        _doc(gen, p, "foreign_national_id", gen.digits(10), p.country, gen.days_ahead(60, 2500)),
        _doc(gen, p, "foreign_drivers_license", gen.letters(1) + gen.digits(7), p.country,
             gen.days_ahead(60, 1800)),
        residency(gen, p),
    ]  # fmt: skip


def _expired_by(gen: Gen, low_days: int, high_days: int) -> dt.date:
    return gen.today - dt.timedelta(days=gen.rng.randint(low_days, high_days))


def _plan_expired_recent(gen: Gen, p: Person) -> list[dict[str, Any]]:
    grace_days = gen.policy.eligibility.expired_passport_grace_years * 365
    return [
        _passport(gen, p, _expired_by(gen, 10, max(10, grace_days - 30))),
        _doc(gen, p, "foreign_drivers_license", gen.letters(1) + gen.digits(7), p.country,
             gen.days_ahead(60, 1800)),
        residency(gen, p),
    ]  # fmt: skip


def _plan_minor(gen: Gen, p: Person) -> list[dict[str, Any]]:
    kind = "us_birth_certificate" if p.us_born else "foreign_birth_certificate"
    country = "USA" if p.us_born else p.country
    number = gen.digits(3) + "-" + gen.digits(2) + "-" + gen.digits(6)
    return [
        _doc(gen, p, kind, number, country, None),
        _doc(gen, p, "school_id", "OSIS" + gen.digits(9), "USA", gen.days_ahead(30, 600)),
        residency(gen, p),
    ]  # fmt: skip


def _plan_birth_certificate_only(gen: Gen, p: Person) -> list[dict[str, Any]]:
    return [
        _doc(gen, p, "foreign_birth_certificate", gen.digits(8), p.country, None),
        residency(gen, p),
    ]


def _plan_expired_old(gen: Gen, p: Person) -> list[dict[str, Any]]:
    grace_days = gen.policy.eligibility.expired_passport_grace_years * 365
    return [
        _passport(gen, p, _expired_by(gen, grace_days + 30, grace_days + 2000)),
        residency(gen, p),
    ]


def _plan_bad_mrz(gen: Gen, p: Person) -> list[dict[str, Any]]:
    passport = _passport(gen, p)
    passport["mrz"] = _break_check_digit(gen, passport["mrz"])
    return [passport, residency(gen, p)]


def _plan_no_residency(gen: Gen, p: Person) -> list[dict[str, Any]]:
    return [_passport(gen, p)]


def _plan_photocopy(gen: Gen, p: Person) -> list[dict[str, Any]]:
    passport = _passport(gen, p)
    passport["has_original"] = False
    return [passport, residency(gen, p)]


def _break_check_digit(gen: Gen, mrz: str) -> str:
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
