"""Fixtures for the card tests: issuer keys (current and retired) and status lists."""

from __future__ import annotations

import pytest
from cards_harness import NOW, STATUS_URI, MemorySigner, card_claims

from cityid.cards.credential import encode_qr_text, issue_credential
from cityid.cards.status_list import StatusList, sign_status_list
from cityid.cards.verify import Verifier


@pytest.fixture(scope="session")
def signer() -> MemorySigner:
    return MemorySigner("sig-card-issuer-2026")


@pytest.fixture(scope="session")
def old_signer() -> MemorySigner:
    return MemorySigner("sig-card-issuer-2021")


@pytest.fixture(scope="session")
def trusted(signer: MemorySigner, old_signer: MemorySigner) -> list[tuple[str, bytes]]:
    return [(s.key_id, s.public_key_raw()) for s in (signer, old_signer)]


@pytest.fixture(scope="session")
def qr_text(signer: MemorySigner) -> str:
    return encode_qr_text(issue_credential(card_claims(), signer, NOW))


@pytest.fixture(scope="session")
def clean_list_token(signer: MemorySigner) -> bytes:
    return sign_status_list(StatusList(4096), uri=STATUS_URI, signer=signer, now=NOW,
                            ttl_seconds=3600)  # fmt: skip


@pytest.fixture(scope="session")
def verifier(trusted: list[tuple[str, bytes]], clean_list_token: bytes) -> Verifier:
    return Verifier(trusted, [clean_list_token], now=NOW)
