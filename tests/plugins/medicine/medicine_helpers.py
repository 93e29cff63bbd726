"""Shared set-up of the medicine tests: a small catalogue at the province, a hospital in Donghu with its
distributor chosen, and an order driven to any state through the services."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from factories import credit_code

from core.db import Scope
from plugins.medicine import catalogue, orders

DAY = date(2026, 12, 1)
MAKER = credit_code(7001)
DIST = credit_code(7002)
OTHER_DIST = credit_code(7003)
HOSPITAL = credit_code(7004)
NC_HOSPITAL = credit_code(7005)


@dataclass
class World:
    platform: Any
    province: Any
    donghu: Any
    nanchang: Any
    products: list[int]
    hospital_id: int


def world(platform: Any) -> World:
    platform.clock.set(DAY)
    d = platform.directory
    province, donghu, nanchang = d.get("360000"), d.get("360102"), d.get("360100")
    with platform.db.transaction(Scope.system()) as s:
        catalogue.add_company(
            s, credit_code=MAKER, name="江西济民制药有限公司", kind="manufacturer", actor="t", tenant=province
        )
        for code, name in ((DIST, "江西省医药集团有限公司"), (OTHER_DIST, "南昌洪都医药配送有限公司")):
            catalogue.add_company(
                s, credit_code=code, name=name, kind="distributor", actor="t", tenant=province
            )
        pids = []
        for i, (name, cents) in enumerate((("阿莫西林胶囊", 1260), ("盐酸二甲双胍片", 890))):
            p = catalogue.add_product(
                s,
                catalogue.ProductIn(
                    f"YP{i:04d}", name, "胶囊剂", "0.25g", "24粒/盒", MAKER, f"国药准字H3602000{i}"
                ),
                actor="t",
                tenant=province,
            )
            catalogue.set_price(s, platform, province, p.id, price_cents=cents, effective_from=DAY, actor="t")
            catalogue.authorise(s, p.id, DIST, actor="t", tenant=province)
            pids.append(p.id)
    with platform.db.transaction(donghu.scope) as s:
        h = catalogue.add_hospital(
            s, donghu, credit_code=HOSPITAL, name="南昌市东湖区人民医院", grade="二级甲等", actor="t"
        )
        for pid in pids:
            catalogue.choose(s, platform, donghu, h, pid, DIST, actor="t")
        hid = h.id
    return World(platform, province, donghu, nanchang, pids, hid)


def order_to(w: World, target: str, qty: int = 10) -> int:
    """A Donghu order with both products, driven through the services to ``target``."""
    p, t = w.platform, w.donghu
    with p.db.transaction(t.scope) as s:
        h = catalogue.hospital_of(s, t, HOSPITAL)
        o = orders.create(
            s,
            p,
            t,
            h,
            [orders.LineIn(w.products[0], qty, 1260), orders.LineIn(w.products[1], qty, 800)],
            actor="t",
        )
        steps = ["submit", "respond", "ship", "accept", "invoice1", "invoice2", "pay"]
        stop = {
            "draft": 0,
            "submitted": 1,
            "confirmed": 2,
            "shipped": 3,
            "accepted": 4,
            "invoiced": 6,
            "paid": 7,
        }[target]
        for step in steps[:stop]:
            ids = [ln.id for ln in orders.lines_of(s, o.id)]
            if step == "submit":
                orders.submit(s, p, t, o.id, o.version, code=HOSPITAL, actor="t")
            elif step == "respond":
                orders.respond(s, t, o.id, o.version, {i: (True, "") for i in ids}, code=DIST, actor="t")
            elif step == "ship":
                orders.ship(
                    s,
                    p,
                    t,
                    o.id,
                    o.version,
                    delivery_note="SHD-1",
                    quantities={i: qty for i in ids},
                    code=DIST,
                    actor="t",
                )
            elif step == "accept":
                orders.accept(
                    s, p, t, o.id, o.version, {i: (qty, "B001") for i in ids}, code=HOSPITAL, actor="t"
                )
            elif step == "invoice1":
                orders.record_invoice(
                    s, p, t, o.id, o.version, number="FP1", amount_cents=1000, code=DIST, actor="t"
                )
            elif step == "invoice2":
                orders.record_invoice(
                    s,
                    p,
                    t,
                    o.id,
                    o.version,
                    number="FP2",
                    amount_cents=o.accepted_cents,
                    code=DIST,
                    actor="t",
                )
            else:
                orders.pay(
                    s,
                    p,
                    t,
                    o.id,
                    o.version,
                    amount_cents=o.accepted_cents,
                    reference="ZF1",
                    code=HOSPITAL,
                    actor="t",
                )
        return o.id
