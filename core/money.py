"""Money as people type it on a page: yuan with at most two decimals, to exact integer cents.

One parser for every plugin's forms (bids, prices, fees, payments, refunds); money is never a float.
"""

from __future__ import annotations

import re
from typing import Any

from core.errors import Invalid

#: Ten trillion yuan: bounded, and fits 64 bits with room to add.
MAX_CENTS = 10**15
_AMOUNT = re.compile(r"(\d{1,16})(?:\.(\d*))?")


def yuan_cents(value: Any, field: str, *, allow_zero: bool = False, max_cents: int = MAX_CENTS) -> int:
    """``"1,280,000.00"`` (ASCII or full-width commas, spaces around) -> 128000000 cents, exactly.

    Refused with ``Invalid`` naming ``field``, in Chinese and English: not an amount in yuan; more than two
    decimals; zero (unless ``allow_zero``) or more than ``max_cents``. Negative amounts are not amounts."""
    text = str(value if value is not None else "").replace(",", "").replace("，", "").strip()
    m = _AMOUNT.fullmatch(text)
    if m is None:
        raise Invalid(f"{field}: an amount in yuan, e.g. 1280000.00", "请填写金额（元），例如 1280000.00",
                      code="bad_amount", fields={field: "an amount in yuan"})
    frac = m.group(2) or ""
    if len(frac) > 2:
        raise Invalid(f"{field}: at most two decimals", "金额最多两位小数", code="bad_amount",
                      fields={field: "at most two decimals"})
    cents = int(m.group(1)) * 100 + int(frac.ljust(2, "0"))
    if (cents == 0 and not allow_zero) or cents > max_cents:
        raise Invalid(f"{field}: out of range", "金额超出范围", code="bad_amount",
                      fields={field: "out of range"})
    return cents
