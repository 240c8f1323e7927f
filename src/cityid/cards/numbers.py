"""Card numbers: 12 digits, random (never sequential), with a Luhn check digit.

Random bodies mean a card number says nothing about when or where a card was issued
and cannot be guessed from a neighbour's. The Luhn digit (ISO/IEC 7812) catches every
single mistyped digit and almost every swap of two neighbours, and clerks and card
readers already know it. Uniqueness is the database's job: on a collision, draw again.
"""

from __future__ import annotations

import random
import re
import secrets

CARD_NUMBER_LENGTH = 12
_BODY_LENGTH = CARD_NUMBER_LENGTH - 1
# As stored and shown by the API: the digits only.
CARD_NUMBER_PATTERN = rf"^[0-9]{{{CARD_NUMBER_LENGTH}}}$"
# As people type it and the API takes it: the digits, spaces and hyphens anywhere.
CARD_NUMBER_INPUT_PATTERN = rf"^[ -]*(?:[0-9][ -]*){{{CARD_NUMBER_LENGTH}}}$"
# What a pattern cannot say: the last digit is the Luhn check digit (OpenAPI `format`).
CARD_NUMBER_FORMAT = "card-number"
_INPUT = re.compile(CARD_NUMBER_INPUT_PATTERN)


def luhn_check_digit(body: str) -> str:
    """The digit that makes `body + digit` pass the Luhn test."""
    total = 0
    # Walk from the right: the digit next to the check digit is doubled.
    for position, char in enumerate(reversed(body)):
        digit = int(char)
        if position % 2 == 0:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return str((10 - total % 10) % 10)


def new_card_number(rng: random.Random | None = None) -> str:
    """A fresh card number; `rng` only for reproducible tests, else the OS's CSPRNG.

    The body never starts with 0, so the number survives spreadsheets and phone keypads.
    """
    low, high = 10 ** (_BODY_LENGTH - 1), 10**_BODY_LENGTH
    body_value = (
        rng.randrange(low, high) if rng is not None else low + secrets.randbelow(high - low)
    )
    body = str(body_value)
    return body + luhn_check_digit(body)


def normalize_card_number(text: str) -> str:
    """Drop the spaces and hyphens people type; keep everything else as given."""
    return "".join(ch for ch in text.strip() if ch not in " -")


def is_valid_card_number(text: str) -> bool:
    """12 ASCII digits (spaces/hyphens allowed) whose last digit is the Luhn check."""
    if not _INPUT.fullmatch(text.strip()):
        return False
    number = normalize_card_number(text)
    return luhn_check_digit(number[:-1]) == number[-1]


def format_card_number(text: str) -> str:
    """Groups of four for print: `1234 5678 9012`."""
    number = normalize_card_number(text)
    return " ".join(number[i : i + 4] for i in range(0, len(number), 4))
