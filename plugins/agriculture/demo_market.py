"""Demo prices and 12316 questions (called from demo.load): a month of daily prices for three products at
one market in each of three counties of Nanchang, with one jump beyond the anomaly band."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from core.api import add_calendar_days
from plugins.agriculture.models import Price
from plugins.agriculture.prices import cents

# county -> market; product -> base price (yuan per kg)
MARKETS = {
    "360102": "南昌深圳农产品中心批发市场",
    "360103": "西湖区朝阳农贸市场",
    "360111": "青山湖区湖坊农贸市场",
}
PRODUCTS = {"芹菜": Decimal("4.20"), "南昌藜蒿": Decimal("12.50"), "鄱阳湖大米": Decimal("5.80")}
DAYS = 30


def _price(base: Decimal, county_no: int, product_no: int, n: int) -> Decimal:
    """A gentle, deterministic wiggle (no randomness: the demo is the same every time)."""
    wiggle = Decimal(((n * 7 + county_no * 3 + product_no * 5) % 11) - 5) / 100
    return (base * (1 + wiggle) + Decimal(county_no) / 10).quantize(Decimal("0.01"))


def load(session: Session, platform: Any, directory: Any, day: Any) -> None:
    rows = []
    for ci, (code, market) in enumerate(MARKETS.items()):
        tenant = directory.get(code)
        if tenant is None:
            continue
        for pi, (product, base) in enumerate(PRODUCTS.items()):
            for n in range(DAYS, 0, -1):
                price = _price(base, ci, pi, n)
                if code == "360103" and product == "南昌藜蒿" and n == 3:
                    price = (price * Decimal("1.6")).quantize(Decimal("0.01"))  # a jump the band catches
                rows.append(
                    Price(
                        tenant_id=tenant.id,
                        tenant_path=tenant.path,
                        day=add_calendar_days(day, -n),
                        product=product,
                        market=market,
                        price_cents=cents(price),
                        entered_by="demo",
                    )
                )
    session.add_all(rows)
    session.flush()
