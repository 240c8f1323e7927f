"""Approved applications for the card tests, made through the enrollment service."""

from __future__ import annotations

import base64
import datetime as dt
import io
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw

from cityid.enrollment import service as enrollment
from cityid.enrollment import transitions
from cityid.enrollment.mrz import make_td3
from cityid.operations.accounts import add_user
from cityid.runtime import Runtime
from cityid.staff.actor import Actor
from cityid.store.uow import UnitOfWork

SUPERVISOR = "sup"
SUPERVISOR_PASSWORD = "a long desk passphrase 42"
STREET = "37-12 80th St"


def portrait_b64() -> str:
    """A synthetic head-and-shoulders picture (nobody's face), as base64 PNG."""
    image = Image.new("RGB", (300, 375), (205, 215, 225))
    draw = ImageDraw.Draw(image)
    draw.ellipse((40, 250, 260, 470), fill=(60, 80, 120))
    draw.ellipse((95, 70, 205, 210), fill=(170, 125, 95))
    draw.ellipse((85, 55, 215, 140), fill=(50, 35, 30))
    out = io.BytesIO()
    image.save(out, "PNG")
    return base64.b64encode(out.getvalue()).decode()


def applicant_line(today: dt.date, *, born: dt.date | None = None, **extra: Any) -> dict[str, Any]:
    born = born or dt.date(1985, 3, 4)
    expires = today + dt.timedelta(days=900)
    passport = {
        "type": "foreign_passport",
        "number": "X12345678",
        "issuing_country": "MEX",
        "expires": expires.isoformat(),
        "has_original": True,
        "mrz": make_td3(
            document_number="X12345678",
            issuing_state="MEX",
            nationality="MEX",
            surname="Garcia Lopez",
            given_names="Maria",
            date_of_birth=born,
            sex="F",
            date_of_expiry=expires,
        ),
    }
    bill = {"type": "utility_bill", "number": "U-99", "issuing_country": "USA",
            "expires": None, "has_original": True}  # fmt: skip
    line = {
        "given_name": "María",
        "family_name": "García López",
        "date_of_birth": born.isoformat(),
        "address": {
            "line1": STREET,
            "line2": "Apt 4B",
            "city": "Jackson Heights",
            "state": "NY",
            "postal_code": "11372",
        },
        "gender": "F",
        "language": "spa",
        "veteran": False,
        "organ_donor": True,
        "caretaker_present": False,
        "emergency_contact": {"name": "José García", "phone": "718-555-0100"},
        "photo": portrait_b64(),
        "documents": [passport, bill],
    }
    line.update(extra)
    return line


def supervisor(runtime: Runtime) -> Actor:
    with UnitOfWork(runtime.engine) as uow:
        actor = add_user(
            uow, runtime.policy, username=SUPERVISOR, role="supervisor",
            password=SUPERVISOR_PASSWORD, by=Actor("test", "test", "admin"),
        )  # fmt: skip
        uow.commit()
    return actor


def approved_application(runtime: Runtime, actor: Actor, **line: Any) -> str:
    """Intake and approval through the enrollment service, as a supervisor would."""
    today = runtime.today()
    with UnitOfWork(runtime.engine) as uow:
        request = enrollment.parse_request(applicant_line(today, **line), runtime, today)
        outcome = enrollment.intake(uow, runtime, actor, request)
        assert outcome.application_id, outcome.reasons
        transitions.approve(uow, runtime, actor, outcome.application_id)
        uow.commit()
    return outcome.application_id


def password_file(tmp_path: Path) -> Path:
    path = tmp_path / "sup.pw"
    path.write_text(SUPERVISOR_PASSWORD)
    return path
