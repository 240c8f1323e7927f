"""Shared helpers for the retention tests: staff, a synthetic backlog, state snapshots."""

from __future__ import annotations

import base64
import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from cityid.crypto import KeyDestroyed, SealedKey, open_field, open_record_key
from cityid.devtools.synth.applicants import generate_applicants
from cityid.enrollment.tables import applications, document_copies
from cityid.operations.accounts import add_user
from cityid.retention.tables import tombstones
from cityid.runtime import Runtime
from cityid.staff.actor import Actor
from cityid.store.uow import UnitOfWork

PASSWORD = "a long enough test password 42"
ADMIN = Actor("admin-bootstrap", "admin-bootstrap", "admin")


@dataclass(frozen=True)
class Staff:
    officer: Actor
    officer2: Actor
    counsel: Actor
    admin: Actor


def make_staff(runtime: Runtime) -> Staff:
    with UnitOfWork(runtime.engine) as uow:
        made = {
            name: add_user(
                uow, runtime.policy, username=name, role=role, password=PASSWORD, by=ADMIN
            )
            for name, role in (
                ("rhoda", "records_officer"),
                ("rafael", "records_officer"),
                ("celia", "counsel"),
                ("ada", "admin"),
            )
        }
        uow.commit()
    return Staff(made["rhoda"], made["rafael"], made["celia"], made["ada"])


def actors() -> Staff:
    """Staff as the services see them, without accounts (no password hashing: fast)."""
    return Staff(
        Actor("officer-1", "officer-1", "records_officer"),
        Actor("officer-2", "officer-2", "records_officer"),
        Actor("counsel-1", "counsel-1", "counsel"),
        Actor("admin-1", "admin-1", "admin"),
    )


def write_backlog(path: Path, count: int, *, seed: int = 7, bad_lines: tuple[int, ...] = ()) -> int:
    """A backlog file: synthetic applicants enrolled 2015-01..2016-11, small scans."""
    written = 0
    with path.open("w", encoding="utf-8") as out:
        lines = generate_applicants(count, seed=seed, today=dt.date(2016, 11, 30))
        for number, line in enumerate(lines, start=1):
            if number in bad_lines:
                out.write('{"given_name": "broken", "enrolled_on": "not a date"}\n')
                written += 1
                continue
            line.pop("truth", None)
            line["enrolled_on"] = dt.date(2015 + (number % 2), 1 + number % 11, 3).isoformat()
            for position, doc in enumerate(line["documents"]):
                doc["copy_b64"] = base64.b64encode(
                    b"SCAN %d/%d " % (number, position) + bytes(200)
                ).decode()
            out.write(json.dumps(line) + "\n")
            written += 1
    return written


def copy_state(runtime: Runtime) -> dict[str, str]:
    """Every document copy ever made, as "intact", "destroyed" (key gone) or "tombstoned"."""
    state: dict[str, str] = {}
    with UnitOfWork(runtime.engine, read_only=True) as uow:
        rows = uow.conn.execute(
            sa.select(
                document_copies.c.copy_id,
                document_copies.c.cohort_key_id,
                document_copies.c.wrapped_key,
                document_copies.c.s_image,
            )
        ).all()
        gone = uow.conn.execute(
            sa.select(tombstones.c.record_id).where(tombstones.c.record_class == "document_copy")
        ).scalars()
        for record_id in gone:
            state[record_id] = "tombstoned"
    for row in rows:
        try:
            key = open_record_key(
                runtime.keystore, SealedKey(row.cohort_key_id, bytes(row.wrapped_key)), row.copy_id
            )
            open_field(key, row.copy_id, "image", bytes(row.s_image))
            state[row.copy_id] = "intact" if row.copy_id not in state else "HALF"
        except KeyDestroyed:
            state[row.copy_id] = "destroyed" if row.copy_id not in state else "HALF"
    return state


def application_ids(runtime: Runtime) -> list[str]:
    with UnitOfWork(runtime.engine, read_only=True) as uow:
        return list(
            uow.conn.execute(
                sa.select(applications.c.application_id).order_by(applications.c.application_id)
            ).scalars()
        )


def copies_of(runtime: Runtime, application_id: str) -> list[str]:
    with UnitOfWork(runtime.engine, read_only=True) as uow:
        return list(
            uow.conn.execute(
                sa.select(document_copies.c.copy_id).where(
                    document_copies.c.application_id == application_id
                )
            ).scalars()
        )


def set_chunk_size(data_dir: Path, size: int) -> None:
    path = data_dir / "policy.toml"
    text = path.read_text("utf-8")
    text = text.replace("disposition_chunk_size = 5000", f"disposition_chunk_size = {size}")
    path.write_text(text, "utf-8")


def as_json(value: Any) -> Any:
    return json.loads(json.dumps(value, default=str))
