"""Server-side pygal charts shared by plugins."""

from __future__ import annotations

import pytest
from markupsafe import Markup

from core.web.charts import bar_chart, line_chart, pie_chart


def test_bar_chart_is_inline_svg_without_script():
    out = bar_chart("办结率", ["东湖区", "西湖区"], {"2026": [97.5, 88.0]}, percent=True)
    assert isinstance(out, Markup)
    assert "<svg" in out and "办结率" in out and "东湖区" in out
    assert "<script" not in out and "kozea.github.io" not in out  # static: no inline or CDN script
    assert "<?xml" not in out
    assert '<th scope="row">西湖区</th><td>88.0</td>' in out  # text fallback for screen readers


def test_line_and_pie_charts():
    assert "<svg" in line_chart("每日申请", ["11-01", "11-02"], {"申请": [3, 5], "办结": [1, None]})
    pie = pie_chart("卡片", {"黄牌": 3, "红牌": 1})
    assert "<svg" in pie and "黄牌" in pie


def test_labels_and_values_must_match():
    with pytest.raises(ValueError, match="has 1 values for 2 labels"):
        bar_chart("x", ["a", "b"], {"s": [1]})


def test_text_is_escaped():
    out = bar_chart("<b>t</b>", ["<i>"], {"s": [1]})
    assert "<b>t</b>" not in out and "&lt;b&gt;" in out


def test_counts_get_whole_number_ticks_and_no_english_placeholder():
    import re

    out = bar_chart("卡片", ["一", "二"], {"黄牌": [1, 3]})
    ticks = re.findall(r'class="axis y[^"]*".*?</g></g>', out, re.S)
    labels = re.findall(r"<text[^>]*>([0-9.]+)</text>", ticks[0] if ticks else out)
    assert labels and all("." not in t for t in labels)  # 0 1 2 3, never 0.5
    empty = bar_chart("卡片", [], {"黄牌": []})
    assert "No data" not in empty
