"""Status lists from the database: allocating indexes, building and signing lists.

Allocation is one `UPDATE ... SET next_index = next_index + 1 ... RETURNING`: the row
lock it takes (PostgreSQL) or the write lock every writer takes at BEGIN (SQLite) means
two processes never get the same index. A full list is followed by a new one.

The n-th card of a list does not get index n: each list keeps a random permutation of
its indexes (`slot_order`, made with the `secrets` generator when the list opens) and
hands out its n-th entry. Every verifier sees the index, and the Token Status List
draft's privacy advice is that it should not reveal the order of issue (cards issued
together would sit together, and the index would date the card). No index is ever
handed out twice, even after a card's row is destroyed.

A list is rebuilt from the cards rows each time it is asked for, so every worker
serves the same bits, and a revocation shows in the very next list fetched.
"""

from __future__ import annotations

import datetime as dt
import secrets
import struct
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from cityid.cards.status_list import (
    Status,
    StatusList,
    VerifiedStatusList,
    sign_status_list,
    sign_status_list_jwt,
)
from cityid.cards.tables import card_status_lists, cards
from cityid.errors import NotFound
from cityid.runtime import Runtime
from cityid.store.uow import UnitOfWork
from cityid.vocabulary import ISSUER_PURPOSE

STATUS_BITS = 2  # 0 valid, 1 revoked, 2 suspended
SLOT_BYTES = 4
# What each card status puts in the list; anything else reads as valid (0).
_STATUS_BITS_OF = {
    "revoked": Status.INVALID,
    "replaced": Status.INVALID,
    "suspended": Status.SUSPENDED,
}


@dataclass(frozen=True)
class Slot:
    list_number: int
    index: int


def status_list_uri(runtime: Runtime, list_number: int) -> str:
    base = runtime.policy.program.public_base_url.rstrip("/")
    return f"{base}/status-lists/{list_number}"


def new_slot_order(size: int, *, taken: int = 0) -> bytes:
    """Indexes 0..size-1 in the order to hand them out: the first `taken` as they were
    (lists from before the shuffle), the rest in a random order."""
    rest = list(range(taken, size))
    secrets.SystemRandom().shuffle(rest)
    return struct.pack(f"<{size}I", *range(taken), *rest)


def _slot_at(uow: UnitOfWork, list_number: int, position: int) -> int:
    """Entry `position` of the list's slot order (read in the database: 4 bytes, not the
    whole order); a list without one is given one now, its used slots kept."""
    lists = card_status_lists.c
    found = uow.conn.execute(
        sa.select(
            sa.func.substr(lists.slot_order, position * SLOT_BYTES + 1, SLOT_BYTES), lists.size
        ).where(lists.list_number == list_number)
    ).one()
    entry, size = found
    if entry is None:
        uow.conn.execute(
            card_status_lists.update()
            .where(lists.list_number == list_number)
            .values(slot_order=new_slot_order(int(size), taken=position + 1))
        )
        return position  # the next slot in the old order; those after it are shuffled
    (index,) = struct.unpack("<I", bytes(entry))
    return int(index)


def allocate(uow: UnitOfWork, size: int) -> Slot:
    """The next free (list, index); opens a new list of `size` when the last is full."""
    for _attempt in range(5):
        newest = sa.select(sa.func.max(card_status_lists.c.list_number)).scalar_subquery()
        row = uow.conn.execute(
            card_status_lists.update()
            .where(card_status_lists.c.list_number == newest)
            .where(card_status_lists.c.next_index < card_status_lists.c.size)
            .values(next_index=card_status_lists.c.next_index + 1)
            .returning(card_status_lists.c.list_number, card_status_lists.c.next_index)
        ).first()
        if row is not None:
            number = int(row.list_number)
            return Slot(number, _slot_at(uow, number, int(row.next_index) - 1))
        last = uow.conn.execute(sa.select(sa.func.max(card_status_lists.c.list_number))).scalar()
        order = new_slot_order(size)
        try:
            with uow.conn.begin_nested():
                uow.conn.execute(
                    card_status_lists.insert().values(
                        list_number=int(last or 0) + 1,
                        size=size,
                        bits=STATUS_BITS,
                        next_index=1,
                        created_at=dt.datetime.now(dt.UTC),
                        slot_order=order,
                    )
                )
            return Slot(int(last or 0) + 1, struct.unpack_from("<I", order)[0])
        except IntegrityError:
            continue  # another process opened that list first: take a slot in it
    raise RuntimeError("could not allocate a status list index")  # pragma: no cover


def list_numbers(uow: UnitOfWork) -> list[int]:
    rows = uow.conn.execute(
        sa.select(card_status_lists.c.list_number).order_by(card_status_lists.c.list_number)
    )
    return [int(r.list_number) for r in rows]


def build(uow: UnitOfWork, list_number: int) -> StatusList:
    """The list as the database says it is now."""
    found = uow.conn.execute(
        sa.select(card_status_lists.c.size, card_status_lists.c.bits).where(
            card_status_lists.c.list_number == list_number
        )
    ).first()
    if found is None:
        raise NotFound(f"no status list {list_number}")
    status_list = StatusList(int(found.size), int(found.bits))
    flagged = uow.conn.execute(
        sa.select(cards.c.status_index, cards.c.status).where(
            cards.c.status_list == list_number, cards.c.status.in_(list(_STATUS_BITS_OF))
        )
    )
    for row in flagged:
        status_list.set(int(row.status_index), _STATUS_BITS_OF[row.status])
    return status_list


def signed_token(
    runtime: Runtime, uow: UnitOfWork, list_number: int, *, now: dt.datetime | None = None
) -> bytes:
    """The signed status list token (application/statuslist+cwt) for list `list_number`."""
    return sign_status_list(build(uow, list_number), **_signing(runtime, list_number, now))


def signed_jwt(
    runtime: Runtime, uow: UnitOfWork, list_number: int, *, now: dt.datetime | None = None
) -> str:
    """The same list as application/statuslist+jwt."""
    return sign_status_list_jwt(build(uow, list_number), **_signing(runtime, list_number, now))


def _signing(runtime: Runtime, list_number: int, now: dt.datetime | None) -> dict[str, Any]:
    return {
        "uri": status_list_uri(runtime, list_number),
        "signer": runtime.keystore.signer(ISSUER_PURPOSE),
        "now": now or dt.datetime.now(dt.UTC),
        "ttl_seconds": runtime.policy.card.status_list_ttl_seconds,
        "issuer": runtime.policy.program.issuer_uri,
    }


def trusted_lists(runtime: Runtime, uow: UnitOfWork, now: dt.datetime) -> list[VerifiedStatusList]:
    """Every list straight from the database, for verifying inside this program: the
    database is the source the signed tokens are made from, so no signature is needed."""
    key_id = runtime.keystore.signer(ISSUER_PURPOSE).key_id.encode()
    ttl = runtime.policy.card.status_list_ttl_seconds
    return [
        VerifiedStatusList(
            uri=status_list_uri(runtime, number),
            issued_at=now,
            expires_at=now + dt.timedelta(seconds=ttl),
            ttl_seconds=ttl,
            key_id=key_id,
            status_list=build(uow, number),
        )
        for number in list_numbers(uow)
    ]
