"""One legal clock (issue #12): no "today" or "now" outside core/clock.py, and no calendar-day arithmetic
on dates in plugins — periods go through ``core.api`` (add_working_days, add_calendar_days, days_before,
add_months, Period). Like tests/test_layout.py, a lint over the source: new code that reads the server's
date or counts days by hand fails here with the file and line."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CLOCK = ROOT / "core" / "clock.py"
# (receiver, method) calls that read the server's time instead of the platform's clock.
FORBIDDEN_NOW = {("date", "today"), ("datetime", "now"), ("datetime", "utcnow"), ("datetime", "today")}


def _sources(*parts: str) -> list[Path]:
    out: list[Path] = []
    for part in parts:
        out += sorted((ROOT / part).rglob("*.py"))
    return [p for p in out if p != CLOCK]


def _receiver(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):  # datetime.datetime.now, dt.date.today
        return node.attr
    return ""


def test_no_today_or_now_outside_the_clock():
    bad = []
    for path in _sources("core", "plugins"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and (_receiver(node.func.value), node.func.attr) in FORBIDDEN_NOW):
                bad.append(f"{path.relative_to(ROOT)}:{node.lineno}: {ast.unparse(node)} "
                           f"-> core.api.today(platform) / core.api.now(platform)")
    assert bad == [], "\n".join(bad)


def _is_day_delta(node: ast.Call) -> bool:
    """timedelta(...) counting days or weeks (hours and minutes are for expiries, not periods)."""
    if not (isinstance(node.func, ast.Name) and node.func.id == "timedelta"
            or isinstance(node.func, ast.Attribute) and node.func.attr == "timedelta"):
        return False
    return bool(node.args) or any(k.arg in ("days", "weeks") for k in node.keywords)


def _instant_windows(tree: ast.AST) -> set[int]:
    """timedelta calls subtracted from or added to an instant (``now - timedelta(days=7)``): a window on
    timestamps, not a period on dates."""
    out: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add | ast.Sub):
            for side, other in ((node.left, node.right), (node.right, node.left)):
                if isinstance(side, ast.Call) and "now" in ast.unparse(other).lower():
                    out.add(id(side))
    return out


def test_no_day_arithmetic_on_dates_in_plugins():
    bad = []
    for path in _sources("plugins"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        windows = _instant_windows(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and _is_day_delta(node) and id(node) not in windows:
                bad.append(f"{path.relative_to(ROOT)}:{node.lineno}: {ast.unparse(node)} "
                           f"-> core.api.add_calendar_days / days_before / add_working_days")
            elif (isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add | ast.Sub)
                  and any("deadline" in ast.unparse(side).lower() for side in (node.left, node.right))
                  and any(isinstance(side, ast.Constant) for side in (node.left, node.right))):
                bad.append(f"{path.relative_to(ROOT)}:{node.lineno}: {ast.unparse(node)} "
                           f"-> deadlines are computed by core.api (Period, add_working_days)")
    assert bad == [], "\n".join(bad)


def test_the_lint_catches_what_it_says():
    sample = ast.parse("from datetime import date, timedelta\nx = date.today()\ny = d + timedelta(days=3)\n"
                       "z = app.deadline + 1\nok = now + timedelta(hours=2)\n")
    calls = [n for n in ast.walk(sample) if isinstance(n, ast.Call)]
    assert sum(isinstance(c.func, ast.Attribute) and (_receiver(c.func.value), c.func.attr) in FORBIDDEN_NOW
               for c in calls) == 1
    assert sum(_is_day_delta(c) for c in calls) == 1
