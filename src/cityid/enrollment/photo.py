"""The applicant's photo: checked, stripped of metadata, and cut to the card's sizes.

Input is untrusted (an upload, a legacy file): only JPEG and PNG, recognised by their
bytes rather than a name; a size cap before anything is decoded; the pixel count is
read from the header and refused before decoding, so a small file that would inflate
to gigabytes (a decompression bomb) never does. The outputs are new images built from
pixels only: no EXIF (which can hold GPS position and the camera's serial), no ICC
profile, no comments.
"""

from __future__ import annotations

import base64
import binascii
import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

from cityid.errors import BadInput

MAX_INPUT_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 40_000_000
MIN_WIDTH, MIN_HEIGHT = 240, 300
PORTRAIT_SIZE = (480, 600)  # 4:5, as on the card
PORTRAIT_QUALITY = 85
FACE_SIZE = (48, 60)  # the face inside the QR credential (Claim 169 key 62)
FACE_MAX_BYTES = 1200
_JPEG_MAGIC = b"\xff\xd8\xff"
_PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


class PhotoError(BadInput):
    code = "bad_photo"


class PhotoTooLarge(PhotoError):
    code = "photo_too_large"


class PhotoFormatNotAccepted(PhotoError):
    code = "photo_format"


class PhotoTooSmall(PhotoError):
    code = "photo_too_small"


class PhotoUnreadable(PhotoError):
    code = "photo_unreadable"


@dataclass(frozen=True)
class ProcessedPhoto:
    portrait_jpeg: bytes
    face_webp: bytes
    source_format: str
    source_size: tuple[int, int]


def sniff_format(data: bytes) -> str | None:
    """ "JPEG", "PNG" or None, from the first bytes only."""
    if data.startswith(_JPEG_MAGIC):
        return "JPEG"
    if data.startswith(_PNG_MAGIC):
        return "PNG"
    return None


def decode_photo_b64(text: str) -> bytes:
    if len(text) > (MAX_INPUT_BYTES * 4) // 3 + 4:
        raise PhotoTooLarge(f"photo is larger than {MAX_INPUT_BYTES // (1024 * 1024)} MB")
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise PhotoUnreadable("photo is not base64") from None


def process_photo(data: bytes) -> ProcessedPhoto:
    """Check `data` and return the card portrait (JPEG) and the QR face (WebP)."""
    image, fmt = open_checked(data)
    portrait = ImageOps.fit(image, PORTRAIT_SIZE, Image.Resampling.LANCZOS, centering=(0.5, 0.4))
    face = ImageOps.fit(image, FACE_SIZE, Image.Resampling.LANCZOS, centering=(0.5, 0.4))
    return ProcessedPhoto(
        portrait_jpeg=_jpeg(portrait),
        face_webp=_small_webp(face),
        source_format=fmt,
        source_size=image.size,
    )


def open_checked(data: bytes) -> tuple[Image.Image, str]:
    """The decoded photo, upright, as plain RGB pixels; every check done first."""
    if len(data) > MAX_INPUT_BYTES:
        raise PhotoTooLarge(f"photo is larger than {MAX_INPUT_BYTES // (1024 * 1024)} MB")
    fmt = sniff_format(data)
    if fmt is None:
        raise PhotoFormatNotAccepted("photo must be a JPEG or PNG image")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=[fmt]) as probe:
                width, height = probe.size  # from the header: nothing decoded yet
                if width * height > MAX_PIXELS:
                    raise PhotoTooLarge("photo has too many pixels")
                if width < MIN_WIDTH or height < MIN_HEIGHT:
                    raise PhotoTooSmall(f"photo must be at least {MIN_WIDTH} x {MIN_HEIGHT} pixels")
                probe.load()
                upright = ImageOps.exif_transpose(probe)
                pixels = _rgb(upright)
    except PhotoError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise PhotoTooLarge("photo has too many pixels") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise PhotoUnreadable("photo cannot be read as a JPEG or PNG image") from None
    if pixels.width < MIN_WIDTH or pixels.height < MIN_HEIGHT:
        raise PhotoTooSmall(f"photo must be at least {MIN_WIDTH} x {MIN_HEIGHT} pixels")
    return pixels, fmt


def _rgb(image: Image.Image) -> Image.Image:
    """A fresh RGB image holding only pixels (transparency laid on white)."""
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        canvas = Image.new("RGB", rgba.size, (255, 255, 255))
        canvas.paste(rgba, mask=rgba.getchannel("A"))
        return canvas
    converted = image.convert("RGB")
    fresh = Image.new("RGB", converted.size)
    fresh.paste(converted)
    return fresh


def _jpeg(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=PORTRAIT_QUALITY, optimize=True)
    return out.getvalue()


def _small_webp(image: Image.Image) -> bytes:
    """The best-quality WebP that fits FACE_MAX_BYTES (the QR code has little room)."""
    data = b""
    for quality in (60, 45, 30, 20, 10, 5):
        out = io.BytesIO()
        image.save(out, format="WEBP", quality=quality, method=6)
        data = out.getvalue()
        if len(data) <= FACE_MAX_BYTES:
            break
    return data
