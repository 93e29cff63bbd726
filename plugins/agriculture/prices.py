"""Daily market prices: entered by the county or imported (CSV/JSON, all or nothing with row errors),
charted over time and across counties, and marked as anomalies when a price moves beyond the tenant's
band (``agriculture.price_band_percent``) from the same market's previous price.

Prices are integer cents per unit. A city or the province reads its whole subtree (a subtree scope).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from pydantic import ValidationError
from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.api import Conflict, ImportFile, RowError, RowsRefused, audit, error_zh, read_import, utcnow
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


# What a CSV header may call each column: the English field name or the Chinese one a bureau's
# spreadsheet uses (日期,产品,市场,价格,单位).
COLUMNS: dict[str, tuple[str, str]] = {
    "day": ("日期", "day"),
    "product": ("产品", "product"),
    "market": ("市场", "market"),
    "price": ("价格", "price"),
    "unit": ("单位", "unit"),
}
_ALIASES = {zh: key for key, (zh, _en) in COLUMNS.items()}

# Where a price file needs more than core's general Chinese message (core.api.error_zh).
_ZH_OVERRIDES: dict[str, str] = {
    "extra_forbidden": "不是价格文件的列（应为 日期/day、产品/product、市场/market、价格/price、单位/unit）",
    "decimal_parsing": "应为数字（元，最多两位小数）",
}


@dataclass(frozen=True)
class PriceRowError:
    """A refused row: its number in the file, the column, and why in both languages."""

    row: int
    column: str
    en: str
    zh: str


class PriceRowsRefused(RowsRefused):
    """RowsRefused whose Chinese message says each row's problem in Chinese too."""

    def __init__(self, name: str, errors: list[PriceRowError], total: int) -> None:
        errors = sorted(errors, key=lambda e: (e.row, e.column))
        super().__init__(name, [RowError(e.row, e.column, e.en) for e in errors], total)
        zh_lines = "\n".join(f"第 {e.row} 行 {_column_zh(e.column)}列：{e.zh}" for e in errors)
        self.message_zh = f"{name}：{total} 行中有 {len(errors)} 处错误，未导入任何记录\n{zh_lines}"
        self.fields_zh = {f"row {e.row}.{e.column}": e.zh for e in errors}
        self.price_errors = errors


def _column_zh(column: str) -> str:
    zh = COLUMNS.get(column, ("", ""))[0]
    return f"“{zh}（{column}）”" if zh else f"“{column}”"


def read_file(path: Any, *, max_rows: int | None = None) -> ImportFile:
    """The one reader of a price file for the page, the API and ``govhall agriculture prices import``:
    core's import reader (UTF-8 or GBK, rows numbered as in a spreadsheet), Chinese headers mapped."""
    file = read_import(path, max_rows=max_rows)
    file.rows = [(n, {_ALIASES.get(k, k): v for k, v in row.items()}) for n, row in file.rows]
    return file


def check_file(session: Session, tenant: Any, file: ImportFile) -> list[PriceIn]:
    """Every row of the file as a valid new price, or PriceRowsRefused naming each bad row and column
    (in Chinese and English): wrong values, a row repeating another, a price already entered."""
    errors = [PriceRowError(e.row, e.field, e.message, _zh_read_error(e.message)) for e in file.errors]
    good: list[tuple[int, PriceIn]] = []
    for n, raw in file.rows:
        try:
            good.append((n, PriceIn.model_validate({_ALIASES.get(k, k): v for k, v in raw.items()})))
        except ValidationError as exc:
            for e in exc.errors():
                column = ".".join(map(str, e["loc"])) or "row"
                errors.append(PriceRowError(n, column, e["msg"], error_zh(e, _ZH_OVERRIDES)))
    seen: dict[tuple[str, str, date], int] = {}
    for n, p in good:
        key = (p.product, p.market, p.day)
        if key in seen:
            errors.append(
                PriceRowError(
                    n,
                    "day",
                    f"same product, market and day as row {seen[key]}",
                    f"与第 {seen[key]} 行的产品、市场和日期相同",
                )
            )
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
            PriceRowError(
                n,
                "day",
                "a price for this product, market and day is already entered",
                "该产品在该市场当天的价格已录入",
            )
            for n, p in good
            if (p.product, p.market, p.day) in have
        )
    if errors:
        raise PriceRowsRefused(file.name, errors, len(file.rows) + len(file.errors))
    return [p for _, p in good]


def _zh_read_error(message: str) -> str:
    if message.startswith("has ") and "cells" in message:
        return "单元格数多于表头的列数"
    return message


def import_file(session: Session, tenant: Any, file: ImportFile, *, actor: str) -> int:
    """Every row valid and new, or nothing is written (PriceRowsRefused lists every bad row)."""
    return write_checked(session, tenant, file.name, check_file(session, tenant, file), actor=actor)


def write_checked(
    session: Session,
    tenant: Any,
    name: str,
    rows: list[PriceIn],
    *,
    actor: str,
    progress: Callable[[int], None] | None = None,
    chunk: int = 1000,
) -> int:
    """Write the rows ``check_file`` passed, ``chunk`` at a time (each reported to ``progress``, the
    command's bar), in the caller's one transaction, with one audit entry for the file."""
    for first in range(0, len(rows), chunk):
        part = rows[first : first + chunk]
        session.execute(
            insert(Price),
            [
                {
                    "tenant_id": tenant.id,
                    "tenant_path": tenant.path,
                    "day": p.day,
                    "product": p.product,
                    "market": p.market,
                    "price_cents": cents(p.price),
                    "unit": p.unit,
                    "entered_by": actor,
                    "created_at": utcnow(),
                }
                for p in part
            ],
        )
        if progress is not None:
            progress(len(part))
    audit.record(
        session,
        actor=actor,
        action="agriculture.prices.imported",
        tenant=tenant,
        target=f"file:{name}",
        details={"rows": len(rows)},
    )
    return len(rows)


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
