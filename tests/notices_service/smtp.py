"""A real SMTP server (aiosmtpd) for the tests, and a data dir configured to use it."""

from __future__ import annotations

import socket
from email import message_from_bytes
from email.message import Message
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Inbox:
    """What arrived at the server: each message parsed, with its envelope recipients."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], Message]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append((list(envelope.rcpt_tos), message_from_bytes(envelope.content)))
        return "250 OK"


def start_server(port: int) -> tuple[Controller, Inbox]:
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    return controller, inbox


def use_smtp(data_dir: Path, port: int) -> None:
    """Point the data dir's [notices] at the test server (plain SMTP on localhost)."""
    config = data_dir / "config.toml"
    text = config.read_text("utf-8").replace(
        '\nmail = "spool"',
        f'\nmail = "smtp"\nsmtp_host = "127.0.0.1"\nsmtp_port = {port}\n'
        'smtp_from = "no-reply@idnyc.example"\nsmtp_tls = "none"\nsmtp_timeout_seconds = 5',
    )
    config.write_text(text, "utf-8")
