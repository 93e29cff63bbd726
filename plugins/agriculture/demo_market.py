"""Demo prices, posts and 12316 questions (called from demo.load): a month of daily prices for three
products at one market in each of three counties of Nanchang, with one jump beyond the anomaly band; a
supply post in Donghu and demand posts in Donghu and Xihu; three questions in Donghu, one answered and
published, one open, one overdue (asked long enough ago that its limit has passed)."""

from __future__ import annotations

import struct
import zlib
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.api import account_by_username, add_calendar_days, add_working_days, calendar_for
from plugins.agriculture.models import Photo, Post, Price, Question
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
    _posts_and_questions(session, platform, directory, day)


def _posts_and_questions(session: Session, platform: Any, directory: Any, day: Any) -> None:
    citizen, firm = account_by_username(session, "citizen"), account_by_username(session, "enterprise")
    donghu, xihu = directory.get("360102"), directory.get("360103")
    if citizen is None or firm is None or donghu is None or xihu is None:
        return
    for tenant, kind, product, qty, who, account in (
        (donghu, "supply", "芹菜", "2000", "东湖区扬子洲蔬菜专业合作社", citizen),
        (xihu, "demand", "芹菜", "500", "西湖区朝阳生鲜超市", firm),
        (donghu, "demand", "鄱阳湖大米", "10000", "东湖区某学校食堂", firm),
    ):
        session.add(
            Post(
                tenant_id=tenant.id,
                tenant_path=tenant.path,
                kind=kind,
                product=product,
                quantity=Decimal(qty),
                poster_name=who,
                phone="13907910009",
                account_id=account.id,
                note="长期合作" if kind == "demand" else "可送货上门",
            )
        )
    limit = int(platform.tenant_setting(donghu, "agriculture.answer_working_days")) if platform else 3
    cal = calendar_for(platform, donghu)
    for ago, title, body, answer in (
        (
            20,
            "芹菜叶片发黄怎么办？",
            "大棚芹菜最近叶片发黄，根部正常，请问是什么原因？",
            "多为缺氮或棚内湿度过高所致：适量追施尿素，注意通风降湿。",
        ),
        (1, "早稻育秧用什么温度？", "今年准备用大棚育秧，秧床温度控制在多少合适？", ""),
        (12, "藜蒿检测不合格还能卖吗？", "我们的藜蒿检测毒死蜱超标，还能卖吗？", ""),
    ):
        asked = add_calendar_days(day, -ago)
        session.add(
            Question(
                tenant_id=donghu.id,
                tenant_path=donghu.path,
                asker_account_id=citizen.id,
                asker_name=citizen.display_name,
                title=title,
                body=body,
                asked_on=asked,
                due_on=add_working_days(asked, limit, cal),
                answer=answer,
                answered_by="东湖区农业农村局专家" if answer else "",
                answered_on=add_calendar_days(asked, 1) if answer else None,
                published=bool(answer),
            )
        )
    session.flush()
    # The yellowing celery comes with a photo (a small leaf-green image), as a farmer's question would.
    celery = session.scalars(select(Question.id).where(Question.tenant_id == donghu.id,
                                                       Question.title == "芹菜叶片发黄怎么办？")).one()
    blob = _png(24, 24, (0x8a, 0xb8, 0x3c))
    session.add(Photo(tenant_id=donghu.id, tenant_path=donghu.path, question_id=celery,
                      content_type="image/png", size=len(blob), data=blob))
    session.flush()


def _png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    """A plain one-colour PNG (the demo's photo; no imaging library needed for it)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows))
            + chunk(b"IEND", b""))
