"""What the /verify page shows a teller, in one place for the server and the browser.

The page answers twice: on the server (a picture posted without JavaScript) and in the
browser (static/verify/verify.js, from /api/v1/verify's JSON). Both read the words here:
the server renders them, and the page embeds them as JSON for the script, so the two
answers cannot drift apart. Dates and the card number look as the card prints them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from cityid.cards.numbers import format_card_number
from cityid.cards.render import printed_date
from cityid.policy.model import Policy

# The order a teller reads a card in; the photo is shown apart, large.
CLAIM_ORDER = (
    "full_name", "native_name", "date_of_birth", "expires_on", "card_number",
    "over_18", "over_21", "city_resident", "postal_code",
)  # fmt: skip
LABELS = {
    "full_name": "Name",
    "native_name": "Name in its own script",
    "date_of_birth": "Date of birth",
    "expires_on": "Expires",
    "card_number": "Card number",
    "over_18": "Over 18",
    "over_21": "Over 21",
    "city_resident": "City resident",
    "postal_code": "ZIP code",
}
DATE_CLAIMS = frozenset({"date_of_birth", "expires_on"})

VERDICTS = {
    "valid": "Valid card",
    "expired": "Expired card",
    "not_yet_valid": "Not valid yet",
    "revoked": "Revoked card",
    "suspended": "Suspended card",
    "bad_signature": "Not a genuine card",
    "unknown_key": "Not a genuine card",
    "malformed": "Not a city ID code",
    "status_unknown": "Cannot be checked now",
}
_REFUSE = "Do not accept this card. Ask for another ID."
NEXT_STEPS = {
    "valid": "Compare the photo with the person in front of you, and the name and date of "
    "birth with what they tell you.",
    "expired": _REFUSE + " The holder can renew it: call {phone} or see {site}/me/.",
    "not_yet_valid": "Do not accept this card yet. Ask for another ID. The holder can call "
    "{phone} if they think this is a mistake.",
    "revoked": _REFUSE + " The holder can call {phone} to find out why and how to get a new card.",
    "suspended": _REFUSE + " The card is on hold; the holder can call {phone} to have it "
    "looked into.",
    "bad_signature": _REFUSE + " The code on it has been changed. Follow your "
    "organisation's procedure for a suspected forgery.",
    "unknown_key": _REFUSE + " The city did not sign this code. Follow your organisation's "
    "procedure for a suspected forgery.",
    "malformed": "Try again with a sharper, closer picture of the code. If it still fails, "
    "ask for another ID.",
    "status_unknown": "Do not accept this card yet: try again in a few minutes, or ask for "
    "another ID.",
}


def display_value(key: str, value: Any) -> str:
    """A claim as printed on the card: dates MM/DD/YYYY, the number in groups of four."""
    if value is True:
        return "yes"
    if value is False:
        return "no"
    if key in DATE_CLAIMS:
        return printed_date(dt.date.fromisoformat(str(value)))
    if key == "card_number":
        return format_card_number(str(value))
    return str(value)


def page_text(policy: Policy) -> dict[str, Any]:
    """The words of the answer, for the template and (as JSON) for verify.js."""
    site = policy.program.public_base_url.rstrip("/")
    phone = policy.program.help_phone
    return {
        "order": list(CLAIM_ORDER),
        "labels": LABELS,
        "verdicts": VERDICTS,
        "next_steps": {k: v.format(phone=phone, site=site) for k, v in NEXT_STEPS.items()},
    }


def present(outcome: dict[str, Any], policy: Policy) -> dict[str, Any]:
    """The server's answer, shaped as the page shows it (verify.js builds the same)."""
    text = page_text(policy)
    result = outcome["result"]
    claims = outcome.get("claims") or {}
    rows = [
        {"key": key, "label": LABELS[key], "value": display_value(key, claims[key])}
        for key in CLAIM_ORDER
        if claims.get(key) is not None
    ]
    return {
        "result": result,
        "ok": result == "valid",
        "verdict": VERDICTS.get(result, result),
        "message": outcome.get("message"),
        "next_step": text["next_steps"].get(result, text["next_steps"]["malformed"]),
        "photo": claims.get("photo"),
        "rows": rows,
        "status_checked": outcome.get("status_checked", False),
    }
