"""ICAO Doc 9303 machine-readable zones: check digits, parsing, validation, generation.

Supports TD1 (3 lines of 30, ID cards), TD2 (2 of 36) and TD3 (2 of 44, passports).
Parsing never raises for a failed check digit: the result lists every check and which
failed, because a failed check is a finding for the clerk and the fraud queue, not a
crash. Only text that is not an MRZ at all (wrong shape, bad characters) raises.
Error messages name the problem, never the zone's content (it is personal data).
"""

from __future__ import annotations

import datetime as dt
import operator
import unicodedata
from dataclasses import dataclass
from typing import Literal

from cityid.errors import BadInput

MrzFormat = Literal["td1", "td2", "td3"]

# Line count and length of each format (ICAO 9303 parts 4, 5 and 6).
SHAPES: dict[MrzFormat, tuple[int, int]] = {"td1": (3, 30), "td2": (2, 36), "td3": (2, 44)}
FILLER = "<"
_WEIGHTS = (7, 3, 1)
_ALLOWED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<")


class MrzError(BadInput):
    """The text is not a machine-readable zone (wrong shape or characters)."""

    code = "bad_mrz"


def char_value(char: str) -> int:
    """ICAO value of one MRZ character: digits as themselves, A-Z 10-35, filler 0."""
    if char.isdigit() and char.isascii():
        return int(char)
    if "A" <= char <= "Z":
        return ord(char) - ord("A") + 10
    if char == FILLER:
        return 0
    raise MrzError("machine-readable zone has a character outside A-Z, 0-9 and <")


_VALUES = {c: char_value(c) for c in _ALLOWED}


def check_digit(field: str) -> str:
    """The check digit of `field`: sum of values weighted 7, 3, 1 repeating, modulo 10."""
    weights = _WEIGHTS * (len(field) // 3 + 1)  # 7, 3, 1, 7, 3, 1, ... (map stops with the field)
    try:
        total = sum(map(operator.mul, map(_VALUES.__getitem__, field), weights))
    except KeyError:
        raise MrzError("machine-readable zone has a character outside A-Z, 0-9 and <") from None
    return str(total % 10)


@dataclass(frozen=True)
class MrzCheck:
    """One check digit: which field it guards and whether it matched."""

    name: Literal[
        "document_number", "date_of_birth", "date_of_expiry", "optional_data", "composite"
    ]
    ok: bool


@dataclass(frozen=True)
class MrzResult:
    """A parsed zone. Dates stay as the zone's YYMMDD text; see `mrz_date` for a date."""

    format: MrzFormat
    document_code: str
    issuing_state: str
    surname: str
    given_names: str
    document_number: str
    nationality: str
    date_of_birth: str
    sex: str
    date_of_expiry: str
    optional_data: str
    optional_data_2: str
    checks: tuple[MrzCheck, ...]

    @property
    def valid(self) -> bool:
        return all(check.ok for check in self.checks)

    @property
    def failed_checks(self) -> list[str]:
        return [check.name for check in self.checks if not check.ok]


def split_lines(text: str) -> list[str]:
    """The zone's lines, without surrounding blanks; OCR output often has stray spaces."""
    return [line.strip().replace(" ", "") for line in text.strip().splitlines() if line.strip()]


def detect_format(text: str) -> MrzFormat:
    lines = split_lines(text)
    for fmt, (count, length) in SHAPES.items():
        if len(lines) == count and all(len(line) == length for line in lines):
            return fmt
    raise MrzError(
        "machine-readable zone must be 3 lines of 30 (TD1), 2 of 36 (TD2) or 2 of 44 (TD3) "
        "characters"
    )


def parse_mrz(text: str, expected: MrzFormat | None = None) -> MrzResult:
    """Parse and check a zone. Raises MrzError if it is not one (or not `expected`)."""
    fmt = detect_format(text)
    if expected is not None and fmt != expected:
        raise MrzError(f"expected a {expected.upper()} zone, got {fmt.upper()}")
    lines = split_lines(text)
    for line in lines:
        if not set(line) <= _ALLOWED:
            raise MrzError("machine-readable zone has a character outside A-Z, 0-9 and <")
    if fmt == "td1":
        return _parse_td1(lines)
    return _parse_two_line(fmt, lines)


def _digit_ok(field: str, digit: str, *, filler_allowed: bool = False) -> bool:
    # An all-filler optional field may carry '<' instead of a check digit (9303 part 4).
    if filler_allowed and digit == FILLER and set(field) <= {FILLER}:
        return True
    return check_digit(field) == digit


def _names(field: str) -> tuple[str, str]:
    surname, _, given = field.partition("<<")
    return _words(surname), _words(given)


def _words(field: str) -> str:
    return " ".join(part for part in field.split(FILLER) if part)


def _parse_two_line(fmt: MrzFormat, lines: list[str]) -> MrzResult:
    first, second = lines
    number, number_cd = second[0:9], second[9]
    birth, birth_cd = second[13:19], second[19]
    expiry, expiry_cd = second[21:27], second[27]
    checks = [
        MrzCheck("document_number", _digit_ok(number, number_cd)),
        MrzCheck("date_of_birth", _digit_ok(birth, birth_cd)),
        MrzCheck("date_of_expiry", _digit_ok(expiry, expiry_cd)),
    ]
    if fmt == "td3":
        optional, optional_cd = second[28:42], second[42]
        checks.append(
            MrzCheck("optional_data", _digit_ok(optional, optional_cd, filler_allowed=True))
        )
        composite_field = second[0:10] + second[13:20] + second[21:43]
        composite_cd = second[43]
    else:
        optional = second[28:35]
        composite_field = second[0:10] + second[13:20] + second[21:35]
        composite_cd = second[35]
    checks.append(MrzCheck("composite", _digit_ok(composite_field, composite_cd)))
    surname, given = _names(first[5:])
    return MrzResult(
        format=fmt,
        document_code=first[0:2].rstrip(FILLER),
        issuing_state=first[2:5].rstrip(FILLER),
        surname=surname,
        given_names=given,
        document_number=number.rstrip(FILLER),
        nationality=second[10:13].rstrip(FILLER),
        date_of_birth=birth,
        sex=second[20],
        date_of_expiry=expiry,
        optional_data=_words(optional),
        optional_data_2="",
        checks=tuple(checks),
    )


def _parse_td1(lines: list[str]) -> MrzResult:
    first, second, third = lines
    number, number_cd = first[5:14], first[14]
    optional = first[15:30]
    if number_cd == FILLER and optional.strip(FILLER):
        # A number longer than 9 characters continues in the optional data, its check
        # digit last (9303 part 5, 4.2.2 note j).
        rest = optional.split(FILLER, 1)[0]
        number, number_cd = number + rest[:-1], rest[-1:]
        optional = optional[len(rest) :]
    birth, birth_cd = second[0:6], second[6]
    expiry, expiry_cd = second[8:14], second[14]
    composite_field = first[5:30] + second[0:7] + second[8:15] + second[18:29]
    checks = (
        MrzCheck("document_number", _digit_ok(number, number_cd)),
        MrzCheck("date_of_birth", _digit_ok(birth, birth_cd)),
        MrzCheck("date_of_expiry", _digit_ok(expiry, expiry_cd)),
        MrzCheck("composite", _digit_ok(composite_field, second[29])),
    )
    surname, given = _names(third)
    return MrzResult(
        format="td1",
        document_code=first[0:2].rstrip(FILLER),
        issuing_state=first[2:5].rstrip(FILLER),
        surname=surname,
        given_names=given,
        document_number=number.rstrip(FILLER),
        nationality=second[15:18].rstrip(FILLER),
        date_of_birth=birth,
        sex=second[7],
        date_of_expiry=expiry,
        optional_data=_words(optional),
        optional_data_2=_words(second[18:29]),
        checks=checks,
    )


def mrz_date(yymmdd: str, *, kind: Literal["birth", "expiry"], today: dt.date) -> dt.date | None:
    """The calendar date of a zone's YYMMDD, or None if it is not one.

    Births are never in the future; expiries are taken within 50 years of today.
    """
    if len(yymmdd) != 6 or not yymmdd.isdigit():
        return None
    yy, mm, dd = int(yymmdd[0:2]), int(yymmdd[2:4]), int(yymmdd[4:6])
    century = today.year // 100 * 100
    year = century + yy
    if kind == "birth" and year > today.year:
        year -= 100
    if kind == "expiry" and year < today.year - 50:
        year += 100
    try:
        return dt.date(year, mm, dd)
    except ValueError:
        return None


# --- generation (synthetic and test data) -------------------------------------------


def to_mrz_text(text: str) -> str:
    """Upper-case A-Z, digits and fillers only: accents dropped, anything else a filler."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).upper()
    out = "".join(c if c in _ALLOWED else FILLER for c in plain)
    return out


def _field(text: str, length: int) -> str:
    return to_mrz_text(text)[:length].ljust(length, FILLER)


def _name_field(surname: str, given_names: str, length: int) -> str:
    name = to_mrz_text(surname).strip(FILLER) + FILLER * 2 + to_mrz_text(given_names).strip(FILLER)
    return name[:length].ljust(length, FILLER)


def _yymmdd(day: dt.date) -> str:
    return day.strftime("%y%m%d")


def _sex(sex: str | None) -> str:
    return sex if sex in ("F", "M") else FILLER


def make_td3(
    *,
    document_number: str,
    issuing_state: str,
    nationality: str,
    surname: str,
    given_names: str,
    date_of_birth: dt.date,
    sex: str | None,
    date_of_expiry: dt.date,
    personal_number: str = "",
    document_code: str = "P",
) -> str:
    """A valid two-line passport zone (2 x 44)."""
    first = (
        _field(document_code, 2) + _field(issuing_state, 3) + _name_field(surname, given_names, 39)
    )
    number = _field(document_number, 9)
    birth = _yymmdd(date_of_birth)
    expiry = _yymmdd(date_of_expiry)
    optional = _field(personal_number, 14)
    optional_cd = FILLER if set(optional) == {FILLER} else check_digit(optional)
    second = (
        number + check_digit(number) + _field(nationality, 3)
        + birth + check_digit(birth) + _sex(sex)
        + expiry + check_digit(expiry) + optional + optional_cd
    )  # fmt: skip
    composite = second[0:10] + second[13:20] + second[21:43]
    return first + "\n" + second + check_digit(composite)


def make_td2(
    *,
    document_number: str,
    issuing_state: str,
    nationality: str,
    surname: str,
    given_names: str,
    date_of_birth: dt.date,
    sex: str | None,
    date_of_expiry: dt.date,
    optional_data: str = "",
    document_code: str = "I",
) -> str:
    """A valid two-line card zone (2 x 36)."""
    first = (
        _field(document_code, 2) + _field(issuing_state, 3) + _name_field(surname, given_names, 31)
    )
    number = _field(document_number, 9)
    birth = _yymmdd(date_of_birth)
    expiry = _yymmdd(date_of_expiry)
    second = (
        number + check_digit(number) + _field(nationality, 3)
        + birth + check_digit(birth) + _sex(sex)
        + expiry + check_digit(expiry) + _field(optional_data, 7)
    )  # fmt: skip
    composite = second[0:10] + second[13:20] + second[21:35]
    return first + "\n" + second + check_digit(composite)


def make_td1(
    *,
    document_number: str,
    issuing_state: str,
    nationality: str,
    surname: str,
    given_names: str,
    date_of_birth: dt.date,
    sex: str | None,
    date_of_expiry: dt.date,
    optional_data: str = "",
    optional_data_2: str = "",
    document_code: str = "I",
) -> str:
    """A valid three-line card zone (3 x 30).

    A number over 9 characters overflows into the optional data, its check digit after
    it, and a filler where the check digit would be (9303 part 5).
    """
    plain_number = to_mrz_text(document_number)
    if len(plain_number) > 9:
        overflow = plain_number[9:] + check_digit(plain_number)
        if optional_data:
            overflow += FILLER + to_mrz_text(optional_data)
        if len(overflow) > 15:
            raise MrzError("document number is too long for a TD1 zone")
        number_part = plain_number[:9] + FILLER + _field(overflow, 15)
    else:
        number = _field(document_number, 9)
        number_part = number + check_digit(number) + _field(optional_data, 15)
    first = _field(document_code, 2) + _field(issuing_state, 3) + number_part
    birth = _yymmdd(date_of_birth)
    expiry = _yymmdd(date_of_expiry)
    second = (
        birth + check_digit(birth) + _sex(sex)
        + expiry + check_digit(expiry) + _field(nationality, 3) + _field(optional_data_2, 11)
    )  # fmt: skip
    composite = first[5:30] + second[0:7] + second[8:15] + second[18:29]
    third = _name_field(surname, given_names, 30)
    return "\n".join((first, second + check_digit(composite), third))
