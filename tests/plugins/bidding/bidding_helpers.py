"""Shared helpers of the bidding tests: a lawful schedule, a published tender, bidders and sealed bids."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from factories import credit_code

from plugins.bidding import sealing, services

CN = ZoneInfo("Asia/Shanghai")
DOCS_FROM = date(2026, 12, 1)
DEADLINE = datetime(2026, 12, 22, 9, 30, tzinfo=CN)  # 21 days after the documents: lawful
BEFORE = datetime(2026, 11, 30, 10, 0, tzinfo=CN)  # when the tender is published
TENDERER = credit_code(900)
BIDDERS = [credit_code(901 + i) for i in range(5)]
NAMES = [
    "江西甲建设有限公司",
    "江西乙工程有限公司",
    "江西丙建筑有限公司",
    "江西丁市政有限公司",
    "江西戊路桥有限公司",
]


def tender_in(**kw: Any) -> services.TenderIn:
    base: dict[str, Any] = dict(
        title="东湖区老旧小区改造工程施工",
        tenderer_name="南昌市东湖区住房和城乡建设局",
        tenderer_code=TENDERER,
        estimated_cents=1_000_000_00,
        documents_from=DOCS_FROM,
        documents_until=date(2026, 12, 8),
        deadline=DEADLINE,
        description="施工招标",
        bond_cents=20_000_00,
        state_funded=True,
    )
    base.update(kw)
    return services.TenderIn(**base)


def published(platform: Any, tenant_code: str = "360102", **kw: Any) -> Any:
    tenant = platform.directory.get(tenant_code)
    with platform.db.transaction(tenant.scope) as s:
        t = services.create_tender(s, platform, tenant, tender_in(**kw), actor="tests")
        services.publish_tender(s, platform, tenant, t.id, t.version, actor="tests", now=BEFORE)
        return t.id, t.ocid


def register_and_pay(platform: Any, tender_id: int, n: int = 4, tenant_code: str = "360102") -> list[int]:
    tenant = platform.directory.get(tenant_code)
    out = []
    with platform.db.transaction(tenant.scope) as s:
        for code, name in list(zip(BIDDERS, NAMES, strict=True))[:n]:
            b = services.register(
                s,
                platform,
                tenant,
                tender_id,
                credit_code=code,
                name=name,
                actor="tests",
                now=BEFORE + timedelta(days=1),
            )
            services.pay_bond(s, platform, tenant, b.id, cents=20_000_00, actor="tests", on=date(2026, 12, 2))
            out.append(b.id)
    return out


def submit(
    platform: Any,
    tender_id: int,
    ocid: str,
    code: str,
    price: int,
    *,
    at: datetime | None = None,
    files: list[sealing.BidFileIn] | None = None,
    tenant_code: str = "360102",
    **kw: Any,
) -> tuple[Any, bytes]:
    tenant = platform.directory.get(tenant_code)
    sealed = sealing.seal(
        ocid, code, price, files or [sealing.BidFileIn("投标函.pdf", f"{code}-{price}".encode())]
    )
    with platform.db.transaction(tenant.scope) as s:
        bid = services.submit_bid(
            s,
            platform,
            tenant,
            tender_id,
            credit_code=code,
            actor="tests",
            now=at or DEADLINE - timedelta(hours=2),
            **sealed.request(),
            **kw,
        )
        return bid.id, sealed.key


def give_key(
    platform: Any,
    tender_id: int,
    code: str,
    key: bytes,
    *,
    at: datetime | None = None,
    tenant_code: str = "360102",
) -> Any:
    tenant = platform.directory.get(tenant_code)
    with platform.db.transaction(tenant.scope) as s:
        bid = services.open_with_key(
            s,
            platform,
            tenant,
            tender_id,
            credit_code=code,
            key=sealing.b64(key),
            actor="tests",
            now=at or DEADLINE + timedelta(minutes=5),
        )
        return bid.status, bid.price_cents


def utc(dt: datetime) -> datetime:
    return dt.astimezone(UTC)
