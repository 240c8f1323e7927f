"""The release package as a PDF (Pillow): plain pages, the request id on every one."""

from __future__ import annotations

import io
import json
import textwrap
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw, ImageFont

Font = ImageFont.FreeTypeFont | ImageFont.ImageFont
PAGE = (1240, 1754)  # A4 at 150 dpi
MARGIN = 90
LINE = 30
_FONT_FILES = (
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
    Path("/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf"),
)


def _font(size: int) -> Font:
    for path in _FONT_FILES:
        if path.exists():
            return ImageFont.truetype(str(path), size)
    return ImageFont.load_default(size=size)


def package_lines(package: dict[str, Any]) -> list[str]:
    """The package as lines of text: the answer first, then each record's fields."""
    lines = [
        f"{package['program']}: disclosure release package",
        "",
        f"Request: {package['request_id']}",
        f"Requester kind: {package['requester_kind']}   Instrument: {package['instrument']}",
        f"Received: {package['received_on']}   Generated: {package['generated_at']}",
        f"Decision: {package['decision']}   Rule: {package['rule']}",
        f"Fields released: {', '.join(package['fields']) or 'none'}",
        "",
    ]
    if "statistics" in package:
        lines.append("Statistics (counts only):")
        for line in json.dumps(package["statistics"], indent=2).splitlines():
            lines.append("  " + line)
    if not package["records"] and "statistics" not in package:
        lines.append("No personal data is released in answer to this request.")
    for record in package["records"]:
        lines.append(f"Application {record['application_id']}")
        if record.get("no_records"):
            lines.append("  No records are held.")
            continue
        for name in package["fields"]:
            value = record.get(name)
            if name == "photo" and value:
                value = "(JPEG portrait, in the JSON package)"
            elif not isinstance(value, str):
                value = json.dumps(value, ensure_ascii=False)
            for i, part in enumerate(textwrap.wrap(f"{name}: {value}", 90) or [""]):
                lines.append(("  " if i == 0 else "      ") + part)
        lines.append("")
    return lines


def page_mark(package: dict[str, Any], number: int, total: int) -> str:
    return f"Disclosure request {package['request_id']} · page {number} of {total}"


def render_pages(package: dict[str, Any]) -> list[Image.Image]:
    body, small = _font(22), _font(18)
    lines = package_lines(package)
    per_page = (PAGE[1] - 2 * MARGIN - 80) // LINE
    chunks = [lines[i : i + per_page] for i in range(0, len(lines), per_page)] or [[]]
    pages = []
    for number, chunk in enumerate(chunks, start=1):
        page = Image.new("RGB", PAGE, "white")
        draw = ImageDraw.Draw(page)
        draw.text((MARGIN, MARGIN // 2), page_mark(package, number, len(chunks)), font=small,
                  fill="black")  # fmt: skip
        draw.line((MARGIN, MARGIN - 10, PAGE[0] - MARGIN, MARGIN - 10), fill="black", width=2)
        y = MARGIN + 10
        for line in chunk:
            draw.text((MARGIN, y), line, font=body, fill="black")
            y += LINE
        footer = f"{package['request_id']} · CONFIDENTIAL: released under {package['rule']}"
        draw.text((MARGIN, PAGE[1] - MARGIN // 2 - 20), footer, font=small, fill="black")
        pages.append(page)
    return pages


def render_pdf(package: dict[str, Any]) -> bytes:
    pages = render_pages(package)
    out = io.BytesIO()
    pages[0].save(
        out, "PDF", resolution=150.0, save_all=True, append_images=pages[1:],
        title=f"Disclosure request {package['request_id']}",
    )  # fmt: skip
    return out.getvalue()
