"""The dashboard's and the audit's charts, drawn on the server as SVG with pygal: no CDN, no JavaScript.

pygal was chosen over altair/vega because it renders SVG in pure Python with nothing to download at run time
(vega's server-side rendering needs a JavaScript engine or a headless browser). Its interactive script is
switched off (`js=[]`), so the charts are static pictures.

Each chart comes back as a `data:image/svg+xml` URI for an `<img>`: an SVG loaded as an image cannot run script,
and its own `<style>` applies there, while the staff page's Content-Security-Policy (`style-src 'self'`) would
block that style in an SVG written inline into the page. The page puts the same figures in a table beside each
chart, for screen readers and for anyone who would rather read them.
"""

from __future__ import annotations

import base64
import re
from collections import defaultdict
from typing import Any, Sequence

import pygal
from pygal.style import Style

from kmsearch.analytics.audit import ALL_LEFT, ONE_PERSON

# The page's palette (static/style.css); dark enough on white for the legend and labels (WCAG AA)
STYLE = Style(
    background="white", plot_background="white", foreground="#1a1a1a", foreground_strong="#1a1a1a",
    foreground_subtle="#595959", opacity="1", opacity_hover="1", transition="none",
    colors=("#1f5fa8", "#b3261e", "#2e7d32", "#6a1b9a", "#a04a00", "#00626e", "#5d4037", "#37474f"),
    font_family="system-ui, -apple-system, Segoe UI, sans-serif", label_font_size=13, major_label_font_size=13,
    legend_font_size=13, value_font_size=12, title_font_size=15,
)
MAX_TOPICS = 15  # bars in the topics chart (the table lists them all)


def _config() -> dict[str, Any]:
    return {"style": STYLE, "js": [], "disable_xml_declaration": False, "width": 760, "height": 340,
            "legend_at_bottom": True, "legend_at_bottom_columns": 4, "margin_bottom": 28, "show_minor_x_labels": True,
            "truncate_legend": 40, "truncate_label": 28, "print_values": False, "no_data_text": "no data yet"}


def _whole_numbers(chart: Any, values: Sequence[float]) -> None:
    """Counts on the value axis as whole numbers (pygal would label 0.1, 0.2 ... for a largest value of 1)."""
    top = max([int(v) for v in values] or [0])
    step = max(1, -(-top // 8))
    chart.y_labels = list(range(0, top + step + 1, step))


_SCRIPT = re.compile(rb"<script\b.*?</script>", re.DOTALL)


def data_uri(chart: Any) -> str:
    """The chart as a data: URI for an <img src>, without the configuration script pygal always writes (an image
    would not run it; it is dropped so that the picture holds no script at all)."""
    svg = chart.render()
    svg = _SCRIPT.sub(b"", svg if isinstance(svg, bytes) else svg.encode())
    return "data:image/svg+xml;base64," + base64.b64encode(svg).decode()


def searches_over_time(weeks: Sequence[dict[str, Any]]) -> str:
    """Requests and unanswered requests per ISO week (the usage report's `over_time`)."""
    chart = pygal.Bar(**_config(), x_title="week", y_title="requests")
    chart.x_labels = [w["week"] for w in weeks]
    chart.add("requests", [w["requests"] for w in weeks])
    chart.add("no strong match", [w["unanswered"] for w in weeks])
    chart.add("results opened", [w["opens"] for w in weeks])
    _whole_numbers(chart, [w["requests"] for w in weeks])
    return data_uri(chart)


def topic_label(topic: dict[str, Any]) -> str:
    return ("⚠ " if at_risk(topic) else "") + topic["name"]


def at_risk(topic: dict[str, Any]) -> bool:
    """A topic that one person holds, or whose people have all left."""
    return any(f["flag"] in (ONE_PERSON, ALL_LEFT) for f in topic["flags"])


def _largest(topics: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(topics, key=lambda t: (-t["documents"], t["name"]))[:MAX_TOPICS]


def topics_height(topics: Sequence[dict[str, Any]]) -> int:
    """The topics chart's height in pixels: a bar pair per topic shown."""
    return max(260, 60 + 34 * len(_largest(topics)))


def topics_chart(topics: Sequence[dict[str, Any]]) -> str:
    """Documents and people per topic (the audit's), the largest first; at-risk topics marked ⚠."""
    shown = _largest(topics)
    config = _config() | {"height": topics_height(topics), "truncate_label": 40}
    chart = pygal.HorizontalBar(**config, x_title="count")
    chart.x_labels = [topic_label(t) for t in reversed(shown)]
    chart.add("documents", [t["documents"] for t in reversed(shown)])
    chart.add("people", [len(t["people"]) for t in reversed(shown)])
    _whole_numbers(chart, [max(t["documents"], len(t["people"])) for t in shown])
    return data_uri(chart)


def documents_per_year(rows: Sequence[dict[str, Any]]) -> str:
    """Documents per year, stacked by type (the audit's `documents_by_year`; undated ones are left out)."""
    years = sorted({r["year"] for r in rows if r["year"] is not None})
    by_type: dict[str, dict[int, int]] = defaultdict(dict)
    for r in rows:
        if r["year"] is not None:
            by_type[r["type"]][r["year"]] = r["count"]
    chart = pygal.StackedBar(**_config(), x_title="year", y_title="documents",
                             x_label_rotation=45 if len(years) > 12 else 0)
    chart.x_labels = [str(y) for y in years]
    for kind in sorted(by_type, key=lambda k: -sum(by_type[k].values())):
        chart.add(kind, [by_type[kind].get(y, 0) for y in years])
    _whole_numbers(chart, [sum(by_type[k].get(y, 0) for k in by_type) for y in years])
    return data_uri(chart)


def year_type_table(rows: Sequence[dict[str, Any]]) -> tuple[list[str], list[tuple[str, list[int], int]]]:
    """The figures of `documents_per_year` as a table: the types (columns), and per year its counts and total."""
    kinds = sorted({r["type"] for r in rows})
    table: dict[Any, dict[str, int]] = defaultdict(dict)
    for r in rows:
        table[r["year"]][r["type"]] = r["count"]
    ordered = sorted(table, key=lambda y: (y is None, y or 0))
    return kinds, [("undated" if y is None else str(y), [table[y].get(k, 0) for k in kinds], sum(table[y].values()))
                   for y in ordered]


__all__ = ["at_risk", "documents_per_year", "searches_over_time", "topic_label", "topics_chart", "topics_height",
           "year_type_table"]
