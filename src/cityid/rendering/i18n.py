"""Translations for the applicant pages: Babel catalogues, language choice, Jinja2 hooks.

The shared Jinja2 environment gets the i18n extension with identity translations (so
every other template keeps working untouched); the applicant pages pass this request's
`_`, `gettext` and `ngettext` in their template context, which wins over the globals.
Nothing per request is stored on the shared environment, so concurrent requests in
different languages cannot mix.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from babel.support import NullTranslations, Translations
from jinja2 import Environment, pass_context
from jinja2.runtime import Context
from markupsafe import Markup
from starlette.requests import Request

LOCALE_DIR = Path(__file__).resolve().parents[1] / "locale"
DOMAIN = "messages"
COOKIE = "cityid_lang"
DEFAULT = "en"

# The city's languages for the applicant pages: catalogue code → its own name.
LANGUAGES: dict[str, str] = {
    "en": "English",
    "es": "Español",
    "zh_Hans": "简体中文",
    "ru": "Русский",
    "bn": "বাংলা",
    "ht": "Kreyòl ayisyen",
    "ko": "한국어",
    "ar": "العربية",
}
RIGHT_TO_LEFT = frozenset({"ar"})
# Chinese written in Traditional characters is not offered; these tags are Simplified.
_SIMPLIFIED_CHINESE = frozenset({"zh", "zh-hans", "zh-cn", "zh-sg", "zh-hans-cn", "zh-hans-sg"})
_TAG = re.compile(r"^[A-Za-z]{1,8}(?:[-_][A-Za-z0-9]{1,8})*$")


def supported(tag: str | None) -> str | None:
    """The catalogue code for a language tag ("es-MX" → "es", "zh-CN" → "zh_Hans")."""
    if not tag or not _TAG.match(tag.strip()):
        return None
    lowered = tag.strip().lower().replace("_", "-")
    if lowered in _SIMPLIFIED_CHINESE:
        return "zh_Hans"
    primary = lowered.split("-")[0]
    if primary == "zh":
        return None
    return primary if primary in LANGUAGES else None


def accept_language(header: str | None) -> list[str]:
    """The tags of an Accept-Language header, most wanted first (RFC 9110 q-values)."""
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate((header or "").split(",")[:32]):
        pieces = part.strip().split(";")
        tag, quality = pieces[0].strip(), 1.0
        for parameter in pieces[1:]:
            name, _, value = parameter.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if tag and tag != "*" and quality > 0:
            ranked.append((-quality, position, tag))
    return [tag for _, _, tag in sorted(ranked)]


def negotiate(query: str | None, cookie: str | None, header: str | None) -> str:
    """`?lang=` first (the picker), then the remembered cookie, then the browser's wish."""
    for candidate in (query, cookie):
        found = supported(candidate)
        if found:
            return found
    for tag in accept_language(header):
        found = supported(tag)
        if found:
            return found
    return DEFAULT


@lru_cache(maxsize=len(LANGUAGES))
def translations(code: str) -> NullTranslations:
    """The compiled catalogue (shipped .mo files); English is the msgids themselves."""
    if code == DEFAULT or code not in LANGUAGES:
        return NullTranslations()
    return Translations.load(str(LOCALE_DIR), [code], DOMAIN)


def _newstyle_gettext(catalogue: NullTranslations) -> Callable[..., str]:
    """Jinja2's "newstyle" gettext: `_("Hello %(name)s", name=x)` escapes the values."""

    @pass_context
    def gettext(context: Context, message: str, /, **variables: Any) -> str:
        text: str = catalogue.gettext(message)
        if context.eval_ctx.autoescape:
            text = Markup(text)  # noqa: S704 -- our own reviewed catalogues, not user input
        return text % variables if variables else text

    return gettext


def _newstyle_ngettext(catalogue: NullTranslations) -> Callable[..., str]:
    @pass_context
    def ngettext(
        context: Context, singular: str, plural: str, count: int, /, **variables: Any
    ) -> str:
        text: str = catalogue.ngettext(singular, plural, count)
        if context.eval_ctx.autoescape:
            text = Markup(text)  # noqa: S704 -- our own reviewed catalogues
        variables.setdefault("num", count)
        return text % variables

    return ngettext


@dataclass(frozen=True)
class Language:
    code: str
    catalogue: NullTranslations

    @property
    def html_lang(self) -> str:
        """The BCP 47 tag for `<html lang>`: "zh_Hans" → "zh-Hans"."""
        return self.code.replace("_", "-")

    @property
    def direction(self) -> str:
        return "rtl" if self.code in RIGHT_TO_LEFT else "ltr"

    def gettext(self, message: str) -> str:
        text: str = self.catalogue.gettext(message)
        return text

    def template_context(self) -> dict[str, Any]:
        """What a template needs: the language, its direction and this request's `_`."""
        gettext = _newstyle_gettext(self.catalogue)
        return {
            "lang": self.html_lang,
            "lang_code": self.code,
            "dir": self.direction,
            "languages": LANGUAGES,
            "_": gettext,
            "gettext": gettext,
            "ngettext": _newstyle_ngettext(self.catalogue),
        }


def language(code: str) -> Language:
    chosen = code if code in LANGUAGES else DEFAULT
    return Language(chosen, translations(chosen))


def language_for(request: Request) -> Language:
    return language(
        negotiate(
            request.query_params.get("lang"),
            request.cookies.get(COOKIE),
            request.headers.get("accept-language"),
        )
    )


def install(env: Environment) -> None:
    """Add jinja2.ext.i18n to the shared environment with identity translations."""
    env.add_extension("jinja2.ext.i18n")
    env.install_null_translations(newstyle=True)  # type: ignore[attr-defined]
