"""Where a rendered notice goes: an SMTP server, a spool directory, an SMS gateway.

Two small interfaces (`MailTransport`, `SmsGateway`) so a city can plug its own SMS
provider in; the shipped gateway writes each text as a JSON file into a spool directory
that a provider's relay picks up. A transport raises `Transient` (try again later) or
`Permanent` (give up), each with a short code that names no address.

Spool files hold an address and a text: they are personal data on disk, written 0600,
and the relay is expected to delete each file once it has sent it.
"""

from __future__ import annotations

import json
import os
import secrets
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import Protocol

from cityid.notices.config import DeliveryConfig


class DeliveryError(Exception):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


class Transient(DeliveryError):
    """The server is down or said "try later": retry with back-off."""


class Permanent(DeliveryError):
    """The server refused this message for good (e.g. 550 no such mailbox)."""


class MailTransport(Protocol):
    def send(self, message: EmailMessage) -> None: ...


class SmsGateway(Protocol):
    def send(self, to: str, text: str, *, message_id: str) -> None: ...


def build_email(
    sender: str, to: str, subject: str, body: str, *, language: str, message_id: str
) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(idstring=message_id)
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(body)
    # After set_content, which replaces every Content-* header.
    message["Content-Language"] = language
    return message


def _write_private(directory: Path, name: str, data: bytes) -> None:
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    temporary = directory / f".{name}.tmp"
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    # Renamed into place whole, so a relay never picks up half a file.
    temporary.replace(directory / name)


class SpoolMail:
    """Each message as an .eml file in a directory (the default: no mail server needed)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def send(self, message: EmailMessage) -> None:
        try:
            _write_private(self.directory, f"{secrets.token_hex(8)}.eml", message.as_bytes())
        except OSError:
            raise Transient("spool_unwritable") from None


class SmtpMail:
    """Sends through an SMTP server: plain, STARTTLS or implicit TLS, optional login."""

    def __init__(self, config: DeliveryConfig) -> None:
        self.config = config

    def _connect(self) -> smtplib.SMTP:
        c = self.config
        if c.smtp_tls == "tls":
            return smtplib.SMTP_SSL(
                c.smtp_host, c.smtp_port, timeout=c.smtp_timeout_seconds,
                context=ssl.create_default_context(),
            )  # fmt: skip
        server = smtplib.SMTP(c.smtp_host, c.smtp_port, timeout=c.smtp_timeout_seconds)
        if c.smtp_tls == "starttls":
            server.starttls(context=ssl.create_default_context())
        return server

    def send(self, message: EmailMessage) -> None:
        try:
            with self._connect() as server:
                if self.config.smtp_username:
                    server.login(self.config.smtp_username, self.config.smtp_password or "")
                server.send_message(message)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            raise _by_code(codes[0] if codes else 550, "smtp_recipient_refused") from None
        except smtplib.SMTPResponseException as exc:
            raise _by_code(exc.smtp_code, "smtp_refused") from None
        except (smtplib.SMTPException, OSError):
            raise Transient("smtp_unavailable") from None


def _by_code(smtp_code: int, what: str) -> DeliveryError:
    # 4xx: the server asks us to come back later; 5xx: it will never take this message.
    if 400 <= smtp_code < 500:
        return Transient(f"{what}_{smtp_code}")
    return Permanent(f"{what}_{smtp_code}")


class SpoolSms:
    """The default SMS gateway: one JSON file per text for the provider's relay."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def send(self, to: str, text: str, *, message_id: str) -> None:
        data = json.dumps({"to": to, "text": text, "id": message_id}, ensure_ascii=False)
        try:
            _write_private(self.directory, f"{message_id}.json", data.encode())
        except OSError:
            raise Transient("spool_unwritable") from None


def mail_transport(config: DeliveryConfig) -> MailTransport:
    return SmtpMail(config) if config.mail == "smtp" else SpoolMail(config.mail_spool_dir)


def sms_gateway(config: DeliveryConfig) -> SmsGateway:
    return SpoolSms(config.sms_spool_dir)
