"""Demo data: tenders in different states in Donghu (360102) and Nanchang (360100), driven through the
services with past instants so that every period is lawful and every row is what the procedure writes.

Donghu: one open for bids (the demo enterprise registered, a sealed bid in), one paused by an objection
to the documents, one in candidate publicity whose bids show collusion indicators (identical file, one
submitting address, prices in an arithmetic progression). Nanchang: one open for bids, one contracted.
Idempotent: a tenant that has tenders already is left alone.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.api import add_calendar_days, today
from plugins.bidding import periods, sealing, services
from plugins.bidding.models import Expert, Tender

TENDERERS = {
    "360102": ("南昌市东湖区住房和城乡建设局", "11360102MB1234567P"),
    "360100": ("南昌市交通运输局", "11360100MB0000001H"),
}
ENTERPRISE = ("91360100MA35123453", "南昌示例科技有限公司")  # the demo account ``enterprise``
FIRMS = [
    ("91360102MA35000013", "江西赣江建设工程有限公司"),
    ("91360103MA35000021", "南昌洪城市政工程有限公司"),
    ("91360104MA3500003X", "江西鄱湖路桥集团有限公司"),
    ("91360105MA35000048", "江西庐山建筑安装有限公司"),
]
EXPERTS = ["王建国", "李淑芬", "张卫东", "刘海燕", "陈志强", "杨丽华", "赵永刚"]


def _valid(code: str) -> str:
    from stdnum.cn import uscc

    return code[:17] + uscc.calc_check_digit(code[:17])


def _pool(s: Session, tenant: Any) -> None:
    for i, name in enumerate(EXPERTS):
        services.add_expert(
            s,
            tenant,
            name=name,
            specialty="建筑工程" if i % 2 else "工程造价",
            employer_name="江西省评标专家库",
            account=f"demo_expert{i}",
            actor="demo",
        )


def _create(
    s: Session,
    platform: Any,
    tenant: Any,
    title: str,
    start: date,
    *,
    estimated: int,
    extra_days: int = 1,
    bond: int = 0,
) -> Tender:
    name, code = TENDERERS[tenant.code]
    deadline = services.at_local(
        platform, add_calendar_days(periods.end(start, periods.BID_DEADLINE), extra_days), 9, 30
    )
    data = services.TenderIn(
        title=title,
        tenderer_name=name,
        tenderer_code=_valid(code),
        estimated_cents=estimated,
        documents_from=start,
        documents_until=add_calendar_days(periods.end(start, periods.DOCUMENTS), 2),
        deadline=deadline,
        description=f"{title}。资格要求：具有相应资质的独立法人。",
        bond_cents=bond,
    )
    t = services.create_tender(s, platform, tenant, data, actor="demo")
    services.publish_tender(
        s,
        platform,
        tenant,
        t.id,
        t.version,
        actor="demo",
        now=services.at_local(platform, start, 9),
        documents=f"{title} 招标文件（第一版）",
    )
    return t


def _bids(
    s: Session,
    platform: Any,
    tenant: Any,
    t: Tender,
    firms: list[tuple[str, str]],
    prices: list[int],
    *,
    collude: bool = False,
    keys: bool = True,
) -> None:
    start = services.aware(t.published_at or t.deadline) + timedelta(hours=2)
    sealed = []
    for i, ((code, name), price) in enumerate(zip(firms, prices, strict=True)):
        code = _valid(code)
        b = services.register(
            s,
            platform,
            tenant,
            t.id,
            credit_code=code,
            name=name,
            actor="demo",
            now=start + timedelta(minutes=i),
        )
        if t.bond_cents:
            services.pay_bond(s, platform, tenant, b.id, cents=t.bond_cents, actor="demo", on=start.date())
        files = [
            sealing.BidFileIn("投标函.pdf", f"{name} 投标函 {price}".encode(), author=name, software="WPS")
        ]
        if collude:  # one shared technical file, written by one hand, sent from one address
            files.append(
                sealing.BidFileIn("技术标.pdf", b"shared technical proposal", author="张三", software="WPS")
            )
        env = sealing.seal(t.ocid, code, price, files)
        services.submit_bid(
            s,
            platform,
            tenant,
            t.id,
            credit_code=code,
            actor="demo",
            ip="10.8.8.8" if collude else f"10.0.{i}.1",
            device=f"demo-{i}",
            now=services.aware(t.deadline) - timedelta(hours=3, minutes=i),
            **env.request(),
        )
        sealed.append((code, env.key))
    if keys:
        for i, (code, key) in enumerate(sealed):
            services.open_with_key(
                s,
                platform,
                tenant,
                t.id,
                credit_code=code,
                key=sealing.b64(key),
                actor="demo",
                now=services.aware(t.deadline) + timedelta(minutes=2 + i),
            )


def _evaluate(s: Session, platform: Any, tenant: Any, t: Tender, on: date, scores: list[int]) -> None:
    from plugins.bidding.models import Bid

    p = services.draw_panel(
        s,
        platform,
        tenant,
        t.id,
        size=5,
        actor="demo",
        seed=f"demo-{t.number}",
        now=services.aware(t.deadline) + timedelta(hours=2),
    )
    accounts = {e.id: e.account for e in s.scalars(select(Expert).where(Expert.id.in_(p.members)))}
    bids = s.scalars(select(Bid).where(Bid.tender_id == t.id, Bid.status == "opened").order_by(Bid.id)).all()
    for m in p.members:
        for b, v in zip(bids, scores, strict=True):
            services.score(s, platform, tenant, t.id, account=accounts[m], bid_id=b.id, value=v, actor="demo")
    services.finish_evaluation(s, platform, tenant, t.id, t.version, actor="demo", on=on)


def load(session: Session, directory: Any) -> None:
    platform = session.info.get("platform")
    if platform is None:
        return
    d = today(platform)
    for code in ("360102", "360100"):
        tenant = directory.get(code)
        if tenant is None or not {"bidding"} <= set(platform.enabled(tenant)):
            continue
        if session.scalar(select(func.count()).select_from(Tender).where(Tender.tenant_id == tenant.id)):
            continue
        with_scope = session  # system scope: every row is written with its tenant
        _pool(with_scope, tenant)
        if code == "360102":
            _donghu(with_scope, platform, tenant, d)
        else:
            _nanchang(with_scope, platform, tenant, d)


def _donghu(s: Session, platform: Any, tenant: Any, d: date) -> None:
    t = _create(
        s, platform, tenant, "东湖区老旧小区改造工程（一期）施工", d, estimated=1_280_000_00, bond=20_000_00
    )
    _bids(s, platform, tenant, t, [ENTERPRISE, FIRMS[0]], [1_190_000_00, 1_215_000_00], keys=False)
    # Paused: an objection to the documents is being answered.
    t = _create(
        s,
        platform,
        tenant,
        "东湖区智慧社区平台采购",
        add_calendar_days(d, -3),
        estimated=360_000_00,
        extra_days=3,
    )
    services.object_to(
        s,
        platform,
        tenant,
        t.id,
        stage="documents",
        objector_code=_valid(FIRMS[1][0]),
        objector_name=FIRMS[1][1],
        content="资格条件要求本地业绩，排斥外地投标人。",
        actor="demo",
        now=services.at_local(platform, d, 10),
    )
    # In candidate publicity, with collusion indicators across its bids.
    start = add_calendar_days(d, -26)
    t = _create(s, platform, tenant, "东湖区排水管网改造工程", start, estimated=980_000_00)
    _bids(s, platform, tenant, t, FIRMS[1:4], [950_000_00, 960_000_00, 970_000_00], collude=True)
    _evaluate(s, platform, tenant, t, add_calendar_days(d, -1), [86, 84, 82])


def _nanchang(s: Session, platform: Any, tenant: Any, d: date) -> None:
    _create(s, platform, tenant, "南昌市公交站台提升改造工程", d, estimated=2_450_000_00)
    start = add_calendar_days(d, -70)
    t = _create(
        s, platform, tenant, "南昌市城市道路照明维护服务", start, estimated=560_000_00, bond=10_000_00
    )
    _bids(s, platform, tenant, t, [ENTERPRISE, *FIRMS[:2]], [532_000_00, 541_500_00, 549_900_00])
    _evaluate(s, platform, tenant, t, add_calendar_days(d, -40), [91, 85, 80])
    services.award(s, platform, tenant, t.id, t.version, actor="demo", on=add_calendar_days(d, -30))
    assert t.award_bid_id is not None
    from plugins.bidding.models import Bid

    won = s.get(Bid, t.award_bid_id)
    services.sign_contract(
        s,
        platform,
        tenant,
        t.id,
        t.version,
        price_cents=int(won.price_cents or 0) if won else 1,
        actor="demo",
        on=add_calendar_days(d, -12),
    )
