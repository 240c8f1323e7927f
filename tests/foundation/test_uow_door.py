"""The web's unit of work commits when the route returns, before the response is sent;
rolls back when it raises or when the route says so; a failed commit is a 5xx."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.responses import PlainTextResponse
from fastapi.testclient import TestClient
from starlette.types import ASGIApp, Receive, Scope, Send

from cityid.runtime import Runtime
from cityid.web.deps import UowDep

ROWS = sa.text("SELECT count(*) FROM door_child")


class SeesRowsAtResponseStart:
    """Counts the committed rows, from another connection, as the response starts."""

    def __init__(self, app: ASGIApp, engine: sa.Engine, seen: list[int]) -> None:
        self.app, self.engine, self.seen = app, engine, seen

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def spy(message: Any) -> None:
            if message["type"] == "http.response.start":
                with self.engine.connect() as conn:
                    self.seen.append(conn.execute(ROWS).scalar_one())
            await send(message)

        await self.app(scope, receive, spy)


@pytest.fixture
def door(data_dir: Path) -> Iterator[tuple[TestClient, sa.Engine, list[int]]]:
    runtime = Runtime.open(data_dir)
    with runtime.engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE door_parent (id INTEGER PRIMARY KEY)"))
        conn.execute(
            sa.text(
                "CREATE TABLE door_child (parent INTEGER REFERENCES door_parent (id) "
                "DEFERRABLE INITIALLY DEFERRED)"
            )
        )
    app = FastAPI()
    app.state.runtime = runtime

    @app.post("/write")
    def write(uow: UowDep) -> PlainTextResponse:
        uow.conn.execute(sa.text("INSERT INTO door_parent (id) VALUES (1)"))
        uow.conn.execute(sa.text("INSERT INTO door_child (parent) VALUES (1)"))
        return PlainTextResponse("written")

    @app.post("/raise")
    def fail(uow: UowDep) -> None:
        uow.conn.execute(sa.text("INSERT INTO door_child (parent) VALUES (NULL)"))
        raise RuntimeError("the route failed")

    @app.post("/error-page")
    def error_page(uow: UowDep) -> PlainTextResponse:
        uow.conn.execute(sa.text("INSERT INTO door_child (parent) VALUES (NULL)"))
        uow.rollback()
        return PlainTextResponse("try again", status_code=409)

    @app.post("/commit-fails")
    def commit_fails(uow: UowDep) -> PlainTextResponse:
        # Deferred: the foreign key is only checked when the transaction commits.
        uow.conn.execute(sa.text("INSERT INTO door_child (parent) VALUES (99)"))
        return PlainTextResponse("looks fine")

    seen: list[int] = []
    app.add_middleware(SeesRowsAtResponseStart, engine=runtime.engine, seen=seen)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client, runtime.engine, seen
    runtime.close()


def test_the_commit_lands_before_the_response_starts(
    door: tuple[TestClient, sa.Engine, list[int]],
) -> None:
    client, _engine, seen = door
    assert client.post("/write").status_code == 200
    assert seen == [1]


def test_a_raising_route_and_an_error_page_keep_nothing(
    door: tuple[TestClient, sa.Engine, list[int]],
) -> None:
    client, engine, seen = door
    assert client.post("/raise").status_code == 500
    assert client.post("/error-page").status_code == 409
    with engine.connect() as conn:
        assert conn.execute(ROWS).scalar_one() == 0
    assert seen[-1] == 0


def test_a_failed_commit_is_a_server_error_not_a_200(
    door: tuple[TestClient, sa.Engine, list[int]],
) -> None:
    client, engine, _seen = door
    assert client.post("/commit-fails").status_code == 500
    with engine.connect() as conn:
        assert conn.execute(ROWS).scalar_one() == 0
