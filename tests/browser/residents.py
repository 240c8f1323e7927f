"""What the resident pages' browser tests share: an issued card with an email on file,
the one-time code as it arrived in the mail spool, and the phone-width check."""

from __future__ import annotations

import json
import re
from email import message_from_bytes
from email.policy import default
from pathlib import Path
from typing import Any, NamedTuple

from tests.browser.conftest import LiveServer

PHONE = {"width": 390, "height": 844}


class IssuedCard(NamedTuple):
    number: str
    date_of_birth: str
    application_id: str


def issued_card_with_email(live_server: LiveServer, language: str) -> IssuedCard:
    """A freshly issued card whose application has an email on file, and the
    supervisor `sup1` (password file `sup.pw` beside the data dir) who issued it."""
    base = live_server.data_dir.parent
    password = base / "sup.pw"
    password.write_text("a supervisor's long test password")
    live_server.cityid("--json", "user", "add", "sup1", "--role", "supervisor",
                       "--password-file", str(password))  # fmt: skip
    sup = ("--actor", "sup1", "--password-file", str(password))
    synth = base / f"{language}.jsonl"
    made = live_server.cityid("--json", "synth", "applicants", "--count", "1", "--out", str(synth))
    assert made.returncode == 0, made.stderr
    line = json.loads(synth.read_text().splitlines()[0])
    line.update(contact_email=f"resident-{language}@example.org", language=language)
    synth.write_text(json.dumps(line) + "\n")
    enrolled = live_server.cityid("--json", *sup, "enroll", "--file", str(synth))
    assert enrolled.returncode == 0, enrolled.stdout + enrolled.stderr
    application_id = json.loads(enrolled.stdout)["items"][0]["application_id"]
    approved = live_server.cityid("--json", *sup, "application", "approve", application_id)
    assert approved.returncode == 0, approved.stdout
    issued = live_server.cityid("--json", *sup, "card", "issue", application_id)
    assert issued.returncode == 0, issued.stdout + issued.stderr
    number = json.loads(issued.stdout)["card_number"]
    return IssuedCard(number, line["date_of_birth"], application_id)


def code_from_mail(live_server: LiveServer) -> str:
    assert live_server.cityid("--json", "notify", "run").returncode == 0
    newest = max(Path(live_server.data_dir / "spool" / "mail").glob("*.eml"),
                 key=lambda p: p.stat().st_mtime_ns)  # fmt: skip
    body = message_from_bytes(newest.read_bytes(), policy=default).get_body().get_content()
    found = re.search(r"\b(\d{6})\b", body)
    assert found, "no code in the mail"
    return found.group(1)


def no_overflow(page: Any) -> None:
    """Nothing runs past the right edge of the screen the page is shown on."""
    screen = page.viewport_size["width"]
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= screen, f"the page is {width}px wide on a {screen}px screen"
