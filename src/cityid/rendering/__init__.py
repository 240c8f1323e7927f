"""Rendering shared by the web and the reports: SVG charts, the Jinja2 templates, i18n.

Outside `cityid.web` so a domain that publishes a page (the transparency report) does
not import the web. The template and static files stay under `cityid/web/`, where the
pages they draw are served.
"""
