"""Notice texts, in the applicants' languages (pure).

Each template has a subject (email), a body (email) and a short text (SMS). Subjects and
SMS texts never carry a name, an address or a card number: they name the program and the
kind of news only, because a subject line and a text message are read on lock screens and
by whoever shares the phone. Bodies may carry the application reference, dates and the
centre. Texts are Python `str.format` templates over the parameters a kind declares
(`PARAMS`); `render` refuses missing or unknown parameters so a caller's mistake fails at
enqueue time, not in the worker.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from cityid.errors import BadInput
from cityid.notices.kinds import NoticeKind
from cityid.notices.texts import FALLBACK_LANGUAGE, TEXTS

# The parameters each kind's texts use ({program} is always given by the renderer).
PARAMS: dict[NoticeKind, frozenset[str]] = {
    NoticeKind.BOOKING_CONFIRMED: frozenset({"reference", "date", "time", "centre"}),
    NoticeKind.BOOKING_REMINDER: frozenset({"reference", "date", "time", "centre"}),
    NoticeKind.DECISION: frozenset({"reference", "outcome"}),
    NoticeKind.CARD_MAILED: frozenset({"reference"}),
    NoticeKind.CARD_READY_FOR_PICKUP: frozenset({"reference", "centre"}),
    NoticeKind.RENEWAL_DUE: frozenset({"days", "expires"}),
    NoticeKind.DISCLOSURE: frozenset({"request_id", "decided_on", "fields"}),
    NoticeKind.ONE_TIME_CODE: frozenset({"code", "minutes"}),
    NoticeKind.CARD_REPORTED_LOST: frozenset({"date"}),
}
# Parameters whose value picks a variant of the text rather than being printed.
VARIANTS: dict[NoticeKind, tuple[str, frozenset[str]]] = {
    NoticeKind.DECISION: ("outcome", frozenset({"approved", "rejected"})),
}
MAX_PARAM_CHARS = 200
# BCP 47 tags for the Content-Language of an email.
LANGUAGE_TAGS = {
    "eng": "en", "spa": "es", "zho": "zh-Hans", "rus": "ru",
    "ben": "bn", "hat": "ht", "kor": "ko", "ara": "ar",
}  # fmt: skip


@dataclass(frozen=True)
class Rendered:
    language: str  # the ISO 639-3 code whose texts were used
    subject: str
    body: str
    sms: str

    @property
    def language_tag(self) -> str:
        return LANGUAGE_TAGS.get(self.language, "en")


def text_language(preferred: str | None) -> str:
    """The language a notice is written in: the applicant's, else English."""
    return preferred if preferred in TEXTS else FALLBACK_LANGUAGE


def check_params(kind: NoticeKind, params: Mapping[str, str | int]) -> dict[str, str]:
    """The parameters as text; `BadInput` naming (never echoing) what is wrong."""
    wanted = PARAMS[kind]
    missing = sorted(wanted - params.keys())
    unknown = sorted(params.keys() - wanted)
    if missing or unknown:
        raise BadInput(
            f"notice {kind}: "
            + "; ".join(
                part
                for part in (
                    f"missing parameters {', '.join(missing)}" if missing else "",
                    f"unknown parameters {', '.join(unknown)}" if unknown else "",
                )
                if part
            )
        )
    text = {name: str(value) for name, value in params.items()}
    for name, value in text.items():
        if len(value) > MAX_PARAM_CHARS or any(c in value for c in "\r\n"):
            raise BadInput(f"notice {kind}: parameter {name} is too long or has line breaks")
    variant = VARIANTS.get(kind)
    if variant is not None and text[variant[0]] not in variant[1]:
        raise BadInput(f"notice {kind}: {variant[0]} must be one of {sorted(variant[1])}")
    return text


def render(
    kind: NoticeKind, language: str | None, params: Mapping[str, str | int], *, program: str
) -> Rendered:
    used = text_language(language)
    values = check_params(kind, params)
    key = str(kind)
    variant = VARIANTS.get(kind)
    if variant is not None:
        key = f"{kind}.{values[variant[0]]}"
    subject, body, sms = TEXTS[used][key]
    values["program"] = program
    return Rendered(used, subject.format(**values), body.format(**values), sms.format(**values))
