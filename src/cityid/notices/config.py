"""How notices leave the building: the [notices] table of the data dir's config.toml.

    [notices]
    mail = "smtp"              # or "spool" (the default: files in mail_spool_dir)
    smtp_host = "mail.example.gov"
    smtp_port = 587
    smtp_from = "no-reply@example.gov"
    smtp_tls = "starttls"      # none | starttls | tls
    smtp_username = "cityid"   # password: CITYID_SMTP_PASSWORD (never in the file)
    sms = "spool"              # texts written into sms_spool_dir for the gateway
    sms_spool_dir = "spool/sms"

Relative spool dirs are inside the data dir. The default is spools for both, so a demo
runs with no mail server.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, cast

from cityid.errors import ConfigError
from cityid.runtime import Runtime

MailMode = Literal["spool", "smtp"]
TlsMode = Literal["none", "starttls", "tls"]


@dataclass(frozen=True)
class DeliveryConfig:
    mail: MailMode
    sms: Literal["spool"]
    smtp_host: str
    smtp_port: int
    smtp_from: str
    smtp_tls: TlsMode
    smtp_username: str | None
    smtp_password: str | None
    smtp_timeout_seconds: float
    mail_spool_dir: Path
    sms_spool_dir: Path


def _choice(raw: dict[str, Any], name: str, default: str, allowed: tuple[str, ...]) -> str:
    value = str(raw.get(name, default))
    if value not in allowed:
        raise ConfigError(f"config.toml [notices] {name} must be one of {', '.join(allowed)}")
    return value


def delivery_config(runtime: Runtime) -> DeliveryConfig:
    """The [notices] settings, checked; `ConfigError` names the bad key."""
    raw = runtime.config.notices
    port = raw.get("smtp_port", 25)
    if not isinstance(port, int) or not 0 < port < 65536:
        raise ConfigError("config.toml [notices] smtp_port must be a port number")
    password = runtime.settings.smtp_password

    def spool(name: str, default: str) -> Path:
        path = Path(str(raw.get(name, default)))
        return path if path.is_absolute() else runtime.data_dir / path

    return DeliveryConfig(
        mail=cast(MailMode, _choice(raw, "mail", "spool", ("spool", "smtp"))),
        sms=cast(Literal["spool"], _choice(raw, "sms", "spool", ("spool",))),
        smtp_host=str(raw.get("smtp_host", "127.0.0.1")),
        smtp_port=port,
        smtp_from=str(raw.get("smtp_from", "no-reply@localhost")),
        smtp_tls=cast(TlsMode, _choice(raw, "smtp_tls", "none", ("none", "starttls", "tls"))),
        smtp_username=raw.get("smtp_username") or None,
        smtp_password=None if password is None else password.get_secret_value(),
        smtp_timeout_seconds=float(raw.get("smtp_timeout_seconds", 10)),
        mail_spool_dir=spool("mail_spool_dir", "spool/mail"),
        sms_spool_dir=spool("sms_spool_dir", "spool/sms"),
    )
