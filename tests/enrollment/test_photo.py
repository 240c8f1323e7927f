"""Photos: only real JPEG/PNG in, metadata out, card sizes produced."""

from __future__ import annotations

import base64
import io
import struct
import zlib

import pytest
from PIL import Image

from cityid.enrollment.photo import (
    FACE_MAX_BYTES,
    FACE_SIZE,
    MAX_INPUT_BYTES,
    PORTRAIT_SIZE,
    PhotoFormatNotAccepted,
    PhotoTooLarge,
    PhotoTooSmall,
    PhotoUnreadable,
    decode_photo_b64,
    process_photo,
)


def _image_bytes(size: tuple[int, int], fmt: str, mode: str = "RGB", **save: object) -> bytes:
    image = Image.new(mode, size, (200, 120, 80) if mode == "RGB" else (200, 120, 80, 128))
    for x in range(0, size[0], 7):
        image.putpixel((x, size[1] // 2), (10, 10, 10) if mode == "RGB" else (10, 10, 10, 255))
    out = io.BytesIO()
    image.save(out, format=fmt, **save)
    return out.getvalue()


def _exif_with_gps() -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0131] = "Firmware 1.0"  # Software
    exif[0x8825] = {1: "N", 2: (40.0, 44.0, 54.0)}  # GPS: a home address, in effect
    return exif


def test_jpeg_becomes_portrait_and_tiny_face_without_metadata() -> None:
    source = _image_bytes((900, 1200), "JPEG", exif=_exif_with_gps(), comment=b"secret")
    assert b"PhoneMaker" in source
    result = process_photo(source)
    portrait = Image.open(io.BytesIO(result.portrait_jpeg))
    assert (portrait.format, portrait.size) == ("JPEG", PORTRAIT_SIZE)
    assert not portrait.getexif()
    assert "comment" not in portrait.info and "icc_profile" not in portrait.info
    assert b"PhoneMaker" not in result.portrait_jpeg
    face = Image.open(io.BytesIO(result.face_webp))
    assert (face.format, face.size) == ("WEBP", FACE_SIZE)
    assert len(result.face_webp) <= FACE_MAX_BYTES
    assert b"PhoneMaker" not in result.face_webp


def test_png_with_transparency_is_accepted() -> None:
    result = process_photo(_image_bytes((300, 400), "PNG", mode="RGBA"))
    assert result.source_format == "PNG"
    assert Image.open(io.BytesIO(result.portrait_jpeg)).mode == "RGB"


def test_sideways_phone_photo_is_turned_upright() -> None:
    image = Image.new("RGB", (400, 300), (0, 0, 255))
    image.paste((255, 0, 0), (0, 0, 400, 150))  # top half red
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: rotate 90 clockwise to view
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    portrait = Image.open(io.BytesIO(process_photo(out.getvalue()).portrait_jpeg)).convert("RGB")
    right, left = portrait.getpixel((440, 300)), portrait.getpixel((40, 300))
    assert isinstance(right, tuple) and isinstance(left, tuple)
    assert right[0] > 200 and right[2] < 60  # red now on the right
    assert left[2] > 200 and left[0] < 60


@pytest.mark.parametrize(
    "data",
    [
        _image_bytes((300, 400), "GIF", mode="RGB"),
        _image_bytes((300, 400), "BMP"),
        b"%PDF-1.7 not a photo",
        b"<svg xmlns='http://www.w3.org/2000/svg'/>",
    ],
)
def test_only_jpeg_and_png_by_content(data: bytes) -> None:
    with pytest.raises(PhotoFormatNotAccepted):
        process_photo(data)


def test_a_png_named_anything_is_judged_by_its_bytes() -> None:
    # The bytes decide: a JPEG header on PNG content is not a readable JPEG.
    png = _image_bytes((300, 400), "PNG")
    with pytest.raises(PhotoUnreadable):
        process_photo(b"\xff\xd8\xff" + png[3:])


def test_too_small_photo() -> None:
    with pytest.raises(PhotoTooSmall) as err:
        process_photo(_image_bytes((120, 150), "JPEG"))
    assert "240 x 300" in err.value.message


def test_oversized_input_is_refused_before_decoding() -> None:
    with pytest.raises(PhotoTooLarge):
        process_photo(b"\xff\xd8\xff" + b"\0" * MAX_INPUT_BYTES)


def _png_header_only(width: int, height: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\0" * 64)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def test_decompression_bomb_is_refused_from_its_header() -> None:
    bomb = _png_header_only(50_000, 50_000)  # 2.5 gigapixels claimed, under 200 bytes sent
    assert len(bomb) < 200
    with pytest.raises(PhotoTooLarge):
        process_photo(bomb)


def test_truncated_jpeg_is_unreadable() -> None:
    data = _image_bytes((600, 800), "JPEG")
    with pytest.raises(PhotoUnreadable):
        process_photo(data[: len(data) // 3])


def test_base64_photo() -> None:
    data = _image_bytes((300, 400), "JPEG")
    assert decode_photo_b64(base64.b64encode(data).decode()) == data
    with pytest.raises(PhotoUnreadable):
        decode_photo_b64("*** not base64 ***")
