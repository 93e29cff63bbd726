"""Demo data: a catalogue of common drugs with province listed prices (Nanchang lists two lower), two
manufacturers and three distributors (the demo enterprise account ``enterprise`` is one of them), hospitals
in Nanchang (360100) and Donghu (360102), orders in every state driven through the services, one accepted
order left unpaid past its due day (the supervision scan makes its card), a volume-procurement round with
commitments, and prescription summaries with findings. Idempotent: nothing is added once the first
manufacturer exists.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from stdnum.cn import uscc

from core.api import add_calendar_days, add_months, days_before, today
from plugins.medicine import catalogue, orders, vbp
from plugins.medicine.models import Company, Hospital, Order


def _code(base17: str) -> str:
    return base17 + uscc.calc_check_digit(base17)


MAKERS = [
    (_code("91360000MA35Y0001"), "江西济民制药有限公司"),
    (_code("91110000MA01Y0002"), "华北示例药业股份有限公司"),
]
DISTRIBUTORS = [
    (_code("91360100MA35D0001"), "江西省医药集团有限公司"),
    (_code("91360100MA35D0002"), "南昌洪都医药配送有限公司"),
    ("91360100MA35123453", "南昌示例科技有限公司"),  # the demo account ``enterprise``
]
HOSPITALS = {
    "360102": [
        (_code("12360102MB0H00001"), "南昌市东湖区人民医院", "二级甲等"),
        (_code("12360102MB0H00002"), "东湖区豫章街道社区卫生服务中心", "一级"),
    ],
    "360100": [(_code("12360100MB0H00003"), "南昌市第一医院", "三级甲等")],
}
# code, generic name, form, strength, package, maker index, approval number, ATC, province price (cents)
PRODUCTS = [
    ("YP0001", "阿莫西林胶囊", "胶囊剂", "0.25g", "24粒/盒", 0, "国药准字H36020001", "J01CA04", 1260),
    ("YP0002", "阿托伐他汀钙片", "片剂", "20mg", "7片/盒", 1, "国药准字H20051408", "C10AA05", 2150),
    ("YP0003", "苯磺酸氨氯地平片", "片剂", "5mg", "28片/盒", 1, "国药准字H10950224", "C08CA01", 1480),
    ("YP0004", "盐酸二甲双胍片", "片剂", "0.5g", "60片/盒", 0, "国药准字H36021002", "A10BA02", 890),
    ("YP0005", "奥美拉唑肠溶胶囊", "胶囊剂", "20mg", "14粒/盒", 0, "国药准字H36021555", "A02BC01", 1630),
    ("YP0006", "头孢呋辛酯片", "片剂", "0.25g", "12片/盒", 1, "国药准字H20030537", "J01DC02", 2480),
    ("YP0007", "布洛芬缓释胶囊", "胶囊剂", "0.3g", "20粒/盒", 0, "国药准字H36022018", "M01AE01", 1120),
    ("YP0008", "硝苯地平控释片", "片剂", "30mg", "7片/盒", 1, "国药准字H20000079", "C08CA05", 3360),
    ("YP0009", "瑞舒伐他汀钙片", "片剂", "10mg", "28片/盒", 1, "国药准字H20080204", "C10AA07", 2790),
    ("YP0010", "氯化钠注射液", "注射剂", "0.9% 250ml", "1袋", 0, "国药准字H36020777", "B05XA03", 310),
]
NANCHANG_LOWER = {"YP0001": 1180, "YP0004": 820}


def load(session: Session, directory: Any) -> None:
    platform = session.info.get("platform")
    if platform is None:
        return
    province, donghu, nanchang = (directory.get(c) for c in ("360000", "360102", "360100"))
    if province is None or donghu is None or nanchang is None:
        return
    if "medicine" not in set(platform.enabled(donghu)):
        return
    if session.scalar(select(Company.id).where(Company.credit_code == MAKERS[0][0])) is not None:
        return
    s, d = session, today(platform)
    products = _catalogue(s, platform, province, nanchang, d)
    hospitals = {
        code: [
            catalogue.add_hospital(s, directory.get(code), credit_code=c, name=n, grade=g, actor="demo")
            for c, n, g in rows
        ]
        for code, rows in HOSPITALS.items()
    }
    for code, hs in hospitals.items():
        tenant = directory.get(code)
        for h in hs:
            for i, pid in enumerate(products.values()):
                catalogue.choose(
                    s, platform, tenant, h, pid, DISTRIBUTORS[2 if i < 4 else i % 2][0], actor="demo"
                )
    _orders(s, platform, donghu, hospitals["360102"][0], products, d)
    _orders(s, platform, nanchang, hospitals["360100"][0], products, d, every_state=False)
    _volumes(s, province, donghu, nanchang, hospitals, products, d)
    _prescriptions(s, donghu, hospitals["360102"][0], products, d)


def _catalogue(s: Session, platform: Any, province: Any, nanchang: Any, d: date) -> dict[str, int]:
    for code, name in MAKERS:
        catalogue.add_company(
            s, credit_code=code, name=name, kind="manufacturer", actor="demo", tenant=province
        )
    for code, name in DISTRIBUTORS:
        if catalogue.company_by_code(s, code) is None:
            catalogue.add_company(
                s, credit_code=code, name=name, kind="distributor", actor="demo", tenant=province
            )
    out: dict[str, int] = {}
    year_ago = add_months(d, -12)
    for code, name, form, strength, package, maker, approval, atc, cents in PRODUCTS:
        p = catalogue.add_product(
            s,
            catalogue.ProductIn(code, name, form, strength, package, MAKERS[maker][0], approval, atc),
            actor="demo",
            tenant=province,
        )
        out[code] = p.id
        # Listed a year ago, lowered by 5 % three months ago: two versions, as a price change is kept.
        for day, price in ((year_ago, cents * 105 // 100), (add_months(d, -3), cents)):
            catalogue.set_price(
                s, platform, province, p.id, price_cents=price, effective_from=d, actor="demo"
            )
            _backdate_price(s, p.id, province.path, d, day)
        for dist, _n in DISTRIBUTORS:
            catalogue.authorise(s, p.id, dist, actor="demo", tenant=province)
    for code, cents in NANCHANG_LOWER.items():
        catalogue.set_price(
            s,
            platform,
            nanchang,
            out[code],
            price_cents=cents,
            effective_from=d,
            actor="demo",
            note="南昌市议价 / negotiated by Nanchang",
        )
    return out


def _backdate_price(s: Session, product_id: int, tier_path: str, d: date, day: date) -> None:
    """Demo history: a version listed today is moved to the day it would have been listed."""
    from plugins.medicine.models import ListedPrice

    lp = s.scalar(
        select(ListedPrice).where(
            ListedPrice.product_id == product_id,
            ListedPrice.tier_path == tier_path,
            ListedPrice.effective_from == d,
        )
    )
    assert lp is not None
    lp.effective_from = day
    s.flush()


def _orders(
    s: Session,
    platform: Any,
    tenant: Any,
    h: Hospital,
    products: dict[str, int],
    d: date,
    every_state: bool = True,
) -> None:
    """Orders through the services, one per state; acceptance days moved back so that one is paid on time,
    one paid late and one unpaid past its due day (the supervision card)."""
    dist = {i: DISTRIBUTORS[2 if i < 4 else i % 2][0] for i in range(len(PRODUCTS))}
    plan = [
        "draft",
        "submitted",
        "confirmed",
        "declined",
        "shipped",
        "accepted",
        "invoiced",
        "paid",
        "overdue",
    ]
    if not every_state:
        plan = ["submitted", "paid", "paid", "accepted"]
    for n, target in enumerate(plan):
        i = n % 4  # the first four products share the demo enterprise as distributor
        codes = [PRODUCTS[i][0], PRODUCTS[(i + 1) % 4][0]]
        prices = catalogue.listed_prices(s, [products[c] for c in codes], tenant.path, d)
        lines = [orders.LineIn(products[c], 20 + 10 * n, prices[products[c]].price_cents) for c in codes]
        o = orders.create(s, platform, tenant, h, lines, actor="demo")
        _drive(s, platform, tenant, h, o, target, dist[i])


def _drive(s: Session, platform: Any, tenant: Any, h: Hospital, o: Order, target: str, dist: str) -> None:
    if target == "draft":
        return
    orders.submit(s, platform, tenant, o.id, o.version, code=h.credit_code, actor="demo")
    if target == "submitted":
        return
    ids = [ln.id for ln in orders.lines_of(s, o.id)]
    decide = {
        i: (target != "declined", "" if target != "declined" else "库存不足 / out of stock") for i in ids
    }
    orders.respond(s, tenant, o.id, o.version, decide, code=dist, actor="demo")
    if target in ("confirmed", "declined"):
        return
    lines = orders.lines_of(s, o.id)
    orders.ship(
        s,
        platform,
        tenant,
        o.id,
        o.version,
        delivery_note=f"SHD-{o.id:06d}",
        quantities={ln.id: ln.quantity for ln in lines},
        code=dist,
        actor="demo",
    )
    if target == "shipped":
        return
    orders.accept(
        s,
        platform,
        tenant,
        o.id,
        o.version,
        {ln.id: (ln.quantity, f"B{o.id:05d}") for ln in lines},
        code=h.credit_code,
        actor="demo",
    )
    if target in ("paid", "overdue", "invoiced"):
        _backdate_acceptance(s, o, 40 if target == "overdue" else 20)
    if target == "accepted":
        return
    maker_invoice = orders.record_invoice(
        s,
        platform,
        tenant,
        o.id,
        o.version,
        number=f"FP1-{o.id:06d}",
        amount_cents=o.accepted_cents * 92 // 100,
        code=dist,
        actor="demo",
    )
    assert maker_invoice.seq == 1
    if target == "overdue":
        return
    orders.record_invoice(
        s,
        platform,
        tenant,
        o.id,
        o.version,
        number=f"FP2-{o.id:06d}",
        amount_cents=o.accepted_cents,
        code=dist,
        actor="demo",
    )
    if target == "invoiced":
        return
    orders.pay(
        s,
        platform,
        tenant,
        o.id,
        o.version,
        amount_cents=o.accepted_cents,
        reference=f"ZF{o.id:06d}",
        code=h.credit_code,
        actor="demo",
    )


def _backdate_acceptance(s: Session, o: Order, days: int) -> None:
    """Demo history: an order accepted today is moved back ``days`` days (its due day with it)."""
    assert o.accepted_on is not None
    o.accepted_on = days_before(o.accepted_on, days)
    o.due_on = add_calendar_days(o.accepted_on, orders.PAYMENT_DAYS)
    o.ordered_on = o.shipped_on = o.accepted_on
    for ln in orders.lines_of(s, o.id):
        ln.accepted_on = o.accepted_on
    s.flush()


def _volumes(
    s: Session,
    province: Any,
    donghu: Any,
    nanchang: Any,
    hospitals: dict[str, list[Hospital]],
    products: dict[str, int],
    d: date,
) -> None:
    start = add_months(d, -4)
    winners = [(products["YP0002"], 1620), (products["YP0003"], 1110), (products["YP0009"], 2090)]
    r = vbp.create_round(
        s,
        province,
        name="第十批国家组织药品集中采购江西执行",
        starts_on=start,
        ends_on=days_before(add_months(start, 12), 1),
        prepay_percent=30,
        products=winners,
        actor="demo",
    )
    for tenant, h, qty in ((donghu, hospitals["360102"][0], 6000), (nanchang, hospitals["360100"][0], 24000)):
        for pid, _cents in winners:
            vbp.commit(s, tenant, r.id, hospital_id=h.id, product_id=pid, annual_qty=qty, actor="demo")


def _prescriptions(s: Session, tenant: Any, h: Hospital, products: dict[str, int], d: date) -> None:
    amox, ibu = products["YP0001"], products["YP0007"]
    items = [
        vbp.PrescriptionIn(
            "RX-0001", "刘医生", amox, 2, 5, "outpatient", days_before(d, 3), trace_code="8180001"
        ),
        vbp.PrescriptionIn(
            "RX-0002", "陈医生", amox, 3, 10, "outpatient", days_before(d, 2), trace_code="8180002"
        ),  # 10 days, no reason
        vbp.PrescriptionIn(
            "RX-0003", "王医生", ibu, 1, 3, "emergency", days_before(d, 2), trace_code="8180003"
        ),
        vbp.PrescriptionIn(
            "RX-0004", "王医生", ibu, 1, 2, "outpatient", days_before(d, 1), trace_code="8180003"
        ),  # the same box twice
        vbp.PrescriptionIn(
            "RX-0005",
            "赵医生",
            amox,
            2,
            14,
            "outpatient",
            days_before(d, 1),
            reason="慢性病长期处方 / long-term prescription for a chronic disease",
        ),
    ]
    vbp.push(s, tenant, h, items, actor="demo")
