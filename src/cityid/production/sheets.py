"""Print-ready PDF sheets for a batch: one ID-1 (CR80) page per card side (pure).

ID-1 is 85.60 x 53.98 mm, 242.65 x 153.01 pt. The card images (`cards.render`) are
1011 x 638 pixels, so each page is written at the resolution that makes it exactly ID-1
in points (just under 300 dpi across, just over 300 dpi down): a card printer prints
the page edge to edge at true size. Pages come in card order, front then back.
Pillow writes the PDF, as it does for the single-card PDF and the disclosure package.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from cityid.cards.render import CARD_SIZE, CardFace, render_back, render_front

MM_PER_INCH = 25.4
POINTS_PER_INCH = 72.0
ID1_MM = (85.60, 53.98)
ID1_POINTS = (ID1_MM[0] / MM_PER_INCH * POINTS_PER_INCH, ID1_MM[1] / MM_PER_INCH * POINTS_PER_INCH)


def page_dpi() -> tuple[float, float]:
    """The (x, y) resolution that puts a CARD_SIZE image on an ID-1 page."""
    return (
        CARD_SIZE[0] * MM_PER_INCH / ID1_MM[0],
        CARD_SIZE[1] * MM_PER_INCH / ID1_MM[1],
    )


def render_sheets(faces: Sequence[CardFace], *, title: str) -> bytes:
    """The batch's PDF: for each card its front page, then its back page."""
    if not faces:
        raise ValueError("a print batch has at least one card")
    pages = []
    for face in faces:
        pages.append(render_front(face).convert("RGB"))
        pages.append(render_back(face).convert("RGB"))
    out = io.BytesIO()
    pages[0].save(
        out, "PDF", dpi=page_dpi(), save_all=True, append_images=pages[1:], title=title,
    )  # fmt: skip
    return out.getvalue()
