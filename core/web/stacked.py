"""List tables that become stacked cards on a phone (#13 item 15): one CSS pattern, one template filter.

A template wraps each list table in ``{% filter stacked %}<table>…</table>{% endfilter %}``. The filter
adds the class ``stack`` to the table and gives every body cell a ``data-label`` with its column's
header, so the shared CSS (``table.stack`` in hall.css) can show each row as a card of "header：value"
lines under 600 px, with no script. Cells that already carry a ``data-label`` keep it; a table without a
header row gets the class only (a facts table: its row headers already name each value).
tests/core/web/test_zh_sweep.py walks the demo and fails on a table that is not wrapped.
"""

from __future__ import annotations

import html as htmllib
import re
from functools import partial

from markupsafe import Markup, escape

_TABLE = re.compile(r"<table\b([^>]*)>", re.I)
_THEAD = re.compile(r"<thead\b.*?</thead>", re.I | re.S)
_ROW = re.compile(r"(<tr\b[^>]*>)(.*?)(</tr>)", re.I | re.S)
_CELL = re.compile(r"<(td|th)\b([^>]*)>", re.I)
_CELL_TEXT = re.compile(r"<(td|th)\b([^>]*)>(.*?)</\1>", re.I | re.S)
_TAG = re.compile(r"<[^>]+>")
_SPAN = re.compile(r'\bcolspan="?(\d+)', re.I)
_CLASS = re.compile(r'\bclass="([^"]*)"', re.I)


def _span(attrs: str) -> int:
    m = _SPAN.search(attrs)
    return max(1, int(m.group(1))) if m else 1


def _headers(thead: str) -> list[str]:
    rows = _ROW.findall(thead)
    if not rows:
        return []
    out: list[str] = []
    for _tag, attrs, inner in _CELL_TEXT.findall(rows[-1][1]):
        text = " ".join(htmllib.unescape(_TAG.sub(" ", inner)).split())
        out.extend([text] * _span(attrs))
    return out


def _label_row(headers: list[str], row: str) -> str:
    position = 0

    def cell(m: re.Match[str]) -> str:
        nonlocal position
        tag, attrs = m.group(1), m.group(2)
        span = _span(attrs)
        here, position = position, position + span
        if "data-label" in attrs or here >= len(headers) or not headers[here] or span >= len(headers) > 1:
            return m.group(0)
        return f'<{tag}{attrs} data-label="{escape(headers[here])}">'

    return _CELL.sub(cell, row)


def _label_match(headers: list[str], row: re.Match[str]) -> str:
    return row.group(1) + _label_row(headers, row.group(2)) + row.group(3)


def _with_class(attrs: str) -> str:
    m = _CLASS.search(attrs)
    if m is None:
        return f'{attrs} class="stack"'
    classes = m.group(1).split()
    if "stack" in classes:
        return attrs
    return attrs[:m.start()] + f'class="{" ".join([*classes, "stack"])}"' + attrs[m.end():]


def stacked(value: str) -> Markup:
    """The table(s) in ``value`` marked ``stack`` with every body cell labelled by its column header."""
    text = str(value)
    out: list[str] = []
    pos = 0
    for m in _TABLE.finditer(text):
        if m.start() < pos:
            continue
        end = text.find("</table>", m.end())
        end = len(text) if end < 0 else end
        table = text[m.end():end]
        head = _THEAD.search(table)
        headers = _headers(head.group(0)) if head else []
        if headers:
            body = table[head.end():] if head else table
            body = _ROW.sub(partial(_label_match, headers), body)
            table = table[:head.end()] + body if head else body
        out.append(text[pos:m.start()] + f"<table{_with_class(m.group(1))}>" + table)
        pos = end
    out.append(text[pos:])
    return Markup("".join(out))
