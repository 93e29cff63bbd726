"""Daily market prices: entered by the county or imported (CSV/JSON, all or nothing with row errors),
charted over time and across counties, and marked as anomalies when a price moves beyond the tenant's
band (``agriculture.price_band_percent``) from the same market's previous price.

Prices are integer cents per unit. A city or the province reads its whole subtree (a subtree scope).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.api import Conflict, ImportFile, RowError, RowsRefused, audit, validate_rows
from plugins.agriculture.models import Price
from plugins.agriculture.schemas import PriceIn

BAND_KEY = "agriculture.price_band_percent"


def cents(price: Decimal) -> int:
    return int((price * 100).to_integral_value(rounding=ROUND_HALF_UP))


def yuan(c: int) -> Decimal:
    return (Decimal(c) / 100).quantize(Decimal("0.01"))


def _row(tenant: Any, data: PriceIn, actor: str) -> Price:
    return Price(
        tenant_id=tenant.id,
        tenant_path=tenant.path,
        day=data.day,
        product=data.product,
        market=data.market,
        price_cents=cents(data.price),
        unit=data.unit,
        entered_by=actor,
    )


def add(session: Session, tenant: Any, data: PriceIn, *, actor: str) -> Price:
    row = _row(tenant, data, actor)
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        raise Conflict(
            "This market already has a price for this product on this day",
            "该市场当天已有此产品的价格",
            code="price_exists",
            fields={"day": "already entered"},
        ) from None
    return row


def import_file(session: Session, tenant: Any, file: ImportFile, *, actor: str) -> int:
    """Every row valid and new, or nothing is written (RowsRefused lists every bad row)."""
    good, errors = validate_rows(file.rows, PriceIn)
    errors = list(file.errors) + errors
    seen: dict[tuple[str, str, date], int] = {}
    for n, p in good:
        key = (p.product, p.market, p.day)
        if key in seen:
            errors.append(RowError(n, "day", f"same product, market and day as row {seen[key]}"))
        seen[key] = n
    if good:
        days = [p.day for _, p in good]
        have = {
            tuple(row)
            for row in session.execute(
                select(Price.product, Price.market, Price.day).where(
                    Price.tenant_id == tenant.id, Price.day >= min(days), Price.day <= max(days)
                )
            )
        }
        errors.extend(
            RowError(n, "day", "a price for this product, market and day is already entered")
            for n, p in good
            if (p.product, p.market, p.day) in have
        )
    if errors:
        raise RowsRefused(file.name, errors, len(file.rows))
    session.add_all(_row(tenant, p, actor) for _, p in good)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="agriculture.prices.imported",
        tenant=tenant,
        target=f"file:{file.name}",
        details={"rows": len(good)},
    )
    return len(good)


def products(session: Session) -> list[str]:
    return list(session.scalars(select(Price.product).distinct().order_by(Price.product).limit(200)))


def recent(session: Session, product: str, since: date) -> list[Price]:
    q = select(Price).where(Price.day >= since)
    if product:
        q = q.where(Price.product == product)
    return list(session.scalars(q.order_by(Price.day.desc(), Price.tenant_path, Price.market).limit(1000)))


def by_county(rows: list[Price]) -> dict[int, dict[date, int]]:
    """{tenant id: {day: average cents over its markets}} for the charts."""
    acc: dict[int, dict[date, list[int]]] = defaultdict(lambda: defaultdict(list))
    for r in rows:
        acc[r.tenant_id][r.day].append(r.price_cents)
    return {t: {d: round(sum(v) / len(v)) for d, v in days.items()} for t, days in acc.items()}


def anomalous_rows(session: Session, platform: Any, since: date | None = None) -> list[dict[str, Any]]:
    """Rows in the session's scope whose change from the same market's previous price exceeds the
    band of their tenant: one query with LAG over (tenant, product, market) by day."""
    prev = func.lag(Price.price_cents).over(
        partition_by=(Price.tenant_id, Price.product, Price.market), order_by=Price.day
    )
    inner = select(
        Price.id,
        Price.tenant_id,
        Price.day,
        Price.product,
        Price.market,
        Price.price_cents,
        prev.label("previous"),
    ).subquery()
    q = select(inner).where(inner.c.previous.is_not(None))
    if since is not None:
        q = q.where(inner.c.day >= since)
    out: list[dict[str, Any]] = []
    bands: dict[int, int] = {}
    for r in session.execute(q.order_by(inner.c.id)).mappings():
        tid = r["tenant_id"]
        if tid not in bands:
            ref = platform.directory.by_id.get(tid) if platform is not None else None
            bands[tid] = int(platform.tenant_setting(ref, BAND_KEY)) if ref is not None else 30
        change = (Decimal(r["price_cents"]) - r["previous"]) * 100 / r["previous"]
        if abs(change) > bands[tid]:
            out.append(
                {
                    **r,
                    "price": yuan(r["price_cents"]),
                    "previous": yuan(r["previous"]),
                    "change": change.quantize(Decimal("0.1")),
                    "band": bands[tid],
                }
            )
    return out
