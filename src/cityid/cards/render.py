"""The printed card: front and back as PNG, and a print-ready PDF (CR80 at 300 dpi).

CR80 is 85.60 x 53.98 mm: 1011 x 638 pixels at 300 dpi. The front carries the photo and
the printed fields the policy lists; the back carries the QR credential (big, so a
phone reads it at arm's length), the emergency contact and the preferred language.
Fonts: DejaVu Sans (Debian's fonts-dejavu-core), else Liberation Sans, else Pillow's own
scalable font, so rendering never fails for want of a font.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from PIL import Image, ImageDraw, ImageFont, ImageOps

from cityid.cards.numbers import format_card_number
from cityid.cards.qr import qr_image

Gender = Literal["F", "M", "X"]
Font = ImageFont.FreeTypeFont | ImageFont.ImageFont

DPI = 300
CARD_SIZE = (1011, 638)
BAND = (22, 52, 104)  # deep civic blue
BAND_LIGHT = (44, 88, 156)
ACCENT = (236, 152, 40)  # warm orange rule
PAPER = (250, 249, 245)
INK = (28, 32, 40)
MUTED = (92, 102, 118)
_FONT_DIRS = (
    Path("/usr/share/fonts/truetype/dejavu"),
    Path("/usr/share/fonts/truetype/liberation"),
)
_FONT_FILES = {
    "regular": ("DejaVuSans.ttf", "LiberationSans-Regular.ttf"),
    "bold": ("DejaVuSans-Bold.ttf", "LiberationSans-Bold.ttf"),
    "condensed": ("DejaVuSansCondensed-Bold.ttf", "LiberationSansNarrow-Bold.ttf"),
}


@dataclass(frozen=True)
class CardFace:
    """Everything printed on one card; the QR text is the signed credential."""

    program_name: str
    card_number: str
    full_name: str  # in Latin letters
    date_of_birth: dt.date
    address: str  # lines joined by "\n"
    expires: dt.date
    qr_text: str
    photo: Image.Image | bytes | None = None
    city_name: str | None = None
    gender: Gender | None = None
    veteran: bool = False
    organ_donor: bool = False
    emergency_contact: str | None = None
    preferred_language: str | None = None  # as the holder reads it, e.g. "Español"
    issued: dt.date | None = None
    native_name: str | None = None  # the name in its own script, printed under it


@functools.lru_cache(maxsize=64)
def _font(style: str, size: int) -> Font:
    for name in _FONT_FILES[style]:
        for directory in _FONT_DIRS:
            path = directory / name
            if path.exists():
                return ImageFont.truetype(str(path), size)
    return ImageFont.load_default(size=size)


# Scripts DejaVu Sans draws (Arabic and Hebrew shaped by libraqm); a name in another
# script (Han, Hangul, Bengali...) stays in the credential but is not printed as boxes.
_PRINTABLE_SCRIPTS = ("LATIN", "CYRILLIC", "GREEK", "ARMENIAN", "GEORGIAN", "ARABIC", "HEBREW")


def printable(text: str) -> bool:
    """True when the card's font can draw every letter of `text`."""
    return all(
        unicodedata.name(c, "").startswith(_PRINTABLE_SCRIPTS) or c.isascii()
        for c in text
        if c.isalpha()
    )


def _fit(draw: ImageDraw.ImageDraw, text: str, style: str, size: int, width: int) -> Font:
    """The largest font (down to 60 %) in which `text` fits `width` pixels."""
    smallest = max(12, int(size * 0.6))
    font = _font(style, size)
    while draw.textlength(text, font=font) > width and size > smallest:
        size -= 2
        font = _font(style, size)
    return font


def _ellipsize(draw: ImageDraw.ImageDraw, text: str, font: Font, width: int) -> str:
    if draw.textlength(text, font=font) <= width:
        return text
    while text and draw.textlength(text + "…", font=font) > width:
        text = text[:-1]
    return text + "…"


def printed_date(day: dt.date) -> str:
    """A date as the card prints it (the verifier shows dates the same way)."""
    return day.strftime("%m/%d/%Y")  # the US order people expect on a NYC card


_date = printed_date


def _background(size: tuple[int, int]) -> Image.Image:
    """Paper with a faint wave pattern, which photocopies badly and looks like a card."""
    card = Image.new("RGB", size, PAPER)
    draw = ImageDraw.Draw(card)
    for offset in range(-size[1], size[0], 18):
        draw.line([(offset, size[1]), (offset + size[1], 0)], fill=(241, 239, 232), width=1)
    return card


def _band(card: Image.Image, height: int, title: str, subtitle: str | None) -> None:
    draw = ImageDraw.Draw(card)
    width = card.width
    for y in range(height):  # a gentle vertical gradient
        mix = y / max(1, height - 1)
        colour = tuple(int(BAND_LIGHT[i] * (1 - mix) + BAND[i] * mix) for i in range(3))
        draw.line([(0, y), (width, y)], fill=colour)
    draw.rectangle([0, height, width, height + 7], fill=ACCENT)
    title_font = _fit(draw, title, "bold", 66, width // 2)
    draw.text((44, height // 2), title, font=title_font, fill="white", anchor="lm")
    if subtitle:
        font = _font("regular", 25)
        draw.text((width - 44, height // 2), subtitle, font=font, fill=(214, 226, 245), anchor="rm")


def _photo(photo: Image.Image | bytes | None, size: tuple[int, int]) -> Image.Image:
    if photo is None:
        blank = Image.new("RGB", size, (226, 230, 236))
        draw = ImageDraw.Draw(blank)
        draw.text((size[0] // 2, size[1] // 2), "NO PHOTO", font=_font("bold", 28), fill=MUTED,
                  anchor="mm")  # fmt: skip
        return blank
    image = Image.open(io.BytesIO(photo)) if isinstance(photo, bytes) else photo
    return ImageOps.fit(
        ImageOps.exif_transpose(image).convert("RGB"), size, Image.Resampling.LANCZOS
    )


def _rounded(image: Image.Image, radius: int) -> Image.Image:
    mask = Image.new("L", image.size, 0)
    ImageDraw.Draw(mask).rounded_rectangle([0, 0, image.width - 1, image.height - 1], radius, 255)
    out = Image.new("RGBA", image.size)
    out.paste(image, (0, 0), mask)
    return out


def _field(
    draw: ImageDraw.ImageDraw, x: int, y: int, label: str, value: str, width: int, size: int = 30
) -> int:
    """A small caps label over its value; returns the y below it."""
    draw.text((x, y), label.upper(), font=_font("bold", 17), fill=MUTED)
    lines = value.split("\n")
    font = _font("regular", size)
    y += 24
    for line in lines:
        draw.text((x, y), _ellipsize(draw, line, font, width), font=font, fill=INK)
        y += size + 6
    return y + 10


def _badge(draw: ImageDraw.ImageDraw, x: int, y: int, text: str, colour: tuple[int, ...]) -> int:
    """A pill with white text; returns its right edge."""
    font = _font("bold", 20)
    width = int(draw.textlength(text, font=font)) + 30
    draw.rounded_rectangle([x, y, x + width, y + 36], 18, fill=colour)
    draw.text((x + width // 2, y + 18), text, font=font, fill="white", anchor="mm")
    return x + width


def render_front(face: CardFace) -> Image.Image:
    card = _background(CARD_SIZE)
    band = 118
    _band(card, band, face.program_name, face.city_name and f"City of {face.city_name}")
    draw = ImageDraw.Draw(card)

    photo_box = (44, band + 40, 44 + 264, band + 40 + 330)
    frame = _rounded(_photo(face.photo, (264, 330)), 16)
    draw.rounded_rectangle(
        [photo_box[0] - 5, photo_box[1] - 5, photo_box[2] + 5, photo_box[3] + 5], 20,
        fill="white", outline=(208, 212, 220), width=2,
    )  # fmt: skip
    card.paste(frame, photo_box[:2], frame)

    x, width = 350, CARD_SIZE[0] - 350 - 40
    y = band + 34
    draw.text((x, y), "NAME", font=_font("bold", 17), fill=MUTED)
    name_font = _fit(draw, face.full_name, "bold", 46, width)
    draw.text((x, y + 22), _ellipsize(draw, face.full_name, name_font, width), font=name_font,
              fill=INK)  # fmt: skip
    y += 22 + int(getattr(name_font, "size", 46)) + 12
    if face.native_name and printable(face.native_name):
        native_font = _fit(draw, face.native_name, "regular", 32, width)
        draw.text((x, y), _ellipsize(draw, face.native_name, native_font, width),
                  font=native_font, fill=MUTED)  # fmt: skip
        y += int(getattr(native_font, "size", 32)) + 10
    else:
        y += 10

    column = width // 3
    _field(draw, x, y, "Date of birth", _date(face.date_of_birth), column)
    _field(draw, x + column, y, "Expires", _date(face.expires), column)
    if face.gender:
        _field(draw, x + 2 * column, y, "Sex", face.gender, column)
    y = _field(draw, x, y + 76, "Address", face.address, width, size=27)

    # A faint "ghost" copy of the portrait: hard to alter together with the main photo.
    ghost = ImageOps.grayscale(_photo(face.photo, (112, 140)))
    ghost = Image.eval(ghost, lambda v: 150 + v * 95 // 255).convert("RGB")
    gx, gy = CARD_SIZE[0] - 44 - 112, CARD_SIZE[1] - 72 - 140
    card.paste(Image.blend(Image.new("RGB", ghost.size, PAPER), ghost, 0.55), (gx, gy))

    badges_y = CARD_SIZE[1] - 112
    bx = x
    if face.veteran:
        bx = _badge(draw, bx, badges_y, "VETERAN", (38, 84, 64)) + 12
    if face.organ_donor:
        bx = _badge(draw, bx, badges_y, "♥ ORGAN DONOR", (176, 46, 60)) + 12

    # Card number along the bottom, under the photo and fields.
    draw.line([(44, CARD_SIZE[1] - 58), (CARD_SIZE[0] - 44, CARD_SIZE[1] - 58)],
              fill=(214, 217, 224), width=2)  # fmt: skip
    number_font = _font("condensed", 34)
    draw.text((44, CARD_SIZE[1] - 32), format_card_number(face.card_number), font=number_font,
              fill=BAND, anchor="lm")  # fmt: skip
    if face.issued:
        draw.text((CARD_SIZE[0] - 44, CARD_SIZE[1] - 32), f"ISSUED {_date(face.issued)}",
                  font=_font("regular", 20), fill=MUTED, anchor="rm")  # fmt: skip
    return card


def render_back(face: CardFace) -> Image.Image:
    card = _background(CARD_SIZE)
    draw = ImageDraw.Draw(card)
    draw.rectangle([0, 0, CARD_SIZE[0], 20], fill=BAND)
    draw.rectangle([0, 20, CARD_SIZE[0], 25], fill=ACCENT)

    side = CARD_SIZE[1] - 25 - 40
    qr = qr_image(face.qr_text, size_px=side)
    qx, qy = CARD_SIZE[0] - qr.width - 34, 25 + (CARD_SIZE[1] - 25 - qr.height) // 2
    card.paste(qr.convert("RGB"), (qx, qy))

    x, width = 44, qx - 44 - 30
    y = 58
    draw.text((x, y), face.program_name, font=_fit(draw, face.program_name, "bold", 40, width),
              fill=BAND)  # fmt: skip
    y += 62
    y = _field(draw, x, y, "Card number", format_card_number(face.card_number), width)
    if face.preferred_language:
        y = _field(draw, x, y, "Preferred language", face.preferred_language, width)
    if face.emergency_contact:
        y = _field(draw, x, y, "Emergency contact", face.emergency_contact, width, size=26)

    note_font = _font("regular", 19)
    notes = [
        "Scan the code to check this card",
        "offline. It proves identity and city",
        "residency; it is not a driver license",
        "or a travel document.",
    ]
    ny = CARD_SIZE[1] - 40 - len(notes) * 26
    for line in notes:
        draw.text((x, ny), line, font=note_font, fill=MUTED)
        ny += 26
    return card


def _png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, "PNG", dpi=(DPI, DPI), optimize=True)
    return out.getvalue()


def render_png(face: CardFace, side: Literal["front", "back"] = "front") -> bytes:
    return _png(render_front(face) if side == "front" else render_back(face))


def render_pdf(face: CardFace) -> bytes:
    """Two CR80 pages (front, back) at 300 dpi, ready for a card printer."""
    front, back = render_front(face), render_back(face)
    out = io.BytesIO()
    front.save(out, "PDF", resolution=DPI, save_all=True, append_images=[back],
               title="Identity card")  # fmt: skip
    return out.getvalue()
