"""Images for `--documents`: an avatar portrait and a scan of each document (PNG, base64)."""

from __future__ import annotations

import base64
import io
import random
from typing import Any

from cityid.devtools.synth.generator import Gen, Person


def avatar(gen: Gen, person: Person) -> str:
    """A plain avatar JPEG, base64: enough for the photo pipeline, nobody's face."""
    variant = int(person.person_id[1:]) % 12
    if variant not in gen.avatars:
        from PIL import Image, ImageDraw

        local = random.Random(variant)  # noqa: S311
        background = tuple(local.randint(150, 235) for _ in range(3))
        skin = local.choice(((241, 194, 125), (224, 172, 105), (198, 134, 66), (141, 85, 36)))
        image = Image.new("RGB", (240, 300), background)
        draw = ImageDraw.Draw(image)
        draw.ellipse((70, 50, 170, 170), fill=skin)
        draw.ellipse((30, 180, 210, 360), fill=tuple(local.randint(20, 120) for _ in range(3)))
        out = io.BytesIO()
        image.save(out, format="JPEG", quality=70)
        gen.avatars[variant] = base64.b64encode(out.getvalue()).decode("ascii")
    return gen.avatars[variant]


def document_scan(doc: dict[str, Any]) -> str:
    """A small synthetic scan of a document (PNG, a few KB), base64."""
    from PIL import Image, ImageDraw

    image = Image.new("L", (320, 200), 245)
    draw = ImageDraw.Draw(image)
    draw.rectangle((4, 4, 315, 195), outline=60, width=3)
    draw.rectangle((4, 4, 315, 40), fill=90)
    draw.text((14, 16), str(doc["type"]).replace("_", " ").upper(), fill=255)
    draw.text((14, 60), f"No. {doc['number']}", fill=20)
    draw.text((14, 80), f"Country {doc['issuing_country']}", fill=20)
    draw.text((14, 100), f"Expires {doc['expires'] or '-'}", fill=20)
    draw.text((14, 170), "SYNTHETIC - NOT A REAL DOCUMENT", fill=120)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return base64.b64encode(out.getvalue()).decode("ascii")
