"""A legal hold's scope as a predicate over records (pure: no database, no web).

A scope is JSON such as `{"record_classes": ["document_copy"]}`, `{"all": true}`, or any
mix of `record_classes`, `enrolled_from`, `enrolled_to` (inclusive dates), `centres` and
`application_ids`. Every condition given must hold (they narrow each other); `all`
stands alone. A record is judged by its facts, which never change after enrollment, so
a hold covers records created after it was placed whenever they match.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from cityid.errors import BadInput
from cityid.vocabulary import RECORD_CLASSES

SCOPE_KEYS = ("all", "record_classes", "enrolled_from", "enrolled_to", "centres", "application_ids")
MAX_LISTED = 100_000


class BadScope(BadInput):
    code = "bad_scope"


@dataclass(frozen=True)
class RecordFacts:
    """What a hold can look at: the record's class and its application's enrollment."""

    record_class: str
    application_id: str | None
    enrolled_on: dt.date | None
    centre: str | None


@dataclass(frozen=True)
class HoldScope:
    everything: bool = False
    record_classes: frozenset[str] | None = None
    enrolled_from: dt.date | None = None
    enrolled_to: dt.date | None = None
    centres: frozenset[str] | None = None
    application_ids: frozenset[str] | None = None

    def covers(self, facts: RecordFacts) -> bool:
        if self.everything:
            return True
        if self.record_classes is not None and facts.record_class not in self.record_classes:
            return False
        if self.application_ids is not None and facts.application_id not in self.application_ids:
            return False
        if self.centres is not None and facts.centre not in self.centres:
            return False
        if self.enrolled_from is not None or self.enrolled_to is not None:
            if facts.enrolled_on is None:
                return False
            if self.enrolled_from is not None and facts.enrolled_on < self.enrolled_from:
                return False
            if self.enrolled_to is not None and facts.enrolled_on > self.enrolled_to:
                return False
        return True

    def covers_any(self, facts: RecordFacts, classes: Iterable[str]) -> bool:
        """True if the scope covers the record seen as any of `classes` (for cascades)."""
        return any(
            self.covers(RecordFacts(name, facts.application_id, facts.enrolled_on, facts.centre))
            for name in classes
        )

    def covers_any_of(
        self, classes: Iterable[str]
    ) -> Callable[[str | None, dt.date | None, str | None], bool]:
        """`covers_any` for many records of the same classes: a predicate over a record's
        (application id, enrollment date, centre), with the class test done once."""
        if self.everything:
            return lambda _application_id, _enrolled_on, _centre: True
        if self.record_classes is not None and self.record_classes.isdisjoint(classes):
            return lambda _application_id, _enrolled_on, _centre: False
        application_ids, centres = self.application_ids, self.centres
        start, end = self.enrolled_from, self.enrolled_to

        def covers(
            application_id: str | None, enrolled_on: dt.date | None, centre: str | None
        ) -> bool:
            if application_ids is not None and application_id not in application_ids:
                return False
            if centres is not None and centre not in centres:
                return False
            if start is not None or end is not None:
                if enrolled_on is None:
                    return False
                if start is not None and enrolled_on < start:
                    return False
                if end is not None and enrolled_on > end:
                    return False
            return True

        return covers

    def to_json(self) -> dict[str, Any]:
        if self.everything:
            return {"all": True}
        out: dict[str, Any] = {}
        if self.record_classes is not None:
            out["record_classes"] = sorted(self.record_classes)
        if self.enrolled_from is not None:
            out["enrolled_from"] = self.enrolled_from.isoformat()
        if self.enrolled_to is not None:
            out["enrolled_to"] = self.enrolled_to.isoformat()
        if self.centres is not None:
            out["centres"] = sorted(self.centres)
        if self.application_ids is not None:
            out["application_ids"] = sorted(self.application_ids)
        return out

    def dumps(self) -> str:
        return json.dumps(self.to_json(), sort_keys=True, separators=(",", ":"))


def _names(value: Any, key: str) -> frozenset[str]:
    if not isinstance(value, list) or not value:
        raise BadScope(f"scope.{key} must be a non-empty list")
    if len(value) > MAX_LISTED:
        raise BadScope(f"scope.{key} lists more than {MAX_LISTED} entries")
    if not all(isinstance(item, str) and item.strip() for item in value):
        raise BadScope(f"scope.{key} must list non-empty strings")
    return frozenset(item.strip() for item in value)


def _date(value: Any, key: str) -> dt.date:
    if not isinstance(value, str):
        raise BadScope(f"scope.{key} must be a date YYYY-MM-DD")
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise BadScope(f"scope.{key} must be a date YYYY-MM-DD") from None


def parse_scope(raw: str | Mapping[str, Any]) -> HoldScope:
    """A validated scope from JSON text or a decoded object; `BadScope` says what is wrong."""
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except (json.JSONDecodeError, RecursionError):
            raise BadScope("the scope is not valid JSON") from None
    if not isinstance(raw, Mapping) or not raw:
        raise BadScope("the scope must be a non-empty JSON object")
    unknown = sorted(set(raw) - set(SCOPE_KEYS))
    if unknown:
        raise BadScope(f"unknown scope keys: {', '.join(unknown)}")
    if "all" in raw:
        if raw["all"] is not True or len(raw) > 1:
            raise BadScope('scope.all must be true and stand alone: {"all": true}')
        return HoldScope(everything=True)
    classes = None
    if "record_classes" in raw:
        classes = _names(raw["record_classes"], "record_classes")
        bad = sorted(classes - set(RECORD_CLASSES))
        if bad:
            raise BadScope(f"unknown record classes: {', '.join(bad)}")
    start = _date(raw["enrolled_from"], "enrolled_from") if "enrolled_from" in raw else None
    end = _date(raw["enrolled_to"], "enrolled_to") if "enrolled_to" in raw else None
    if start and end and start > end:
        raise BadScope("scope.enrolled_from is after scope.enrolled_to")
    return HoldScope(
        record_classes=classes,
        enrolled_from=start,
        enrolled_to=end,
        centres=_names(raw["centres"], "centres") if "centres" in raw else None,
        application_ids=(
            _names(raw["application_ids"], "application_ids") if "application_ids" in raw else None
        ),
    )
