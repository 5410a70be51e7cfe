"""Dashboard charts: SVG drawn on the server by pygal, inlined in the page.

No script and no inline style reach the browser (the page's CSP allows neither): the
`<script>` and `<style>` pygal adds are dropped and the colours come from app.css
(`.report-chart`). Hidden ("<5") values are drawn as gaps. Every chart sits next to the
table of its numbers, which is what screen readers read (the SVG is labelled by its title).
"""
from __future__ import annotations

import uuid
import xml.etree.ElementTree as ET

import pygal
from markupsafe import Markup

from caseapp.reports.model import COLUMN_LABELS, COLUMNS, COUNT, SUPPRESSED, Table

_DROP = ("script", "style")
MAX_BARS = 12


def _plain(value):
    return None if value is SUPPRESSED or value is None else value


def chart_svg(table: Table, title: str) -> Markup | None:
    """An SVG chart of `table`'s count lines (total left out), one series per month; None when
    the table has no chart or nothing to draw."""
    if not table.chart:
        return None
    figures = [f for f in table.figures if f.kind == COUNT and f.key != table.total_key][:MAX_BARS]
    if not figures or not any(_plain(v) for f in figures for v in f.values):
        return None
    config = dict(css=[], js=[], disable_xml_declaration=True, explicit_size=False, width=640, height=320,
                  show_legend=True, legend_at_bottom=True, truncate_label=24, x_label_rotation=0,
                  print_values=False, no_prefix=True, show_y_guides=True)
    if table.chart == "pie":
        chart = pygal.Pie(**config)
        for f in figures:
            chart.add(f.label, [_plain(f.values[0])])
    else:
        chart = pygal.Bar(**config)
        chart.x_labels = [f.label for f in figures]
        for index, column in enumerate(COLUMNS):
            chart.add(str(COLUMN_LABELS[column]), [_plain(f.values[index]) for f in figures])
    tree = chart.render_tree()
    for parent in list(tree.iter()):
        for child in list(parent):
            if not isinstance(child.tag, str) or child.tag.split("}")[-1] in _DROP \
                    or "tooltip-overlay" in child.get("class", "") \
                    or (parent is tree and child.tag.split("}")[-1] == "title"):
                parent.remove(child)
    title_id = f"chart-{uuid.uuid4().hex[:12]}"
    tree.set("role", "img")
    tree.set("aria-labelledby", title_id)
    tree.set("class", "report-chart")
    tree.set("id", title_id + "-svg")
    svg = ET.tostring(tree, encoding="unicode")
    svg = svg.replace(">", f"><title id=\"{title_id}\">{_escape(title)}</title>", 1)
    return Markup(svg)


def _escape(text: str) -> str:
    return str(Markup.escape(text))
