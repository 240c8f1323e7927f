"""The name an officer reads: Latin letters, ICAO 9303 for Cyrillic, the native beside."""

from __future__ import annotations

import pytest

from cityid.cards.latin_name import latin_name, native_name
from cityid.cards.render import printable


@pytest.mark.parametrize(
    ("written", "printed"),
    [
        ("Иван Петров", "Ivan Petrov"),
        ("Жанна Щукина", "Zhanna Shchukina"),  # ICAO: Ж zh, Щ shch
        ("ЮЛИЯ ХАРИТОНОВА", "IULIIA KHARITONOVA"),  # ICAO: Ю iu, Я ia, Х kh (not "yu", "ya")
        ("Олександр Їжак", "Oleksandr Izhak"),  # Ukrainian letters from the same table
        ("Наталья Цой", "Natalia Tsoi"),  # soft sign dropped, й -> i
        ("张伟", "Zhangwei"),
        ("Ηλίας", "Ilias"),
        ("محمد", "Mhmd"),
        ("রহিম", "Rhim"),
    ],
)
def test_names_in_other_scripts_are_printed_in_latin_letters(written: str, printed: str) -> None:
    assert latin_name(written) == printed
    assert latin_name(written).isascii()
    assert native_name(written) == written


@pytest.mark.parametrize("name", ["María Elena Rodríguez Santos", "Nguyễn Văn An", "Zoë O'Neil"])
def test_latin_names_keep_their_accents_and_have_no_native_twin(name: str) -> None:
    assert latin_name(name) == name
    assert native_name(name) is None


def test_the_card_prints_a_native_name_only_where_its_font_has_the_letters() -> None:
    assert printable("Иван Петров") and printable("محمد") and printable("Ηλίας")
    assert not printable("张伟") and not printable("রহিম")


def test_the_native_name_is_printed_under_the_latin_one() -> None:
    import datetime as dt

    from cards_harness import portrait

    from cityid.cards.render import CardFace, render_front

    def front(native: str | None) -> bytes:
        face = CardFace(
            program_name="IDNYC", card_number="482913570268", full_name="Ivan Petrov",
            native_name=native, date_of_birth=dt.date(1985, 3, 4), address="1 Main St\nNY 10001",
            expires=dt.date(2031, 3, 4), qr_text="X", photo=portrait(),
        )  # fmt: skip
        return render_front(face).tobytes()

    plain = front(None)
    assert front("Иван Петров") != plain
    assert front("张伟") == plain  # no boxes where the font has no letters
