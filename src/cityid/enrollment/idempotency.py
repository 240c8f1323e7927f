"""Idempotent intake: a retried request with the same key gets the first answer.

A desk client that times out cannot know whether its application went in. It sends the
request again with the same `Idempotency-Key`; the key, per staff member, is kept a day
with the first response, and the retry gets that response back (and an audit entry)
instead of a second enrollment. The same key with a different request is refused: it is
a client's mistake, and guessing which request it meant could enroll the wrong person.

The request itself is never kept: only a salted SHA-256 of it, enough to tell a retry
from a reused key.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import secrets
from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa

from cityid.audit import log as audit_log
from cityid.enrollment.tables import intake_requests
from cityid.errors import BadInput, Refused
from cityid.staff.actor import Actor
from cityid.store.uow import UnitOfWork

KEEP_FOR = dt.timedelta(days=1)
IDEMPOTENCY_KEY_PATTERN = r"^[A-Za-z0-9._:-]{8,64}$"
_KEY = re.compile(IDEMPOTENCY_KEY_PATTERN)


class KeyReused(Refused):
    code = "idempotency_key_reused"


class KeyInFlight(Refused):
    code = "idempotency_key_in_flight"


def check_key(key: str) -> str:
    if not _KEY.fullmatch(key):
        raise BadInput(
            "Idempotency-Key: 8 to 64 letters, digits, '.', '_', ':' or '-' (a UUID will do)"
        )
    return key


def _digest(salt: bytes, request: Mapping[str, Any]) -> str:
    canonical = json.dumps(request, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(salt + canonical.encode()).hexdigest()


def recall(
    uow: UnitOfWork, actor: Actor, key: str, request: Mapping[str, Any], now: dt.datetime
) -> dict[str, Any] | None:
    """The first response to this key, if it is a retry of the same request."""
    row = uow.conn.execute(
        sa.select(intake_requests).where(
            intake_requests.c.actor_id == actor.user_id,
            intake_requests.c.idempotency_key == key,
            intake_requests.c.created_at >= now - KEEP_FOR,
        )
    ).first()
    if row is None:
        return None
    if not secrets.compare_digest(row.request_sha256, _digest(bytes(row.salt), request)):
        raise KeyReused("this Idempotency-Key was used for a different application; use a new key")
    response: dict[str, Any] = json.loads(row.response)
    audit_log.append(
        uow, actor, "application.intake_replayed",
        [response["application_id"]] if response["application_id"] else [],
        reason="idempotent_retry",
    )  # fmt: skip
    return response


def remember(
    uow: UnitOfWork,
    actor: Actor,
    key: str,
    request: Mapping[str, Any],
    response: Mapping[str, Any],
    now: dt.datetime,
) -> None:
    """Keep the response for retries, in the intake's own transaction; forget old keys."""
    # Expired keys go first, this one's earlier use among them (`recall` found none).
    uow.conn.execute(intake_requests.delete().where(intake_requests.c.created_at < now - KEEP_FOR))
    salt = secrets.token_bytes(16)
    try:
        uow.conn.execute(
            intake_requests.insert().values(
                actor_id=actor.user_id, idempotency_key=key, salt=salt,
                request_sha256=_digest(salt, request), response=json.dumps(dict(response)),
                created_at=now,
            )
        )  # fmt: skip
    except sa.exc.IntegrityError:
        # The same key committed by a concurrent request: this one rolls back entirely.
        raise KeyInFlight(
            "a request with this Idempotency-Key was taken in meanwhile; send it again "
            "to get its answer"
        ) from None
