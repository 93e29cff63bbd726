"""Charts for numbers people compare: pygal, rendered to inline SVG on the server (no script, no CDN).

Plugins call these helpers from their views and put the result in a template as ``{{ chart }}`` (it is
``Markup``). Titles and labels arrive already translated; the helper only fixes the look and makes the
SVG accessible (a ``<title>`` and a text table fallback for screen readers).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import pygal
from markupsafe import Markup, escape
from pygal.style import Style

STYLE = Style(
    background="transparent", plot_background="#ffffff", foreground="#1d2330", foreground_strong="#1d2330",
    foreground_subtle="#667085", colors=("#0b57d0", "#b3261e", "#1e7d32", "#b26a00", "#6a3fb5", "#00838f"),
    font_family='system-ui, "PingFang SC", "Noto Sans CJK SC", "Microsoft YaHei", "WenQuanYi Micro Hei", '
                'sans-serif',
    title_font_size=18, label_font_size=14, major_label_font_size=14, legend_font_size=14,
    value_font_size=13, tooltip_font_size=14,
)


# Drawn at 560 units wide and scaled to the page: on a 375 px phone the text stays ~2/3 of its size
# (at pygal's default 800 it shrank to under half, unreadable: #13 item 15); on a desktop it grows.
WIDTH = 560
_SCRIPT = re.compile(r"<script\b[^>]*>.*?</script>|<script\b[^>]*/>", re.S)


def _svg(chart: pygal.graph.graph.Graph) -> str:
    """The SVG without pygal's inline tooltip config script: charts are static, pages need no script."""
    # The empty tooltip layer's inline style would be refused by the CSP: a presentation attribute instead.
    return _SCRIPT.sub("", chart.render(is_unicode=True)).replace('style="opacity: 0"', 'opacity="0"')


def _config(chart: pygal.graph.graph.Graph, title: str) -> None:
    chart.config.js = []  # no external script: pages work offline and under a strict CSP
    chart.config.disable_xml_declaration = True
    chart.config.style = STYLE
    chart.config.no_data_text = "—"  # pygal's "No data" is English on a Chinese page: a dash reads in both
    chart.title = title


def _integer_axis(chart: pygal.graph.graph.Graph, series: Mapping[str, Sequence[float | None]]) -> None:
    """Counts (every value a whole number) get whole-number ticks: nobody has 2.5 cards."""
    values = [v for vs in series.values() for v in vs if v is not None]
    if not values or any(float(v) != int(v) for v in values):
        return
    top = max(1, int(max(values)))
    step = max(1, -(-top // 5))
    chart.y_labels = list(range(0, top + step, step))
    chart.value_formatter = lambda v: f"{v:.0f}"


def _table(title: str, labels: Sequence[str], series: Mapping[str, Sequence[float | None]]) -> str:
    head = "".join(f"<th scope=\"col\">{escape(name)}</th>" for name in series)
    rows = "".join(
        f"<tr><th scope=\"row\">{escape(label)}</th>"
        + "".join(f"<td>{'' if values[i] is None else escape(values[i])}</td>" for values in series.values())
        + "</tr>"
        for i, label in enumerate(labels)
    )
    return (f'<table class="chart-data"><caption>{escape(title)}</caption><thead><tr><th></th>{head}</tr>'
            f"</thead><tbody>{rows}</tbody></table>")


def _render(chart: pygal.graph.graph.Graph, title: str, labels: Sequence[str],
            series: Mapping[str, Sequence[float | None]]) -> Markup:
    for name, values in series.items():
        if len(values) != len(labels):
            raise ValueError(f"series {name!r} has {len(values)} values for {len(labels)} labels")
        chart.add(name, list(values))
    return _figure(title, _svg(chart), _table(title, labels, series))


def _figure(title: str, svg: str, table: str) -> Markup:
    return Markup(f'<figure class="chart" role="group" aria-label="{escape(title)}">{svg}'
                  f"<details><summary>{escape(title)}</summary>{table}</details></figure>")


def bar_chart(title: str, labels: Sequence[str], series: Mapping[str, Sequence[float | None]], *,
              horizontal: bool = False, height: int = 320, percent: bool = False) -> Markup:
    """Bars per label for one or more series (e.g. completion rate per county)."""
    chart = (pygal.HorizontalBar if horizontal else pygal.Bar)(width=WIDTH, height=height,
                                                               x_label_rotation=0 if horizontal else 30,
                                                               show_legend=len(series) > 1)
    _config(chart, title)
    chart.x_labels = list(labels)
    if percent:
        chart.value_formatter = lambda v: f"{v:.1f}%"
        chart.range = (0, 100)
    else:
        _integer_axis(chart, series)
    return _render(chart, title, labels, series)


def line_chart(title: str, labels: Sequence[str], series: Mapping[str, Sequence[float | None]], *,
               height: int = 320) -> Markup:
    """Values over time (e.g. applications per day)."""
    chart = pygal.Line(width=WIDTH, height=height, x_label_rotation=30, show_legend=len(series) > 1)
    _config(chart, title)
    _integer_axis(chart, series)
    chart.x_labels = list(labels)
    return _render(chart, title, labels, series)


def pie_chart(title: str, parts: Mapping[str, float], *, height: int = 320) -> Markup:
    """Shares of a whole (e.g. cards by kind of power)."""
    chart = pygal.Pie(width=WIDTH, height=height, inner_radius=0.4)
    _config(chart, title)
    labels = list(parts)
    for name, value in parts.items():
        chart.add(name, value)
    return _figure(title, _svg(chart), _table(title, labels, {title: list(parts.values())}))
