"""Supervision rules of public resource trading: each a set-based scan over a subtree, one card per object
and occurrence, with the facts; the demo's collusion tender carries its card; the kind is covered."""

from __future__ import annotations

from datetime import date, timedelta

from bidding_helpers import BIDDERS, DEADLINE, published, register_and_pay, submit
from sqlalchemy import select, update

from core.db import Scope
from plugins.bidding import rules, sealing, services
from plugins.bidding.models import Bid, Expert, Tender

TENANT = "360102"


def _root_session(platform):
    root = platform.directory.get("360000")
    return platform.db.session(Scope.below(root.id, root.path))


def _colluding(platform, prices=(950_000_00, 960_000_00, 970_000_00)):
    tid, ocid = published(platform)
    register_and_pay(platform, tid, 3)
    shared = sealing.BidFileIn("技术标.pdf", b"same technical proposal", author="张三", software="WPS")
    keys = {}
    for i, code in enumerate(BIDDERS[:3]):
        own = sealing.BidFileIn("投标函.pdf", code.encode(), author=code, software="WPS")
        _bid, keys[code] = submit(
            platform, tid, ocid, code, prices[i], files=[own, shared], ip="10.8.8.8", device=f"d{i}"
        )
    tenant = platform.directory.get(TENANT)
    with platform.db.transaction(tenant.scope) as s:
        for code, key in keys.items():
            services.open_with_key(
                s,
                platform,
                tenant,
                tid,
                credit_code=code,
                key=sealing.b64(key),
                actor="t",
                now=DEADLINE + timedelta(minutes=1),
            )
    return tid


def test_collusion_indicators_are_one_finding_per_tender_with_the_facts(platform):
    tid = _colluding(platform)
    with _root_session(platform) as s:
        found = rules.scan_collusion(platform=platform, session=s)
        again = rules.scan_collusion(platform=platform, session=s, tender_id=tid)
    assert len(found) == 1 and [f.object_id for f in again] == [str(tid)]
    f = found[0].facts
    assert f["indicators"] == ["arithmetic_prices", "identical_files", "identical_metadata", "same_address"]
    assert f["occurrence"] == "collusion" and f["href"] == f"bidding/tenders/{tid}"
    assert f["arithmetic_prices"] == [950_000.0, 960_000.0, 970_000.0]
    assert "串通投标" in found[0].message_zh and found[0].tenant_id == platform.directory.get(TENANT).id
    assert rules.arithmetic([3, 1, 2]) and not rules.arithmetic([1, 2, 4]) and not rules.arithmetic([5, 5, 5])


def _awarded(platform, *, to_rank: int = 1):
    tid = _colluding(platform, prices=(900_000_00, 950_000_00, 990_000_00))
    tenant = platform.directory.get(TENANT)
    with platform.db.transaction(tenant.scope) as s:
        for i in range(5):
            services.add_expert(s, tenant, name=f"专家{i}", account=f"e{i}", actor="t")
        p = services.draw_panel(
            s, platform, tenant, tid, size=5, actor="t", now=DEADLINE + timedelta(hours=2)
        )
        acc = {e.id: e.account for e in s.scalars(select(Expert))}
        bids = s.scalars(select(Bid).where(Bid.tender_id == tid).order_by(Bid.id)).all()
        for m in p.members:
            for b, v in zip(bids, (90, 80, 70), strict=True):
                services.score(s, platform, tenant, tid, account=acc[m], bid_id=b.id, value=v, actor="t")
        t = services.load(s, tenant, tid)
        services.finish_evaluation(s, platform, tenant, tid, t.version, actor="t", on=date(2026, 12, 23))
        services.award(
            s,
            platform,
            tenant,
            tid,
            t.version,
            actor="t",
            on=date(2026, 12, 29),
            bid_id=next(b.id for b in bids if b.rank == to_rank),
        )
    return tid


def test_award_contract_and_bond_rules(platform):
    tid = _awarded(platform, to_rank=2)
    with _root_session(platform) as s:
        assert [f.facts["won_rank"] for f in rules.scan_award_not_first(platform=platform, session=s)] == [2]
        late = rules.scan_contract_late(platform=platform, session=s, today=date(2027, 3, 1))
        assert [f.facts["contract_due"] for f in late] == ["2027-01-28"]
        assert rules.scan_contract_late(platform=platform, session=s, today=date(2027, 1, 5)) == []
    tenant = platform.directory.get(TENANT)
    with platform.db.transaction(tenant.scope) as s:
        t = services.load(s, tenant, tid)
        services.sign_contract(
            s, platform, tenant, tid, t.version, price_cents=1, actor="t", on=date(2027, 1, 10)
        )
    with _root_session(platform) as s:
        price = rules.scan_contract_price(platform=platform, session=s)
        assert len(price) == 1 and price[0].facts["contract"] == 0.01
        assert rules.scan_bond_not_refunded(platform=platform, session=s, today=date(2027, 1, 15)) == []
        bonds = rules.scan_bond_not_refunded(platform=platform, session=s, today=date(2027, 1, 20))
        assert len(bonds) == 3 and {f.object_type for f in bonds} == {"bidding.bidder"}
        assert bonds[0].facts["due"] == "2027-01-15"


def test_a_period_shorter_than_the_law_is_found(platform):
    tid, _ = published(platform)
    with platform.db.transaction(Scope.system()) as s:  # data that bypassed the services (an import)
        s.execute(update(Tender).where(Tender.id == tid).values(deadline=DEADLINE - timedelta(days=3)))
    with _root_session(platform) as s:
        found = rules.scan_period_short(platform=platform, session=s)
    assert [f.facts["period"] for f in found] == ["bid_deadline"]
    assert "第二十四条" in found[0].facts["basis"] and found[0].facts["minimum"] == "2026-12-21"


def test_supervision_issues_one_card_and_counts_the_kind_as_covered(platform):
    from plugins.supervision import scan
    from plugins.supervision.dashboard import rules_at
    from plugins.supervision.models import Card

    _colluding(platform)
    scan.run_scan(platform)
    scan.run_scan(platform)
    with platform.db.session(Scope.system()) as s:
        cards = s.scalars(select(Card).where(Card.rule_id == "bidding.collusion")).all()
    assert len(cards) == 1
    kinds = {r.kind_of_power for r in rules_at(platform, platform.directory.get(TENANT))}
    assert rules.POWER in kinds


def test_the_periodic_task_opens_and_closes(platform):
    tid, ocid = published(platform)
    register_and_pay(platform, tid, 1)
    submit(platform, tid, ocid, BIDDERS[0], 100_00)
    tenant = platform.directory.get(TENANT)
    platform.clock.set(DEADLINE + timedelta(minutes=61))
    try:
        with platform.db.transaction(tenant.scope) as s:
            rules.advance_task(platform, tenant, s)
    finally:
        platform.clock.set(None)
    with platform.db.session(tenant.scope) as s:
        t = s.get(Tender, tid)
        assert t.status == "failed" and s.scalar(select(Bid.status)) == "withdrawn"


def test_supervision_metrics_count_the_city_subtree_by_tenant(demo_platform):
    """The dashboard's figures for public resource trading over the demo: Donghu's three published
    tenders (none concluded), Nanchang's two (one contracted on time)."""
    city = demo_platform.directory.get("360100")
    scope = Scope.below(city.id, city.path)
    with demo_platform.db.session(scope) as s:
        batches = demo_platform.hooks(city).govhall_supervision_metrics(scope=scope, session=s)
    rows = {
        r["tenant_path"].rsplit("/", 1)[1]: (r["received"], r["concluded"], r["on_time"], r["overdue"])
        for batch in batches
        for r in batch or []
        if r["kind_of_power"] == "public_resource_trading"
    }
    assert rows == {"360102": (3, 0, 0, 0), "360100": (2, 1, 1, 0)}
