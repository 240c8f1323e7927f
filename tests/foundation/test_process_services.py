"""Per-process services: typed, one of each per runtime, composed in one place.

The composition root (`cityid.bootstrap.open_runtime`, what the CLI and the web use)
binds enrollment's screening port to matching and builds every service it lists; a bare
`Runtime.open` builds the defaults on first use and refuses a port nobody bound.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from cityid.bootstrap import PROCESS_SERVICES, open_runtime
from cityid.enrollment.screening import INTAKE_SCREENER
from cityid.matching.screener import MatchingScreener
from cityid.runtime import ProcessService, ProcessServices, Runtime


def test_a_service_is_built_once_and_kept() -> None:
    made: list[object] = []
    key: ProcessService[list[int]] = ProcessService("counter", lambda: made.append(1) or [])
    services = ProcessServices()
    first = services.get(key)
    first.append(7)
    assert services.get(key) is first == [7]
    assert made == [1]
    assert ProcessServices().get(key) is not first  # another runtime, another one


def test_a_port_nobody_bound_is_refused_and_binding_comes_before_use() -> None:
    port: ProcessService[object] = ProcessService("a port")
    services = ProcessServices()
    with pytest.raises(LookupError, match="a port"):
        services.get(port)
    services.bind(port, object)
    used = services.get(port)
    with pytest.raises(RuntimeError, match="already in use"):
        services.bind(port, object)
    assert services.get(port) is used


def test_the_composition_root_binds_the_screener_and_builds_every_service(
    data_dir: Path,
) -> None:
    runtime = open_runtime(data_dir)
    try:
        assert isinstance(runtime.services.get(INTAKE_SCREENER), MatchingScreener)
        for key in PROCESS_SERVICES:
            assert runtime.services.get(key) is runtime.services.get(key)
    finally:
        runtime.close()
    bare = Runtime.open(data_dir)
    try:
        with pytest.raises(LookupError, match="intake screener"):
            bare.services.get(INTAKE_SCREENER)
    finally:
        bare.close()
