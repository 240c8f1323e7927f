"""Turning a service's typed result into the JSON a door prints or returns.

Services answer with frozen dataclasses and `StrEnum` statuses; the doors (the CLI's
`emit`, the web routes) call `to_json` once, at the edge. The output is exactly what the
services used to return as dicts: fields in declaration order, enums as their values,
dates as YYYY-MM-DD. Datetimes are left as they are, so each door keeps rendering them
as it always has. Fields declared with `OMIT_NONE` are left out while they are None,
for the few answers whose keys depend on what happened (a receipt of format /1 has no
leaf).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
from typing import Any

OMIT_NONE = {"omit_none": True}
"""Field metadata: leave the key out of the JSON while its value is None."""


def to_json(value: Any) -> Any:
    """Dataclasses, enums and dates inside `value`, recursively, as plain JSON values."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out: dict[str, Any] = {}
        for field in dataclasses.fields(value):
            item = getattr(value, field.name)
            if item is None and field.metadata.get("omit_none"):
                continue
            out[field.name] = to_json(item)
        return out
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dict):
        return {key: to_json(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [to_json(item) for item in value]
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value.isoformat()
    return value
