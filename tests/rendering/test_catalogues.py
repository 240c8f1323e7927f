"""The translation catalogues: complete, compilable, and in step with the templates."""

from __future__ import annotations

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from cityid.policy import load_policy
from cityid.rendering import i18n
from cityid.rendering.templating import TEMPLATE_DIR

TEMPLATES = TEMPLATE_DIR
TRANSLATED = [code for code in i18n.LANGUAGES if code != i18n.DEFAULT]
# The public pages every visitor passes through, in their language (the rest of
# public/ is for tellers and auditors, in English for now).
PUBLIC_TRANSLATED = ["_header.html", "_footer.html", "home.html", "error.html"]


def _po(code: str) -> Catalog:
    path = i18n.LOCALE_DIR / code / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        return read_po(handle, locale=code)


def _template_msgids() -> set[str]:
    found: set[str] = set()
    public = [TEMPLATES / "public" / name for name in PUBLIC_TRANSLATED]
    for path in [
        TEMPLATES / "base.html",
        *sorted((TEMPLATES / "applicant").glob("*.html")),
        *public,
    ]:
        with path.open("rb") as handle:
            for _line, message, _comments, _context in extract(
                "jinja2.ext:babel_extract", handle, keywords={"_": None, "gettext": None}
            ):
                found.add(message if isinstance(message, str) else message[0])
    return found


def _pot_msgids() -> set[str]:
    with (i18n.LOCALE_DIR / "messages.pot").open("rb") as handle:
        return {str(m.id) for m in read_po(handle) if m.id}


def test_the_template_knows_every_message_of_the_templates() -> None:
    missing = _template_msgids() - _pot_msgids()
    assert not missing, f"messages.pot lacks (run pybabel extract): {sorted(missing)}"


def test_the_default_policys_document_names_are_in_the_template() -> None:
    names = {t.name for t in load_policy().document_types}
    assert names <= _pot_msgids()


@pytest.mark.parametrize("code", TRANSLATED)
def test_catalogue_is_complete_and_well_formed(code: str) -> None:
    catalogue = _po(code)
    wanted = _pot_msgids()
    have = {str(m.id): m for m in catalogue if m.id}
    assert wanted - set(have) == set(), f"{code}: msgids missing"
    untranslated = [i for i, m in have.items() if not m.string]
    fuzzy = [i for i, m in have.items() if m.fuzzy]
    assert not untranslated, f"{code}: untranslated {untranslated[:5]}"
    assert not fuzzy, f"{code}: fuzzy {fuzzy[:5]}"
    problems = [(str(m.id), [str(e) for e in errors]) for m, errors in catalogue.check()]
    assert not problems, f"{code}: placeholders differ: {problems[:5]}"
    # Long sentences copied over in English are untranslated in all but name.
    left_in_english = [i for i, m in have.items() if len(i) > 24 and m.string == i]
    assert not left_in_english, f"{code}: still English: {left_in_english[:5]}"


@pytest.mark.parametrize("code", TRANSLATED)
def test_shipped_mo_matches_the_po(code: str) -> None:
    """The compiled .mo ships with the code; it must say what the .po says."""
    mo_path = i18n.LOCALE_DIR / code / "LC_MESSAGES" / "messages.mo"
    with mo_path.open("rb") as handle:
        compiled = {str(m.id): m.string for m in read_mo(handle) if m.id}
    source = {str(m.id): m.string for m in _po(code) if m.id}
    assert compiled == source, f"{code}: run pybabel compile -d src/cityid/locale"


@pytest.mark.parametrize("code", TRANSLATED)
def test_the_page_language_is_really_used(code: str) -> None:
    language = i18n.language(code)
    assert language.gettext("Check my application") != "Check my application"
