"""The name in Latin letters, for the card's front and the credential's primary name.

An officer, a bank teller or a librarian must be able to read the name on a card. A name
already written in Latin letters (accents included: "José Núñez") is printed as it is. A
name in another script is transliterated: Cyrillic by the table of ICAO Doc 9303 (Part 3,
section 6, the table passports use, so the card matches the holder's passport), every
other script by `anyascii`, which the matcher already uses. The name in its own script
is kept beside it (`native_name`) and printed too where the card's font can show it.
"""

from __future__ import annotations

import unicodedata

from anyascii import anyascii

# ICAO Doc 9303, Part 3 (8th edition, 2021), section 6, transliteration of Cyrillic.
_ICAO_CYRILLIC: dict[str, str] = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh",
    "з": "z", "и": "i", "й": "i", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o",
    "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts",
    "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "ie", "ы": "y", "ь": "", "э": "e", "ю": "iu",
    "я": "ia",
    # Belarusian, Macedonian, Serbian, Ukrainian and older letters in the same table
    "ђ": "d", "ѓ": "g", "є": "ie", "ѕ": "dz", "і": "i", "ї": "i", "ј": "j", "љ": "lj",
    "њ": "nj", "ћ": "c", "ќ": "k", "ў": "u", "џ": "dz", "ґ": "g", "ѣ": "e", "ѳ": "f",
    "ѵ": "y",
}  # fmt: skip


def _is_latin(char: str) -> bool:
    return char.isascii() or "LATIN" in unicodedata.name(char, "")


def is_latin_script(text: str) -> bool:
    """True when every letter of `text` is a Latin letter (marks and spaces aside)."""
    return all(_is_latin(c) for c in text if c.isalpha())


def _cyrillic(char: str, next_char: str) -> str | None:
    lower = char.lower()
    latin = _ICAO_CYRILLIC.get(lower)
    if latin is None or char == lower:
        return latin
    # An upper-case letter: "Жанна" -> "Zhanna", "ЖАННА" -> "ZHANNA".
    return latin.upper() if next_char.isupper() or not next_char.isalpha() else latin.title()


def latin_name(text: str) -> str:
    """`text` in Latin letters; unchanged when it already is."""
    text = unicodedata.normalize("NFC", text)
    if is_latin_script(text):
        return text
    out: list[str] = []
    in_word = False  # inside a word of some other script: syllables join in lower case
    for position, char in enumerate(text):
        following = text[position + 1] if position + 1 < len(text) else ""
        if in_word and unicodedata.category(char).startswith("M"):
            out.append(anyascii(char).lower())  # a vowel sign of an abugida (Bengali...)
            continue
        if _is_latin(char) or not char.isalpha():
            out.append(char)
            in_word = False
            continue
        latin = _cyrillic(char, following)
        if latin is None:
            latin = anyascii(char).lower() if in_word else anyascii(char)
            in_word = True
        out.append(latin)
    return _tidy("".join(out))


def _tidy(text: str) -> str:
    """Each word starts with a capital ("mhmd" -> "Mhmd"); no doubled spaces."""
    words = []
    for word in text.split():
        if len(word) > 1 and word.isascii() and word.isalpha() and not word.isupper():
            word = word[0].upper() + word[1:]
        words.append(word)
    return " ".join(words)


def native_name(text: str) -> str | None:
    """The name as written, when its Latin form differs (else None: nothing to add)."""
    text = unicodedata.normalize("NFC", text).strip()
    return None if not text or is_latin_script(text) else text
