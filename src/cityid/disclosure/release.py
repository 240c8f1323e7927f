"""Release packages: only the granted fields, as JSON and as a PDF marked with the request id.

Fields are opened one by one through enrollment's sealed-field functions, so nothing
beyond the grant is ever decrypted; every application released is audited with the
request id, the application id and the field names (never values).
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from collections import Counter
from typing import Any

import sqlalchemy as sa

from cityid.audit import log as audit_log
from cityid.audit.log import Event
from cityid.crypto import RecordSealer
from cityid.disclosure.holdings import held_rows
from cityid.disclosure.requests import GRANTING, load_request
from cityid.disclosure.scope import Scope, parse_scope
from cityid.disclosure.tables import disclosure_requests
from cityid.enrollment.repository import load_documents, open_bytes, open_text
from cityid.enrollment.tables import applications
from cityid.errors import Refused
from cityid.runtime import Runtime
from cityid.staff.actor import Actor
from cityid.staff.permissions import authorize
from cityid.store.uow import UnitOfWork

PACKAGE_FORMAT = "cityid-disclosure-package/1"
_CHUNK = 1000


def build_package(
    uow: UnitOfWork, runtime: Runtime, actor: Actor, request_id: str
) -> dict[str, Any]:
    """The release for a decided request. A refusal's package is the answer, with no data."""
    authorize(runtime.policy, actor, "disclosure.release")
    row = load_request(uow, request_id)
    if row.status != "decided":
        raise Refused(f"request {request_id} is not decided yet; counsel decides first")
    scope = parse_scope(row.scope)
    fields: list[str] = json.loads(row.granted_fields)
    package: dict[str, Any] = {
        "format": PACKAGE_FORMAT,
        "program": runtime.policy.program.name,
        "request_id": request_id,
        "requester_kind": row.requester_kind,
        "instrument": row.instrument,
        "received_on": row.received_on.isoformat(),
        "decision": row.decision,
        "rule": row.rule,
        "fields": fields,
        "generated_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "records": [],
    }
    if row.decision not in GRANTING:
        audit_log.append(
            uow, actor, "disclosure.release", [request_id], reason="no_release",
            extra={"decision": row.decision, "records": 0},
        )  # fmt: skip
        return package
    if scope.kind == "aggregate":
        package["statistics"] = _statistics(uow, scope)
        audit_log.append(
            uow, actor, "disclosure.release", [request_id], reason="aggregate",
            extra={"records": 0},
        )  # fmt: skip
    else:
        package["records"] = _records(uow, runtime, actor, request_id, scope, fields)
    _mark_released(uow, request_id)
    return package


def _records(
    uow: UnitOfWork,
    runtime: Runtime,
    actor: Actor,
    request_id: str,
    scope: Scope,
    fields: list[str],
) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = []
    with RecordSealer(runtime.keystore) as sealer:
        for app in held_rows(uow, scope, sealer):
            record: dict[str, Any] = {"application_id": app.application_id}
            for name in fields:
                record[name] = _field(uow, sealer, app, name)
            records.append(record)
    released = [r["application_id"] for r in records]
    if released:
        audit_log.append_many(
            uow,
            [
                Event(
                    actor,
                    "disclosure.release",
                    [request_id, *released[i : i + _CHUNK]],
                    reason="disclosure",
                    extra={"fields": fields, "records": len(released[i : i + _CHUNK])},
                )
                for i in range(0, len(released), _CHUNK)
            ],
        )
    if scope.application_ids:
        held = set(released)
        for missing in scope.application_ids:
            if missing not in held:
                records.append({"application_id": missing, "no_records": True})
    return records


def _field(uow: UnitOfWork, sealer: RecordSealer, app: Any, name: str) -> Any:
    if name in ("given_name", "family_name", "date_of_birth", "language"):
        return open_text(sealer, app, name)
    if name == "address":
        return json.loads(open_text(sealer, app, "address") or "null")
    if name == "emergency_contact":
        return json.loads(open_text(sealer, app, "contact") or "null")
    if name in ("gender", "veteran", "organ_donor"):
        return json.loads(open_text(sealer, app, "options") or "{}").get(name)
    if name == "photo":
        data = open_bytes(sealer, app, "photo")
        return None if data is None else {"jpeg_base64": base64.b64encode(data).decode()}
    if name == "status":
        return app.status
    if name == "enrolled_on":
        return app.enrolled_on.isoformat()
    if name == "centre":
        return app.centre
    if name == "documents":
        return [
            {"type": d.type, "points": d.points, "copy": d.copy}
            for d in load_documents(uow, app.application_id)
        ]
    raise ValueError(f"not a releasable field: {name}")


def _statistics(uow: UnitOfWork, scope: Scope) -> dict[str, Any]:
    """Counts only, by enrollment year and status: the FOIL answer anyone may have."""
    year = sa.func.substr(sa.cast(applications.c.enrolled_on, sa.String), 1, 4)
    query = sa.select(year.label("year"), applications.c.status, sa.func.count().label("n"))
    if scope.date_from is not None:
        query = query.where(applications.c.enrolled_on >= scope.date_from)
    if scope.date_to is not None:
        query = query.where(applications.c.enrolled_on <= scope.date_to)
    rows = uow.conn.execute(query.group_by(year, applications.c.status)).all()
    by_year: Counter[str] = Counter()
    by_status: Counter[str] = Counter()
    for row in rows:
        by_year[str(row.year)] += int(row.n)
        by_status[str(row.status)] += int(row.n)
    return {
        "applications_held": sum(by_year.values()),
        "by_enrollment_year": dict(sorted(by_year.items())),
        "by_status": dict(sorted(by_status.items())),
    }


def _mark_released(uow: UnitOfWork, request_id: str) -> None:
    uow.conn.execute(
        disclosure_requests.update()
        .where(
            disclosure_requests.c.request_id == request_id,
            disclosure_requests.c.first_released_at.is_(None),
        )
        .values(first_released_at=dt.datetime.now(dt.UTC))
    )


def package_json(package: dict[str, Any]) -> bytes:
    return json.dumps(package, ensure_ascii=False, indent=2, sort_keys=False).encode()
