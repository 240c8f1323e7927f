"""Jinja2 templates for the console, applicant and public pages."""

from __future__ import annotations

from pathlib import Path

from fastapi.templating import Jinja2Templates

from cityid.web import i18n

TEMPLATE_DIR = Path(__file__).parent / "templates"
STATIC_DIR = Path(__file__).parent / "static"

templates = Jinja2Templates(directory=str(TEMPLATE_DIR))
i18n.install(templates.env)  # `_` is identity unless a page passes its own
