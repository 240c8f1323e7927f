"""The witnesses the log asks for cosignatures: name, URL prefix and verifier key."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

import sqlalchemy as sa

from cityid.audit import log as audit_log
from cityid.audit.cosignature import parse_cosigner_vkey
from cityid.audit.tables import audit_witnesses
from cityid.errors import BadInput, Refused
from cityid.policy import Policy
from cityid.staff.actor import Actor
from cityid.staff.permissions import authorize
from cityid.store.uow import UnitOfWork

# A label that may stand in an audit entry (see audit.entry's opaque ids).
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9._:/#-]{0,127}")


@dataclass(frozen=True)
class Witness:
    name: str
    url: str
    vkey: str
    added_at: dt.datetime


def add_witness(
    uow: UnitOfWork, policy: Policy, actor: Actor, name: str, url: str, vkey: str
) -> Witness:
    """Register a witness (admins only); recorded in the audit log."""
    authorize(policy, actor, "keys.manage")
    if not _NAME.fullmatch(name):
        raise BadInput("a witness name is 1 to 128 letters, digits and ._:/#- (say w1)")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise BadInput("a witness URL is its http(s) submission prefix, without query")
    if len(url) > 500:
        raise BadInput("a witness URL is at most 500 characters")
    cosigner = parse_cosigner_vkey(vkey)
    taken = uow.conn.execute(
        sa.select(audit_witnesses.c.name).where(
            (audit_witnesses.c.name == name) | (audit_witnesses.c.vkey == cosigner.vkey)
        )
    ).first()
    if taken is not None:
        raise Refused("a witness with that name or key is already registered")
    now = dt.datetime.now(dt.UTC)
    uow.conn.execute(
        audit_witnesses.insert().values(
            name=name, url=url.rstrip("/"), vkey=cosigner.vkey, added_at=now
        )
    )
    audit_log.append(uow, actor, "audit.witness.add", [name], reason="log_witnessing")
    return Witness(name, url.rstrip("/"), cosigner.vkey, now)


def list_witnesses(uow: UnitOfWork) -> list[Witness]:
    rows = uow.conn.execute(sa.select(audit_witnesses).order_by(audit_witnesses.c.name)).all()
    return [Witness(row.name, row.url, row.vkey, row.added_at) for row in rows]
