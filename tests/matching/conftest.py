from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from matching_helpers import TestHasher

from cityid.matching.encoding import BloomEncoder
from cityid.policy import load_policy
from cityid.policy.model import Matching


@pytest.fixture(scope="session")
def matching() -> Matching:
    return load_policy().matching


@pytest.fixture(scope="session")
def hasher() -> TestHasher:
    return TestHasher()


@pytest.fixture(scope="session")
def encoder(hasher: TestHasher, matching: Matching) -> BloomEncoder:
    return BloomEncoder.from_policy(hasher, matching)
