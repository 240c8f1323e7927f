"""A TestClient on an initialised data dir (SQLite and PostgreSQL, via `data_dir`)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from cityid.bootstrap import open_runtime
from cityid.runtime import Runtime
from cityid.web.app import create_app


@pytest.fixture
def runtime(data_dir: Path) -> Iterator[Runtime]:
    opened = open_runtime(data_dir)
    yield opened
    opened.close()


@pytest.fixture
def client(runtime: Runtime) -> Iterator[TestClient]:
    with TestClient(create_app(runtime), base_url="https://testserver") as test_client:
        yield test_client
