"""One parser for money typed on a page (core.api.yuan_cents), and no plugin writing its own again."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from core.api import Invalid, yuan_cents

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("typed,cents", [
    ("12", 1200), ("12.5", 1250), ("12.50", 1250), (" 1,280,000.00 ", 128000000), ("1，280", 128000),
    ("0.01", 1), ("12.", 1200), (12, 1200),
])
def test_yuan_as_typed_become_exact_cents(typed, cents):
    assert yuan_cents(typed, "amount") == cents


@pytest.mark.parametrize("typed,zh", [
    ("", "请填写金额"), ("abc", "请填写金额"), ("-5", "请填写金额"), ("1e3", "请填写金额"),
    ("12.345", "最多两位小数"),
    ("0", "超出范围"), ("0.00", "超出范围"), ("10000000000001", "超出范围"), (None, "请填写金额"),
    ("12.5.1", "请填写金额"), ("NaN", "请填写金额"),
])
def test_what_is_not_an_amount_is_refused_naming_the_field(typed, zh):
    with pytest.raises(Invalid) as e:
        yuan_cents(typed, "price_yuan")
    assert zh in e.value.message_zh and "price_yuan" in e.value.fields and e.value.code == "bad_amount"


def test_zero_where_allowed_and_a_lower_cap():
    assert yuan_cents("0", "fee", allow_zero=True) == 0
    with pytest.raises(Invalid):
        yuan_cents("100.01", "fee", max_cents=10000)


def test_no_plugin_parses_yuan_by_itself():
    """A page's money goes through core.api.yuan_cents (six copies were written before it existed)."""
    own = re.compile(r"def _?cents\(|\(frac \+ \"00\"\)")  # a migration's column named cents is not it
    found = [f"{p.relative_to(ROOT)}:{n}" for p in sorted((ROOT / "plugins").rglob("*.py"))
             if "migrations" not in p.parts
             for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
             if own.search(line) and not p.match("agriculture/prices.py")]
    assert not found, f"use core.api.yuan_cents: {found}"
