"""Throw-away data dirs for benches: never the operator's, never its passphrase."""

from __future__ import annotations

from pathlib import Path

from cityid.settings import Settings


def bench_settings(data_dir: Path) -> Settings:
    """Settings for a throw-away bench data dir: its own random passphrase, SQLite."""
    import secrets

    from pydantic import SecretStr

    return Settings(
        data_dir=data_dir,
        keystore_passphrase=SecretStr(secrets.token_urlsafe(24)),
        database_url=None,
    )
