"""The desk form's fields: what the wizard's steps carry, and how they become an
applicant line (the same JSON the API and `cityid enroll` take). Pure: no database."""

from __future__ import annotations

from typing import Any

from babel import Locale, UnknownLocaleError
from starlette.datastructures import FormData

from cityid.cards.issuance import language_name

STEPS = ("applicant", "documents", "photo", "review")
DOCUMENT_ROWS = 4
MAX_PHOTO_BYTES = 5 * 1024 * 1024
APPLICANT_FIELDS = (
    "given_name", "family_name", "date_of_birth", "line1", "line2", "city", "state",
    "postal_code", "gender", "language", "veteran", "organ_donor", "caretaker_present",
    "pickup_at_centre", "ec_name", "ec_phone", "ec_relationship", "centre",
    "contact_email", "contact_phone", "notices_opt_out",
)  # fmt: skip
DOCUMENT_FIELDS = ("type", "number", "country", "expires", "mrz")
# The caretaker's proof: who they are ("id") and their bond to the applicant ("rel").
CARETAKER_FIELDS = (
    "ct_relationship",
    *(f"ct_{w}_{f}" for w in ("id", "rel") for f in ("type", "number", "country", "expires")),
)


def form_values(form: FormData) -> dict[str, str]:
    """Every text field the wizard knows, from the posted form."""
    names = [*APPLICANT_FIELDS, *CARETAKER_FIELDS, "photo_b64", "intake_key", "pre_reference"]
    names.append("appointment_reference")
    names += [f"doc{i}_{f}" for i in range(DOCUMENT_ROWS) for f in DOCUMENT_FIELDS]
    found: dict[str, str] = {}
    for name in names:
        value = form.get(name)
        if isinstance(value, str):
            found[name] = value
    return found


def to_line(values: dict[str, str]) -> dict[str, Any]:
    """The wizard's fields as an applicant line (INTERFACE.md shape)."""
    line: dict[str, Any] = {
        "given_name": values.get("given_name", ""),
        "family_name": values.get("family_name", ""),
        "date_of_birth": values.get("date_of_birth", ""),
        "address": {
            "line1": values.get("line1", ""),
            "line2": values.get("line2", ""),
            "city": values.get("city", ""),
            "state": values.get("state", ""),
            "postal_code": values.get("postal_code", ""),
        },
        "veteran": values.get("veteran") == "on",
        "organ_donor": values.get("organ_donor") == "on",
        "caretaker_present": values.get("caretaker_present") == "on",
        "pickup_at_centre": values.get("pickup_at_centre") == "on",
        "notices_opt_out": values.get("notices_opt_out") == "on",
        "documents": [],
    }
    for key in ("gender", "language", "centre", "contact_email", "contact_phone"):
        if values.get(key):
            line[key] = values[key]
    if values.get("ec_name"):
        line["emergency_contact"] = {
            "name": values["ec_name"],
            "phone": values.get("ec_phone", ""),
            "relationship": values.get("ec_relationship", ""),
        }
    for i in range(DOCUMENT_ROWS):
        kind = values.get(f"doc{i}_type", "")
        if not kind:
            continue
        doc: dict[str, Any] = {
            "type": kind,
            "number": values.get(f"doc{i}_number", ""),
            "issuing_country": values.get(f"doc{i}_country", ""),
            "expires": values.get(f"doc{i}_expires") or None,
        }
        if values.get(f"doc{i}_mrz"):
            doc["mrz"] = values[f"doc{i}_mrz"]
        line["documents"].append(doc)
    if values.get("photo_b64"):
        line["photo"] = values["photo_b64"]
    if values.get("ct_relationship"):
        line["caretaker"] = {
            "relationship": values["ct_relationship"],
            "documents": [
                {
                    "type": values.get(f"ct_{which}_type", ""),
                    "number": values.get(f"ct_{which}_number", ""),
                    "issuing_country": values.get(f"ct_{which}_country", ""),
                    "expires": values.get(f"ct_{which}_expires") or None,
                }
                for which in ("id", "rel")
                if values.get(f"ct_{which}_type")
            ],
        }
    return line


def step_errors(errors: list[tuple[str, str]], step: str) -> list[tuple[str, str]]:
    """The errors that belong to the fields of one step."""
    if step == "applicant":
        return [e for e in errors if not e[0].startswith(("documents", "photo"))]
    if step == "documents":
        return [e for e in errors if e[0].startswith("documents")]
    if step == "photo":
        return [e for e in errors if e[0].startswith("photo")]
    return errors


def language_choices(codes: list[str]) -> list[tuple[str, str]]:
    """(code, label): the language in its own words first ("Español (Spanish)")."""
    choices = []
    for code in codes:
        own = language_name(code) or code
        own = own[:1].upper() + own[1:]
        try:
            english = Locale.parse(code).get_language_name("en") or ""
        except (UnknownLocaleError, ValueError):
            english = ""
        same = english.casefold() == own.casefold() or not english
        choices.append((code, own if same else f"{own} ({english})"))
    return choices
