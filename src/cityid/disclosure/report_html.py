"""The transparency report as a standalone HTML page (the same template the web serves)."""

from __future__ import annotations

from typing import Any

from markupsafe import Markup

from cityid.disclosure.report import bar_chart_svg


def report_context(report: dict[str, Any]) -> dict[str, Any]:
    """What the template needs: the report, and its chart as trusted SVG markup."""
    # The SVG is built from counts and quarter labels this module formats itself.
    return {"report": report, "chart": Markup(bar_chart_svg(report))}  # noqa: S704


def render_report_html(report: dict[str, Any], program: Any) -> str:
    from cityid.rendering.templating import templates

    template = templates.env.get_template("public/transparency.html")
    return template.render(staff=None, nav=[], program=program, **report_context(report))
