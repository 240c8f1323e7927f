"""The shared SVG chart: accessible, escaped, one bar per non-zero count, no script."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from cityid.rendering.charts import BarRow, Chart, Series, bar_chart_svg, single_series

SVG = "{http://www.w3.org/2000/svg}"


def test_a_stacked_chart_has_a_legend_a_title_a_desc_and_a_bar_per_count() -> None:
    chart = Chart(
        "flags", "Flags by outcome", "Items stacked by outcome.",
        (Series("open", "#b54708"), Series("decided", "#067647")),
        (BarRow("document_reuse", {"open": 2, "decided": 3}), BarRow("mrz_failure", {"open": 1})),
    )  # fmt: skip
    root = ET.fromstring(bar_chart_svg(chart))  # well-formed XML
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "flags-title flags-desc"
    assert root.find(f"{SVG}title").text == "Flags by outcome"  # type: ignore[union-attr]
    assert root.find(f"{SVG}desc").text == "Items stacked by outcome."  # type: ignore[union-attr]
    bars = [r for r in root.iter(f"{SVG}rect") if r.find(f"{SVG}title") is not None]
    labels = [r.find(f"{SVG}title").text for r in bars]  # type: ignore[union-attr]
    assert labels == ["document_reuse: 2 open", "document_reuse: 3 decided", "mrz_failure: 1 open"]
    legend = [r for r in root.iter(f"{SVG}rect") if r.find(f"{SVG}title") is None]
    assert len(legend) == 2
    # Bars scale with their counts: 5 is the longest, 1 a fifth of it.
    widths = [float(r.get("width", "0")) for r in bars]
    assert abs((widths[0] + widths[1]) / widths[2] - 5) < 0.01


def test_labels_are_escaped_and_nothing_runs() -> None:
    chart = single_series("x", "A <b> & c", "desc", [("<script>alert(1)</script>", 2), ("zero", 0)])
    svg = bar_chart_svg(chart)
    ET.fromstring(svg)
    assert "<script" not in svg and "style=" not in svg
    assert "&lt;script&gt;" in svg and "A &lt;b&gt; &amp; c" in svg
    assert svg.count("<rect") == 1  # one series: no legend; the zero row draws no bar


def test_an_empty_chart_still_draws_and_says_so() -> None:
    svg = bar_chart_svg(single_series("e", "Nothing", "No rows.", []))
    ET.fromstring(svg)
    assert "none yet" in svg and "<rect" not in svg
