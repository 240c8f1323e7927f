"""What an audit action means to the resident reading their access report.

The log's action codes are many and grow with every feature; a resident needs a
handful of plain kinds. Exact codes are matched first, then the code's room (the
part before the dot); a code nobody has named yet is `OTHER`, never shown raw.
"""

from __future__ import annotations

from enum import StrEnum


class AccessKind(StrEnum):
    TAKEN = "taken"
    OPENED = "opened"
    FOUND_IN_SEARCH = "found_in_search"
    STATUS_CHECKED = "status_checked"
    COMPARED = "compared"
    REVIEWED = "reviewed"
    REFUSED = "refused"
    EXCEPTION = "exception"
    REPORT = "report"
    SELF_SERVICE = "self_service"
    DECISION = "decision"
    CARD = "card"
    MESSAGE = "message"
    DISCLOSURE = "disclosure"
    HOLD = "hold"
    RETENTION = "retention"
    APPOINTMENT = "appointment"
    OTHER = "other"


# English words, for the CLI and the console; the resident pages translate the kind.
KIND_WORDS: dict[AccessKind, str] = {
    AccessKind.TAKEN: "application taken",
    AccessKind.OPENED: "record opened",
    AccessKind.FOUND_IN_SEARCH: "found in a search",
    AccessKind.STATUS_CHECKED: "status checked",
    AccessKind.COMPARED: "compared for duplicates",
    AccessKind.REVIEWED: "review of a possible duplicate",
    AccessKind.REFUSED: "opening refused",
    AccessKind.EXCEPTION: "exception granted",
    AccessKind.REPORT: "access report made",
    AccessKind.SELF_SERVICE: "resident's own visit",
    AccessKind.DECISION: "decision or change",
    AccessKind.CARD: "card made or delivered",
    AccessKind.MESSAGE: "message sent",
    AccessKind.DISCLOSURE: "request for records",
    AccessKind.HOLD: "legal hold",
    AccessKind.RETENTION: "destruction on schedule",
    AccessKind.APPOINTMENT: "appointment",
    AccessKind.OTHER: "other step",
}

_EXACT: dict[str, AccessKind] = {
    "application.create": AccessKind.TAKEN,
    "application.import": AccessKind.TAKEN,
    "application.intake_replayed": AccessKind.TAKEN,
    "application.read": AccessKind.OPENED,
    "application.show": AccessKind.OPENED,
    "card.read": AccessKind.OPENED,
    "application.search": AccessKind.FOUND_IN_SEARCH,
    "application.status_check": AccessKind.STATUS_CHECKED,
    "application.issue": AccessKind.CARD,
    "access.refused": AccessKind.REFUSED,
    "access.exception_granted": AccessKind.EXCEPTION,
    "access.report": AccessKind.REPORT,
    "access.self_service": AccessKind.SELF_SERVICE,
    "card.self_service": AccessKind.SELF_SERVICE,
}
_ROOMS: dict[str, AccessKind] = {
    "application": AccessKind.DECISION,
    "matching": AccessKind.COMPARED,
    "review": AccessKind.REVIEWED,
    "card": AccessKind.CARD,
    "production": AccessKind.CARD,
    "notice": AccessKind.MESSAGE,
    "code": AccessKind.MESSAGE,
    "disclosure": AccessKind.DISCLOSURE,
    "hold": AccessKind.HOLD,
    "retention": AccessKind.RETENTION,
    "booking": AccessKind.APPOINTMENT,
    "appointment": AccessKind.APPOINTMENT,
}


def kind_of(action: str) -> AccessKind:
    """The kind of an audit action code ("room.verb"); `OTHER` when unknown."""
    if action in _EXACT:
        return _EXACT[action]
    return _ROOMS.get(action.partition(".")[0], AccessKind.OTHER)
