"""Drawing the card's QR code (segno) and reading QR codes back from images (zxing-cpp)."""

from __future__ import annotations

import io
from dataclasses import dataclass

import segno
import zxingcpp
from PIL import Image

from cityid.errors import BadInput, Refused

ERROR_CORRECTION = "m"
MAX_VERSION = 25  # beyond this the modules get too small to print on a CR80 card


class QrTooLarge(Refused):
    code = "qr_too_large"


class UnreadableImage(BadInput):
    code = "unreadable_image"


@dataclass(frozen=True)
class DrawnQr:
    png: bytes
    version: int
    modules: int  # width in modules, quiet zone excluded


def make_qr(text: str) -> segno.QRCode:
    """The QR symbol for `text` at error correction M; QrTooLarge past version 25."""
    code = segno.make_qr(text, error=ERROR_CORRECTION, boost_error=False)
    version = int(code.version)
    if version > MAX_VERSION:
        raise QrTooLarge(f"the credential needs QR version {version}; the limit is {MAX_VERSION}")
    return code


def qr_version(text: str) -> int:
    return int(make_qr(text).version)


def draw_qr_png(text: str, *, scale: int = 4, border: int = 4) -> DrawnQr:
    """PNG bytes of the QR code, black on white, `scale` pixels per module."""
    code = make_qr(text)
    out = io.BytesIO()
    code.save(out, kind="png", scale=scale, border=border)
    return DrawnQr(
        png=out.getvalue(), version=int(code.version), modules=int(code.symbol_size(1, 0)[0])
    )


def qr_image(text: str, *, size_px: int) -> Image.Image:
    """A PIL image of the QR code, close to `size_px` square, whole pixels per module."""
    code = make_qr(text)
    width = code.symbol_size(scale=1, border=4)[0]
    scale = max(1, size_px // width)
    out = io.BytesIO()
    code.save(out, kind="png", scale=scale, border=4)
    out.seek(0)
    return Image.open(out).convert("L")


def read_qr_texts(image: Image.Image | bytes) -> list[str]:
    """The text of every QR code found in the image (PNG/JPEG bytes or a PIL image)."""
    try:
        picture = Image.open(io.BytesIO(image)) if isinstance(image, bytes) else image
        picture.load()
        picture = picture.convert("L")
    except Exception as exc:  # any undecodable picture is the caller's bad input
        raise UnreadableImage("not an image we can read") from exc
    try:
        found = zxingcpp.read_barcodes(
            picture, formats=zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)
        )
    except Exception as exc:  # the native reader refuses odd buffers (e.g. zero-sized)
        raise UnreadableImage("the image could not be scanned") from exc
    return [barcode.text for barcode in found if barcode.valid]
