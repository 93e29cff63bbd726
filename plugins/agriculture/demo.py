"""Demo data (``govhall serve --demo``): two confirmed producers in Donghu (360102), one of the demo
citizen's and one of the demo enterprise's, with lots, inputs, tests, a certificate, a shipment and a
processing chain three hops deep; part of the celery shipped to a salad maker in Xihu (360103), who
receives it under a Xihu code and processes it (lineage across counties); one producer awaiting the
bureau; a month of prices for a few products in three counties of Nanchang (360100); a few 12316
questions, one overdue.

Idempotent: nothing is added where the first demo producer already exists. Dates are counted back from
the legal clock's today, so the demo always looks current.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.api import add_calendar_days, today
from plugins.agriculture import producers, trace
from plugins.agriculture.models import Producer
from plugins.agriculture.schemas import DecisionIn, EventIn, LotIn, ProducerIn, ReceiveIn

DONGHU = "360102"
XIHU = "360103"
FIRST = "东湖区扬子洲蔬菜专业合作社"


def _account_id(session: Session, username: str) -> int | None:
    from core.api import account_by_username

    account = account_by_username(session, username)
    return account.id if account is not None else None


def _producer(session: Session, tenant: Any, data: dict[str, str], account: str | None, confirm: bool) -> Any:
    p = producers.register(
        session,
        tenant,
        ProducerIn.model_validate(data),
        account_id=_account_id(session, account) if account else None,
        actor="demo",
    )
    if confirm:
        producers.decide(session, tenant, p.id, DecisionIn(confirm=True, version=p.version), actor="demo")
    return p


def load(session: Session, directory: Any) -> None:
    tenant = directory.get(DONGHU)
    if tenant is None or session.scalar(
        select(Producer.id).where(Producer.tenant_id == tenant.id, Producer.name == FIRST)
    ):
        return
    platform = session.info.get("platform")
    day = today(platform)
    _traceability(session, platform, tenant, day)
    from plugins.agriculture import demo_market

    demo_market.load(session, platform, directory, day)


def _traceability(session: Session, platform: Any, tenant: Any, day: Any) -> None:
    coop = _producer(
        session,
        tenant,
        {
            "name": FIRST,
            "kind": "cooperative",
            "contact_name": "张三",
            "phone": "13907910001",
            "address": "南昌市东湖区扬子洲镇",
        },
        "citizen",
        True,
    )
    firm = _producer(
        session,
        tenant,
        {
            "name": "南昌示例农业科技有限公司",
            "kind": "enterprise",
            "contact_name": "李四",
            "phone": "13907910002",
        },
        "enterprise",
        True,
    )
    _producer(
        session,
        tenant,
        {"name": "东湖区湖坊家庭农场", "kind": "family_farm", "contact_name": "王五", "phone": "13907910003"},
        None,
        False,
    )

    def ago(n: int) -> Any:
        return add_calendar_days(day, -n)

    def ev(lot: Any, kind: str, n: int, **fields: Any) -> Any:
        return trace.record(
            session,
            platform,
            tenant,
            lot,
            EventIn.model_validate({"kind": kind, "occurred_on": ago(n), **fields}),
            actor="demo",
        )

    celery = trace.create_lot(
        session,
        tenant,
        coop,
        LotIn(product="芹菜", quantity=Decimal("800"), origin="扬子洲镇3号棚"),
        actor="demo",
    )
    ev(celery, "input", 40, input_kind="seed", material="津南实芹")
    ev(celery, "input", 20, input_kind="pesticide", material="吡虫啉 10% 可湿性粉剂", phi_days=7)
    ev(celery, "harvest", 6, place="扬子洲镇3号棚")
    ev(celery, "test", 5, passed=True, lab="东湖区农产品质量安全检测站", items="农药残留快速检测 12 项")
    trace.issue_certificate(session, platform, tenant, celery, promise="", actor="demo")
    ev(celery, "shipment", 4, buyer="南昌深圳农产品中心批发市场")
    ev(celery, "receipt", 3, buyer="南昌深圳农产品中心批发市场")
    washed = ev(
        celery, "processing", 5, place="合作社分拣车间", outputs=[{"product": "芹菜净菜", "quantity": "600"}]
    ).data["outputs"][0]["code"]
    lot2 = trace.lookup(session, washed).lot
    packed = ev(lot2, "processing", 4, outputs=[{"product": "芹菜净菜小包装（500克）", "quantity": "550"}])
    lot3 = trace.lookup(session, packed.data["outputs"][0]["code"]).lot
    ev(lot3, "processing", 4, outputs=[{"product": "社区团购配送箱", "quantity": "540"}])
    ev(lot3, "shipment", 3, buyer="东湖区社区生鲜超市")
    _across_counties(session, platform, celery, ago)

    artemisia = trace.create_lot(
        session, tenant, firm, LotIn(product="南昌藜蒿", quantity=Decimal("300")), actor="demo"
    )
    ev(artemisia, "harvest", 3)
    ev(artemisia, "test", 2, passed=False, lab="南昌市农产品质量安全检测中心", items="毒死蜱残留超标")
    trace.create_lot(
        session, tenant, firm, LotIn(product="鄱阳湖大米", quantity=Decimal("5000"), unit="kg"), actor="demo"
    )


def _across_counties(session: Session, platform: Any, celery: Any, ago: Any) -> None:
    """Part of the Donghu celery goes to a salad maker in Xihu, who receives it as a Xihu lot and makes
    salad boxes of it: the public page of either county walks the chain across the two."""
    xihu = platform.directory.get(XIHU) if platform is not None else None
    if xihu is None or "agriculture" not in platform.enabled(xihu):
        return
    donghu = platform.directory.get(DONGHU)
    trace.record(
        session,
        platform,
        donghu,
        celery,
        EventIn.model_validate({"kind": "shipment", "occurred_on": ago(4), "buyer": "西湖区绳金塔鲜食工坊"}),
        actor="demo",
    )
    maker = _producer(
        session,
        xihu,
        {
            "name": "西湖区绳金塔鲜食工坊",
            "kind": "enterprise",
            "contact_name": "赵六",
            "phone": "13907910006",
        },
        None,
        True,
    )
    got = trace.receive(
        session,
        platform,
        xihu,
        maker,
        ReceiveIn(
            source_code=celery.code, occurred_on=ago(3), quantity=Decimal("150"), place="西湖区中央厨房"
        ),
        actor="demo",
    )
    trace.record(
        session,
        platform,
        xihu,
        got,
        EventIn.model_validate(
            {
                "kind": "processing",
                "occurred_on": ago(2),
                "place": "西湖区中央厨房",
                "outputs": [{"product": "芹菜沙拉轻食盒", "quantity": "120"}],
            }
        ),
        actor="demo",
    )
