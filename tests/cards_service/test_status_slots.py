"""Status list indexes: handed out in a random order, each once, never by issue order."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from cityid.cards import status_service
from cityid.cards.tables import card_status_lists
from cityid.store.engine import make_engine
from cityid.store.uow import UnitOfWork


@pytest.fixture
def engine(database_url: str) -> Iterator[sa.Engine]:
    made = make_engine(database_url, poolclass=sa.pool.NullPool)
    yield made
    made.dispose()


def _allocate(engine: sa.Engine, count: int, size: int) -> list[status_service.Slot]:
    slots = []
    for _ in range(count):  # one transaction each, as issuing a card does
        with UnitOfWork(engine) as uow:
            slots.append(status_service.allocate(uow, size))
            uow.commit()
    return slots


def test_indexes_come_in_a_random_order_and_each_once(engine: sa.Engine) -> None:
    slots = _allocate(engine, 2 * 64 + 8, size=64)
    by_list: dict[int, list[int]] = {}
    for slot in slots:
        by_list.setdefault(slot.list_number, []).append(slot.index)
    assert sorted(by_list) == [1, 2, 3]
    for number in (1, 2):  # full lists: every index once
        assert sorted(by_list[number]) == list(range(64))
        assert by_list[number] != list(range(64))  # not the order of issue
    assert by_list[1] != by_list[2]  # each list its own order
    assert len(set(by_list[3])) == 8 and all(0 <= i < 64 for i in by_list[3])


def test_a_list_from_before_keeps_its_used_indexes_and_shuffles_the_rest(
    engine: sa.Engine,
) -> None:
    with UnitOfWork(engine) as uow:  # five cards were issued the old way: indexes 0..4
        uow.conn.execute(
            card_status_lists.insert().values(
                list_number=1, size=16, bits=2, next_index=5, created_at=dt.datetime.now(dt.UTC)
            )
        )
        uow.commit()
    slots = _allocate(engine, 12, size=16)
    first_list = [s.index for s in slots if s.list_number == 1]
    assert first_list[0] == 5 and sorted(first_list) == list(range(5, 16))
    assert first_list[1:] != list(range(6, 16))
    assert [s.list_number for s in slots].count(2) == 1  # then a new list opens
