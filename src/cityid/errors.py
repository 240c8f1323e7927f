"""Typed errors that every door (CLI, API, console) turns into the same answer.

Each error carries a stable machine `code` and a `message` a person can read. Messages
never contain personal data: they name fields and record ids, never values.
"""

from __future__ import annotations


class CityIdError(Exception):
    """Base of every error cityid reports on purpose. Anything else is a bug."""

    code = "error"
    http_status = 400

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code

    def to_json(self) -> dict[str, dict[str, str]]:
        return {"error": {"code": self.code, "message": self.message}}


class BadInput(CityIdError):
    """The caller sent something malformed (exit 2 on the CLI only for usage errors)."""

    code = "bad_input"
    http_status = 422


class NotFound(CityIdError):
    code = "not_found"
    http_status = 404


class Refused(CityIdError):
    """The operation is understood but the rules (or a hold, or state) refuse it."""

    code = "refused"
    http_status = 409


class Forbidden(CityIdError):
    """The actor's role does not permit this."""

    code = "forbidden"
    http_status = 403


class Unauthenticated(CityIdError):
    code = "unauthenticated"
    http_status = 401


class Unavailable(CityIdError):
    """A dependency (database, keystore) does not answer."""

    code = "unavailable"
    http_status = 503


class ConfigError(CityIdError):
    """Settings, the policy file or the data dir are wrong; start-up stops."""

    code = "config"
    http_status = 500
