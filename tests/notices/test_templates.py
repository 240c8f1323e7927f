"""Notice texts: every kind in every language; subjects and SMS carry nothing personal."""

from __future__ import annotations

import string

import pytest

from cityid.errors import BadInput
from cityid.notices.kinds import NoticeKind
from cityid.notices.templates import PARAMS, VARIANTS, render
from cityid.notices.texts import TEXTS

LANGUAGES = sorted(TEXTS)
# Subjects name the program only; an SMS may also carry dates, a centre, a code.
SUBJECT_FIELDS = {"program"}
SMS_FIELDS = {"program", "date", "time", "centre", "days", "code", "minutes"}


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def _keys() -> list[str]:
    keys = []
    for kind in NoticeKind:
        variant = VARIANTS.get(kind)
        keys += [f"{kind}.{v}" for v in sorted(variant[1])] if variant else [str(kind)]
    return keys


def test_every_language_has_every_text() -> None:
    for language in LANGUAGES:
        assert set(TEXTS[language]) == set(_keys()), language


@pytest.mark.parametrize("language", LANGUAGES)
def test_subjects_and_texts_carry_no_personal_data(language: str) -> None:
    for key, (subject, body, sms) in TEXTS[language].items():
        kind = NoticeKind(key.split(".")[0])
        assert _fields(subject) <= SUBJECT_FIELDS, (language, key)
        assert _fields(sms) <= SMS_FIELDS, (language, key)
        assert _fields(body) <= PARAMS[kind] | {"program"}, (language, key)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_kind_renders(language: str) -> None:
    for kind, names in PARAMS.items():
        params = {name: "approved" if name == "outcome" else "X1" for name in names}
        rendered = render(kind, language, params, program="IDNYC")
        assert rendered.language == language and rendered.subject.startswith("IDNYC")


def test_other_languages_fall_back_to_english_and_bad_params_are_named() -> None:
    rendered = render(NoticeKind.CARD_MAILED, "yid", {"reference": "R1"}, program="IDNYC")
    assert rendered.language == "eng" and rendered.language_tag == "en"
    with pytest.raises(BadInput, match="unknown parameters name"):
        render(NoticeKind.CARD_MAILED, "eng", {"reference": "R", "name": "x"}, program="P")
    with pytest.raises(BadInput, match="line breaks"):
        render(NoticeKind.CARD_MAILED, "eng", {"reference": "R\nBcc: x"}, program="P")
    with pytest.raises(BadInput, match="outcome must be one of"):
        render(NoticeKind.DECISION, "eng", {"reference": "R", "outcome": "maybe"}, program="P")
