"""Server-side SVG charts (pygal) for the dashboard, drawn from the same JSON the API returns."""

from __future__ import annotations

import re
from typing import Any

import pygal
from pygal.style import Style

from plugins.supervision.models import OPEN_STATES, SEVERITIES, SEVERITY_TITLES, STATE_TITLES

STYLE = Style(background="white", plot_background="white", font_family="'Noto Sans CJK SC', sans-serif",
              colors=("#1f6feb", "#d29922", "#cf222e", "#2da44e", "#8250df", "#57606a", "#bf3989"))
SEVERITY_COLOURS = Style(background="white", plot_background="white",
                         font_family="'Noto Sans CJK SC', sans-serif",
                         colors=("#1f6feb", "#d29922", "#cf222e"))


WIDTH = 560  # drawn narrow and scaled to the page: legible on a 375 px phone (#13 item 15)


def _t(pair: tuple[str, str], lang: str) -> str:
    return pair[0] if lang == "zh-CN" else pair[1]


_SCRIPT = re.compile(r"<script\b[^>]*>.*?</script>|<script\b[^>]*/>", re.S)


def _svg(chart: Any) -> str:
    """The SVG without pygal's inline config script (pages run no inline script: the CSP refuses it)."""
    chart.config.js = []  # static charts: no external tooltip script, pages work offline
    svg = str(chart.render(is_unicode=True, disable_xml_declaration=True))
    return _SCRIPT.sub("", svg).replace('style="opacity: 0"', 'opacity="0"')


def cards_chart(data: dict[str, Any], lang: str) -> str:
    title = _t(("在办监察卡片（按状态、等级）", "Live cards by state and severity"), lang)
    chart = pygal.StackedBar(style=SEVERITY_COLOURS, width=WIDTH, height=320, legend_at_bottom=True,
                             title=title)
    chart.x_labels = [_t(STATE_TITLES[s], lang) for s in OPEN_STATES]
    counts = {(i["severity"], i["state"]): i["count"] for i in data["items"]}
    for sv in SEVERITIES:
        chart.add(_t(SEVERITY_TITLES[sv], lang), [counts.get((sv, st), 0) for st in OPEN_STATES])
    return _svg(chart)


def rates_chart(data: dict[str, Any], lang: str) -> str:
    items = data["items"]
    title = _t(("按期办结率与办结率（由低到高）", "On-time and completion rates, worst first"), lang)
    chart = pygal.HorizontalBar(style=STYLE, width=WIDTH, height=max(240, 40 + 28 * len(items)),
                                legend_at_bottom=True,
                                range=(0, 100), title=title,
                                value_formatter=lambda v: f"{v:.1f}%" if v is not None else "—")
    # HorizontalBar draws the first label at the bottom: reverse so the worst reads first, at the top.
    rows = list(reversed(items))
    chart.x_labels = [(i["tenant_name"] if lang == "zh-CN" else i["tenant_name_en"]) for i in rows]
    chart.add(_t(("按期办结率", "On-time rate"), lang),
              [None if i["on_time_rate"] is None else i["on_time_rate"] * 100 for i in rows])
    chart.add(_t(("办结率", "Completion rate"), lang),
              [None if i["completion_rate"] is None else i["completion_rate"] * 100 for i in rows])
    return _svg(chart)


def trend_chart(data: dict[str, Any], lang: str) -> str:
    chart = pygal.Line(style=SEVERITY_COLOURS, width=WIDTH, height=300, legend_at_bottom=True,
                       x_label_rotation=30,
                       title=_t(("每周新发监察卡片", "Cards issued per week"), lang))
    chart.x_labels = data["weeks"]
    for sv in SEVERITIES:
        chart.add(_t(SEVERITY_TITLES[sv], lang), data["cards"][sv])
    return _svg(chart)


def kinds_chart(data: dict[str, Any], lang: str) -> str:
    chart = pygal.Bar(style=STYLE, width=WIDTH, height=320, legend_at_bottom=True, x_label_rotation=20,
                      title=_t(("七类权力监察卡片", "Cards by kind of power"), lang))
    missing = _t(("（未接入）", " (no plugin)"), lang)
    chart.x_labels = [(i["title_zh"] if lang == "zh-CN" else i["title_en"])
                      + ("" if i["covered"] else missing) for i in data["items"]]
    chart.add(_t(("在办", "Open"), lang), [i["open_cards"] for i in data["items"]])
    chart.add(_t(("累计", "All"), lang), [i["cards"] for i in data["items"]])
    return _svg(chart)


CHARTS = {"cards": cards_chart, "rates": rates_chart, "trend": trend_chart, "kinds": kinds_chart}
