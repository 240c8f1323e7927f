"""Jinja2 templates for the console, applicant and public pages."""

from __future__ import annotations

from pathlib import Path

from fastapi.templating import Jinja2Templates

from cityid.rendering import i18n

WEB_DIR = Path(__file__).resolve().parents[1] / "web"  # the pages' files live with the web
TEMPLATE_DIR = WEB_DIR / "templates"
STATIC_DIR = WEB_DIR / "static"

templates = Jinja2Templates(directory=str(TEMPLATE_DIR))
i18n.install(templates.env)  # `_` is identity unless a page passes its own
