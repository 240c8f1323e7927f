"""What a request asks for (pure): named applications and fields, a date range, or statistics.

`{"application_ids": [...], "fields": [...], "from": "2014-01-01", "to": "2016-12-31"}`
asks for personal data; a date range with no ids ("all applicants 2014-2016") covers
everyone enrolled in it, and is still a personal-data request. `{"aggregate": true}`
asks for statistics only.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cityid.disclosure.rules import RELEASABLE_FIELDS, ScopeKind, check_fields
from cityid.errors import BadInput

MAX_NAMED_APPLICATIONS = 1000
_APPLICATION_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,31}")
_KEYS = {"application_ids", "fields", "from", "to", "aggregate"}


@dataclass(frozen=True)
class Scope:
    kind: ScopeKind
    application_ids: tuple[str, ...] = ()
    fields: tuple[str, ...] = ()
    date_from: dt.date | None = None
    date_to: dt.date | None = None

    @property
    def covers_everyone_in_range(self) -> bool:
        return self.kind == "personal" and not self.application_ids

    def to_json(self) -> dict[str, Any]:
        if self.kind == "aggregate":
            found: dict[str, Any] = {"aggregate": True}
        else:
            found = {"application_ids": list(self.application_ids), "fields": list(self.fields)}
        if self.date_from is not None:
            found["from"] = self.date_from.isoformat()
        if self.date_to is not None:
            found["to"] = self.date_to.isoformat()
        return found


def parse_scope(raw: str | Mapping[str, Any]) -> Scope:
    """A scope from its JSON (text or parsed); `BadInput` names what is wrong."""
    data: Any = raw
    if isinstance(raw, str):
        try:
            data = json.loads(raw)
        except ValueError:
            raise BadInput("the scope is not JSON") from None
    if not isinstance(data, Mapping):
        raise BadInput("the scope must be a JSON object")
    unknown = sorted(set(data) - _KEYS)
    if unknown:
        raise BadInput(f"the scope has unknown keys: {', '.join(unknown)}")
    date_from = _date(data.get("from"), "from")
    date_to = _date(data.get("to"), "to")
    if date_from and date_to and date_from > date_to:
        raise BadInput("the scope's 'from' is after its 'to'")
    if data.get("aggregate") is True:
        if data.get("application_ids") or data.get("fields"):
            raise BadInput("an aggregate scope names no applications and no fields")
        return Scope(kind="aggregate", date_from=date_from, date_to=date_to)
    if "aggregate" in data and data["aggregate"] is not False:
        raise BadInput("'aggregate' must be true or false")
    ids = _strings(data.get("application_ids", []), "application_ids")
    if len(ids) > MAX_NAMED_APPLICATIONS:
        raise BadInput(f"a scope names at most {MAX_NAMED_APPLICATIONS} applications")
    bad_ids = [i for i in ids if not _APPLICATION_ID.fullmatch(i)]
    if bad_ids:
        raise BadInput("application_ids must be application ids")
    fields = _strings(data.get("fields", []), "fields")
    unknown_fields = check_fields(fields)
    if unknown_fields:
        raise BadInput(
            f"unknown fields: {', '.join(unknown_fields)} "
            f"(releasable: {', '.join(RELEASABLE_FIELDS)})"
        )
    if not ids and date_from is None and date_to is None:
        raise BadInput("a personal scope names application_ids or a date range (from, to)")
    return Scope(
        kind="personal",
        application_ids=tuple(dict.fromkeys(ids)),
        fields=tuple(dict.fromkeys(fields)),
        date_from=date_from,
        date_to=date_to,
    )


def _date(value: object, name: str) -> dt.date | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise BadInput(f"the scope's '{name}' must be a date (YYYY-MM-DD)")
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise BadInput(f"the scope's '{name}' must be a date (YYYY-MM-DD)") from None


def _strings(value: object, name: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise BadInput(f"the scope's '{name}' must be a list of strings")
    return list(value)
