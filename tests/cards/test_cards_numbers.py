from __future__ import annotations

import itertools
import random

from hypothesis import given
from hypothesis import strategies as st

from cityid.cards.numbers import (
    format_card_number,
    is_valid_card_number,
    luhn_check_digit,
    new_card_number,
)


def test_new_numbers_are_twelve_digits_that_validate() -> None:
    numbers = {new_card_number() for _ in range(500)}
    assert len(numbers) == 500  # random, so no repeats at this scale
    assert all(len(n) == 12 and n.isdigit() and n[0] != "0" for n in numbers)
    assert all(is_valid_card_number(n) for n in numbers)


def test_numbers_are_not_sequential() -> None:
    rng = random.Random(2016)
    bodies = [int(new_card_number(rng)[:-1]) for _ in range(100)]
    steps = {b - a for a, b in itertools.pairwise(bodies)}
    assert len(steps) > 90


def test_known_luhn_value() -> None:
    # The textbook example: 7992739871 has check digit 3.
    assert luhn_check_digit("7992739871") == "3"


@given(st.integers(min_value=0, max_value=11), st.integers(min_value=1, max_value=9))
def test_any_single_mistyped_digit_is_caught(position: int, delta: int) -> None:
    number = new_card_number(random.Random(position * 10 + delta))
    typo = number[:position] + str((int(number[position]) + delta) % 10) + number[position + 1 :]
    assert not is_valid_card_number(typo)


def test_formatting_and_what_people_type() -> None:
    number = new_card_number()
    printed = format_card_number(number)
    assert printed == f"{number[:4]} {number[4:8]} {number[8:]}"
    assert is_valid_card_number(printed)
    assert is_valid_card_number(printed.replace(" ", "-"))
    assert not is_valid_card_number(number[:-1])
    assert not is_valid_card_number("١٢٣٤٥٦٧٨٩٠١٢")  # non-ASCII digits
    assert not is_valid_card_number("")
