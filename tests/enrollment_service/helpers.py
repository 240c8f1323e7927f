"""Applicant lines and database dumps for the enrollment service tests."""

from __future__ import annotations

import base64
import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from PIL import Image

from cityid.enrollment.mrz import make_td3

PASSPORT_NUMBER = "ZQ7741839"
# Bytes no encoder would write by chance: what a scanned document copy would carry.
DOCUMENT_SCAN = b"SCAN-OF-A-REAL-DOCUMENT:" + bytes(range(256)) * 4 + b":END-OF-SCAN"


def photo_b64(size: tuple[int, int] = (240, 300)) -> str:
    image = Image.new("RGB", size, (200, 170, 140))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=80)
    return base64.b64encode(out.getvalue()).decode()


def applicant_line(
    *,
    given: str = "Marisol",
    family: str = "Quintanilla-Ybarra",
    born: dt.date = dt.date(1988, 4, 17),
    number: str = PASSPORT_NUMBER,
    postal_code: str = "11368",
    photo: bool = False,
    scan: bool = False,
    today: dt.date | None = None,
    **extra: Any,
) -> dict[str, Any]:
    today = today or dt.date.today()
    expires = today + dt.timedelta(days=3 * 365)
    passport: dict[str, Any] = {
        "type": "foreign_passport",
        "number": number,
        "issuing_country": "MEX",
        "expires": expires.isoformat(),
        "mrz": make_td3(
            document_number=number,
            issuing_state="MEX",
            nationality="MEX",
            surname=family,
            given_names=given,
            date_of_birth=born,
            sex="F",
            date_of_expiry=expires,
        ),
    }
    if scan:
        passport["copy_b64"] = base64.b64encode(DOCUMENT_SCAN).decode()
    line: dict[str, Any] = {
        "given_name": given,
        "family_name": family,
        "date_of_birth": born.isoformat(),
        "address": {
            "line1": "37-12 Junction Blvd",
            "line2": "Apt 3F",
            "city": "Queens",
            "state": "NY",
            "postal_code": postal_code,
        },
        "gender": "F",
        "language": "spa",
        "documents": [
            passport,
            {
                "type": "utility_bill",
                "number": "ACCT-55310",
                "issuing_country": "USA",
            },
        ],
    }
    if photo:
        line["photo"] = photo_b64()
    line.update(extra)
    return line


def write_lines(path: Path, lines: list[Any]) -> Path:
    with path.open("w", encoding="utf-8") as out:
        for line in lines:
            out.write(line if isinstance(line, str) else json.dumps(line, ensure_ascii=False))
            out.write("\n")
    return path


def dump_database(engine: sa.Engine) -> bytes:
    """Every value of every table, as bytes (text UTF-8, blobs raw)."""
    chunks: list[bytes] = []
    with engine.connect() as conn:
        for name in sa.inspect(conn).get_table_names():
            table = sa.Table(name, sa.MetaData(), autoload_with=conn)
            for row in conn.execute(sa.select(table)):
                for value in row:
                    if isinstance(value, bytes | bytearray | memoryview):
                        chunks.append(bytes(value))
                    elif value is not None:
                        chunks.append(str(value).encode("utf-8"))
    return b"\x00".join(chunks)


def files_bytes(directory: Path, pattern: str = "*") -> bytes:
    return b"\x00".join(p.read_bytes() for p in sorted(directory.rglob(pattern)) if p.is_file())
