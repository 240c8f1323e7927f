"""One SQLite data dir per test: the doors under fuzz are the same on both backends."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ADMIN_PASSWORD


@pytest.fixture
def sqlite_data_dir(tmp_path: Path, settings_for: Any) -> Path:
    from cityid.datadir import init_data_dir

    directory = tmp_path / "data"
    init_data_dir(directory, settings_for(directory), admin_password=ADMIN_PASSWORD)
    return directory
