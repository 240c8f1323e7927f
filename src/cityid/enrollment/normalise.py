"""Normal forms for matching only: names, addresses and dates of birth.

What an applicant wrote is kept exactly as written (NFC) in their record. These forms
exist so that "José García-López", "JOSE GARCIA LOPEZ" and "Jose Garcia Lopez" meet in
the duplicate search. Non-Latin scripts are transliterated when the `anyascii` package
is installed; without it their letters are kept (and still match each other).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

_transliterate: Callable[[str], str] | None
try:  # optional: transliteration of non-Latin scripts
    from anyascii import anyascii as _transliterate
except ImportError:  # pragma: no cover - depends on the machine
    _transliterate = None
_APOSTROPHES = "'’ʼ`´"


def transliteration_available() -> bool:
    return _transliterate is not None


def fold(text: str) -> str:
    """Compatibility-normalised, accents stripped, transliterated where possible, casefolded."""
    text = unicodedata.normalize("NFKC", text)
    text = _transliterate(text) if _transliterate is not None else _strip_latin_accents(text)
    return text.casefold()


def _strip_latin_accents(text: str) -> str:
    # Only marks on Latin letters go: in Bengali or Devanagari a mark is part of the letter.
    out: list[str] = []
    base_is_latin = False
    for char in unicodedata.normalize("NFKD", text):
        if unicodedata.combining(char):
            if not base_is_latin:
                out.append(char)
            continue
        base_is_latin = char.isascii() or "LATIN" in unicodedata.name(char, "")
        out.append(char)
    return unicodedata.normalize("NFC", "".join(out))


def _is_word_char(char: str) -> bool:
    return unicodedata.category(char)[0] in "LMN"


def name_parts(name: str) -> list[str]:
    """The parts of a name: hyphens and spaces split, apostrophes join ("O'Brien" -> obrien)."""
    folded = fold(name)
    cleaned = "".join("" if c in _APOSTROPHES else (c if _is_word_char(c) else " ") for c in folded)
    return cleaned.split()


def normalise_name(name: str) -> str:
    return " ".join(name_parts(name))


# --- addresses --------------------------------------------------------------------------

STREET_SUFFIXES: dict[str, str] = {
    "st": "street",
    "str": "street",
    "street": "street",
    "ave": "avenue",
    "av": "avenue",
    "avn": "avenue",
    "avenue": "avenue",
    "blvd": "boulevard",
    "boul": "boulevard",
    "boulevard": "boulevard",
    "rd": "road",
    "road": "road",
    "pl": "place",
    "place": "place",
    "pkwy": "parkway",
    "pky": "parkway",
    "parkway": "parkway",
    "dr": "drive",
    "drive": "drive",
    "ln": "lane",
    "lane": "lane",
    "ct": "court",
    "court": "court",
    "ter": "terrace",
    "terr": "terrace",
    "terrace": "terrace",
    "hwy": "highway",
    "highway": "highway",
    "sq": "square",
    "square": "square",
    "expy": "expressway",
    "expressway": "expressway",
    "plz": "plaza",
    "plaza": "plaza",
    "cir": "circle",
    "circle": "circle",
    "tpke": "turnpike",
    "turnpike": "turnpike",
}
DIRECTIONS: dict[str, str] = {
    "n": "north",
    "s": "south",
    "e": "east",
    "w": "west",
    "north": "north",
    "south": "south",
    "east": "east",
    "west": "west",
}
_UNIT = re.compile(
    r"(?:\b(?:apt|apartment|unit|ste|suite|rm|room|fl|floor|flr)\b\s*#?|#)\s*([a-z0-9-]+)"
)
_HOUSE_NUMBER = re.compile(r"^(\d+[a-z]?(?:-\d+[a-z]?)?)\b")
_ORDINAL = re.compile(r"^(\d+)(?:st|nd|rd|th)$")


@dataclass(frozen=True)
class NormalisedAddress:
    house_number: str
    street: str
    unit: str
    postal_code: str

    @property
    def key(self) -> str:
        """One string for exact comparison and blocking: "123|west 45 street|4b|10036"."""
        return "|".join((self.house_number, self.street, self.unit, self.postal_code))


def normalise_address(line1: str, line2: str = "", postal_code: str = "") -> NormalisedAddress:
    text = " ".join(part for part in (line1, line2) if part)
    text = re.sub(r"[.,;:()]", " ", fold(text))
    units = _UNIT.findall(text)
    text = _UNIT.sub(" ", text)
    unit = units[-1].replace("-", "") if units else ""
    text = " ".join(text.split())
    house = ""
    match = _HOUSE_NUMBER.match(text)
    if match:
        house = match.group(1).replace("-", "")
        text = text[match.end() :]
    return NormalisedAddress(
        house_number=house,
        street=normalise_street(text),
        unit=unit,
        postal_code=postal_code.strip()[:5],
    )


def normalise_street(text: str) -> str:
    """ "W 45th St" -> "west 45 street"; "St Nicholas Ave" -> "saint nicholas avenue"."""
    tokens = re.sub(r"[^0-9a-z ]", " ", fold(text).replace("-", " ")).split()
    out: list[str] = []
    for i, token in enumerate(tokens):
        last = i == len(tokens) - 1
        ordinal = _ORDINAL.match(token)
        if ordinal:
            out.append(ordinal.group(1))
        elif i == 0 and token in DIRECTIONS and not last:
            out.append(DIRECTIONS[token])
        elif token == "st" and not last:  # noqa: S105 (a street word, not a password)
            out.append("saint")  # "St Nicholas Ave": a leading or middle "St" is a saint
        elif token == "dr" and i == 0 and not last:  # noqa: S105
            out.append("doctor")  # "Dr M L King Jr Blvd"
        elif token in STREET_SUFFIXES:
            out.append(STREET_SUFFIXES[token])
        else:
            out.append(token)
    return " ".join(out)


# --- dates of birth ---------------------------------------------------------------------


def dob_key(dob: dt.date) -> str:
    return dob.strftime("%Y%m%d")


def dob_variants(dob: dt.date) -> list[dt.date]:
    """The date, then the date with day and month swapped when that is another real date.

    A swapped day and month (03/04 read as 04/03) is the commonest way one person's date
    of birth differs between two applications.
    """
    variants = [dob]
    if dob.day <= 12 and dob.day != dob.month:
        variants.append(dob.replace(month=dob.day, day=dob.month))
    return variants
