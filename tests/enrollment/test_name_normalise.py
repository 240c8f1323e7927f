"""Normal forms used for matching: the same person written two ways meets."""

from __future__ import annotations

import datetime as dt

import pytest

from cityid.enrollment import normalise
from cityid.enrollment.normalise import (
    dob_key,
    dob_variants,
    fold,
    name_parts,
    normalise_address,
    normalise_name,
    normalise_street,
)


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("José García-López", "JOSE GARCIA LOPEZ"),
        ("Jean-Baptiste", "jean baptiste"),
        ("O'Brien", "OBrien"),
        ("Wiśniewska", "Wisniewska"),
        ("  Mary   Ann ", "mary ann"),
        ("Straße", "STRASSE"),
        ("Ｊｏｓｅ", "jose"),  # full-width letters from an East Asian keyboard
    ],
)
def test_spellings_of_one_name_meet(one: str, other: str) -> None:
    assert normalise_name(one) == normalise_name(other)


def test_name_parts_split_on_spaces_and_hyphens() -> None:
    assert name_parts("García-López  de la Cruz") == ["garcia", "lopez", "de", "la", "cruz"]


def test_original_is_never_changed() -> None:
    name = "Nguyễn"
    normalise_name(name)
    assert name == "Nguyễn"


@pytest.mark.skipif(not normalise.transliteration_available(), reason="anyascii not installed")
@pytest.mark.parametrize(
    ("native", "latin"),
    [("Иванова", "Ivanova"), ("Ольга", "Olga"), ("王", "Wang"), ("प्रिया", "Priya")],
)
def test_non_latin_scripts_are_transliterated(native: str, latin: str) -> None:
    assert normalise_name(native) == normalise_name(latin)


def test_without_transliteration_letters_are_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(normalise, "_transliterate", None)
    assert name_parts("Иванова Ольга") == ["иванова", "ольга"]
    # Marks that are part of a Bengali letter stay; Latin accents still go.
    assert name_parts("প্রিয়া") == ["প্রিয়া"]
    assert fold("García") == "garcia"


@pytest.mark.parametrize(
    ("one", "other"),
    [
        (("123 W 45th St", "Apt 4B"), ("123 West 45 Street", "#4-B")),
        (("37-12 80th Street", ""), ("3712 80 St", "")),
        (("1 St Nicholas Ave.", "Apartment 12"), ("1 Saint Nicholas Avenue", "Unit 12")),
        (("500 Grand Concourse", "apt 3c"), ("500 GRAND CONCOURSE APT 3C", "")),
        (("10 E Tremont Ave", ""), ("10 East Tremont Avenue", "")),
    ],
)
def test_forms_of_one_address_meet(one: tuple[str, str], other: tuple[str, str]) -> None:
    assert normalise_address(*one, "10001").key == normalise_address(*other, "10001").key


def test_address_parts() -> None:
    address = normalise_address("37-12 80th St", "Apt 4B", "11372-1234")
    assert (address.house_number, address.street, address.unit, address.postal_code) == (
        "3712", "80 street", "4b", "11372",
    )  # fmt: skip


def test_lettered_avenues_keep_their_letter() -> None:
    assert normalise_street("Avenue N") == "avenue n"
    assert normalise_street("Ave N") == "avenue n"
    assert normalise_street("W 4th St") == "west 4 street"


def test_different_addresses_stay_different() -> None:
    assert (
        normalise_address("12 Main St", "Apt 1").key != normalise_address("12 Main St", "Apt 2").key
    )
    assert normalise_address("12 Main St").key != normalise_address("12 Main Ave").key


def test_dob_variants_include_swapped_day_and_month() -> None:
    assert dob_variants(dt.date(1985, 3, 4)) == [dt.date(1985, 3, 4), dt.date(1985, 4, 3)]
    assert dob_variants(dt.date(1985, 3, 14)) == [dt.date(1985, 3, 14)]
    assert dob_variants(dt.date(1985, 5, 5)) == [dt.date(1985, 5, 5)]
    assert dob_key(dt.date(1985, 3, 4)) == "19850304"
