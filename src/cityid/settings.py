"""Process settings from the environment (pydantic-settings) and the data dir's config.

Environment names are the contract of ../shared/INTERFACE.md: CITYID_DATA_DIR,
CITYID_DATABASE_URL, CITYID_KEYSTORE_PASSPHRASE, CITYID_PKCS11_MODULE,
CITYID_PKCS11_TOKEN_LABEL, CITYID_PKCS11_PIN, CITYID_ACTOR, CITYID_PASSWORD.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATA_DIR = Path("cityid-data")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CITYID_", extra="ignore")

    data_dir: Path = DEFAULT_DATA_DIR
    database_url: str | None = None
    keystore_passphrase: SecretStr | None = None
    pkcs11_module: str | None = None
    pkcs11_token_label: str | None = None
    pkcs11_pin: SecretStr | None = None
    actor: str | None = None
    password: SecretStr | None = None
    # Cookies are Secure by default; `make run` on plain http://127.0.0.1 turns this off.
    insecure_cookies: bool = False
    # How often `serve` signs an audit checkpoint when the log has grown (0: never).
    checkpoint_interval_seconds: int = 300
    # How long the log waits for each witness to cosign a checkpoint.
    witness_timeout_seconds: float = 3.0
    # The address the public reaches this server at (cards' status URI, status lists'
    # `sub`); overrides public_base_url in policy.toml. `serve --public-base-url` sets it.
    public_base_url: str | None = None
    # The SMTP password for notices (the rest of the SMTP settings live in config.toml).
    smtp_password: SecretStr | None = None
    # How often the notice worker inside `serve` looks at the outbox (0: never).
    notify_interval_seconds: int = 30
