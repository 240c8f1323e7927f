"""ICAO 9303 zones against the specimen documents printed in the standard."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cityid.enrollment.mrz import (
    MrzError,
    char_value,
    check_digit,
    make_td1,
    make_td2,
    make_td3,
    mrz_date,
    parse_mrz,
)

# ICAO Doc 9303 part 4, appendix: the specimen passport of Anna Maria Eriksson, Utopia.
TD3_SPECIMEN = (
    "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10"
)
# ICAO Doc 9303 part 5, appendix: the specimen TD1 identity card.
TD1_SPECIMEN = (
    "I<UTOD231458907<<<<<<<<<<<<<<<\n7408122F1204159UTO<<<<<<<<<<<6\nERIKSSON<<ANNA<MARIA<<<<<<<<<<"
)


@pytest.mark.parametrize(
    ("field", "digit"),
    [
        ("L898902C3", "6"),
        ("740812", "2"),
        ("120415", "9"),
        ("ZE184226B<<<<<", "1"),
        ("D23145890", "7"),
        ("L898902C3674081221204159ZE184226B<<<<<1", "0"),  # the TD3 composite
    ],
)
def test_check_digits_of_the_specimens(field: str, digit: str) -> None:
    assert check_digit(field) == digit


def test_character_values() -> None:
    assert [char_value(c) for c in "<09AZ"] == [0, 0, 9, 10, 35]
    with pytest.raises(MrzError):
        char_value("a")


def test_td3_specimen_parses_and_validates() -> None:
    result = parse_mrz(TD3_SPECIMEN)
    assert result.valid and result.failed_checks == []
    assert result.format == "td3"
    assert (result.document_code, result.issuing_state, result.nationality) == ("P", "UTO", "UTO")
    assert (result.surname, result.given_names) == ("ERIKSSON", "ANNA MARIA")
    assert result.document_number == "L898902C3"
    assert (result.date_of_birth, result.sex, result.date_of_expiry) == ("740812", "F", "120415")
    assert result.optional_data == "ZE184226B"


def test_td1_specimen_parses_and_validates() -> None:
    result = parse_mrz(TD1_SPECIMEN)
    assert result.valid
    assert result.format == "td1"
    assert result.document_number == "D23145890"
    assert (result.surname, result.given_names) == ("ERIKSSON", "ANNA MARIA")
    assert [c.name for c in result.checks] == [
        "document_number",
        "date_of_birth",
        "date_of_expiry",
        "composite",
    ]


def _replace(text: str, line: int, pos: int, char: str) -> str:
    lines = text.split("\n")
    lines[line] = lines[line][:pos] + char + lines[line][pos + 1 :]
    return "\n".join(lines)


def test_changed_document_number_fails_its_digit_and_the_composite() -> None:
    forged = _replace(TD3_SPECIMEN, 1, 0, "M")  # L898902C3 -> M898902C3
    assert parse_mrz(forged).failed_checks == ["document_number", "composite"]


def test_changed_birth_date_is_named() -> None:
    forged = _replace(TD1_SPECIMEN, 1, 1, "5")  # 740812 -> 750812
    assert parse_mrz(forged).failed_checks == ["date_of_birth", "composite"]


def test_changed_composite_digit_alone() -> None:
    assert parse_mrz(_replace(TD3_SPECIMEN, 1, 43, "9")).failed_checks == ["composite"]
    assert parse_mrz(_replace(TD1_SPECIMEN, 1, 29, "1")).failed_checks == ["composite"]


def test_changed_expiry_check_digit() -> None:
    assert "date_of_expiry" in parse_mrz(_replace(TD3_SPECIMEN, 1, 27, "0")).failed_checks


@pytest.mark.parametrize(
    "text",
    [
        "",
        "P<UTOERIKSSON<<ANNA",
        TD3_SPECIMEN.lower(),
        TD3_SPECIMEN.replace("<<10", "<<1"),
        TD3_SPECIMEN + "\nEXTRA",
    ],
)
def test_text_that_is_not_a_zone_is_refused(text: str) -> None:
    with pytest.raises(MrzError) as err:
        parse_mrz(text)
    assert "ERIKSSON" not in err.value.message


def test_expected_format_is_enforced() -> None:
    with pytest.raises(MrzError):
        parse_mrz(TD1_SPECIMEN, "td3")


def test_stray_spaces_from_ocr_are_tolerated() -> None:
    assert parse_mrz("  " + TD3_SPECIMEN.replace("\n", " \n ") + "\n").valid


def test_generation_reproduces_the_specimens() -> None:
    common: dict[str, Any] = {
        "issuing_state": "UTO",
        "nationality": "UTO",
        "surname": "Eriksson",
        "given_names": "Anna Maria",
        "date_of_birth": dt.date(1974, 8, 12),
        "sex": "F",
        "date_of_expiry": dt.date(2012, 4, 15),
    }
    assert make_td3(document_number="L898902C3", personal_number="ZE184226B", **common) == (
        TD3_SPECIMEN
    )
    assert make_td1(document_number="D23145890", **common) == TD1_SPECIMEN


def test_long_td1_number_overflows_into_optional_data() -> None:
    zone = make_td1(
        document_number="IOE0123456789", issuing_state="USA", nationality="MEX",
        surname="García", given_names="José", date_of_birth=dt.date(1980, 1, 2), sex="M",
        date_of_expiry=dt.date(2030, 1, 1), document_code="C1",
    )  # fmt: skip
    result = parse_mrz(zone)
    assert result.valid
    assert result.document_number == "IOE0123456789"
    assert result.surname == "GARCIA" and result.given_names == "JOSE"


def test_td2_round_trip() -> None:
    zone = make_td2(
        document_number="AB1234567", issuing_state="FRA", nationality="FRA", surname="Dupont",
        given_names="Élise", date_of_birth=dt.date(1990, 5, 6), sex=None,
        date_of_expiry=dt.date(2031, 5, 6),
    )  # fmt: skip
    result = parse_mrz(zone)
    assert result.format == "td2" and result.valid
    assert (result.given_names, result.sex) == ("ELISE", "<")


_name = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ ", min_size=1, max_size=15).filter(
    lambda s: s.strip()
)
_number = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", min_size=1, max_size=9)
_date = st.dates(min_value=dt.date(1930, 1, 1), max_value=dt.date(2029, 12, 31))


@settings(max_examples=60, deadline=None)
@given(number=_number, surname=_name, given_names=_name, born=_date, expires=_date,
       sex=st.sampled_from(["F", "M", None]))  # fmt: skip
def test_every_generated_zone_validates(
    number: str, surname: str, given_names: str, born: dt.date, expires: dt.date, sex: str | None
) -> None:
    fields: dict[str, Any] = {
        "document_number": number, "issuing_state": "MEX", "nationality": "MEX",
        "surname": surname, "given_names": given_names, "date_of_birth": born, "sex": sex,
        "date_of_expiry": expires,
    }  # fmt: skip
    for zone in (make_td1(**fields), make_td2(**fields), make_td3(**fields)):
        result = parse_mrz(zone)
        assert result.valid, result.failed_checks
        assert result.document_number == number
        assert result.date_of_birth == born.strftime("%y%m%d")


def test_zone_dates_get_their_century() -> None:
    today = dt.date(2016, 11, 1)
    assert mrz_date("740812", kind="birth", today=today) == dt.date(1974, 8, 12)
    assert mrz_date("050101", kind="birth", today=today) == dt.date(2005, 1, 1)
    assert mrz_date("250101", kind="expiry", today=today) == dt.date(2025, 1, 1)
    assert mrz_date("991301", kind="birth", today=today) is None
