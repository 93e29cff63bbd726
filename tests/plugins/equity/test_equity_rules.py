"""Supervision rules over equity trading: each rule finds its breach with one set-based scan over a
subtree (the city sees its district), nothing on a lawful project, nothing outside the scope; the specs
are what supervision accepts; the periodic task moves disclosures on and closes auctions."""

from __future__ import annotations

from datetime import date, timedelta

from equity_helpers import AUCTION_AT, BUYERS, auction_ready, disclosed, tenant
from sqlalchemy import update

from core.db import Scope
from plugins.equity import bidding, deals, rules, services
from plugins.equity.models import Auction, Buyer, Change, Deal, Project
from plugins.supervision.contracts import SupervisionRule


def _scan(platform, code="360100"):
    t = tenant(platform, code)
    with platform.db.session(Scope.below(t.id, t.path)) as s:
        return {r["id"]: r["scan"](platform=platform, session=s, tenant=t) for r in rules.RULES}


def _codes(found):
    return {rid for rid, fs in found.items() if fs}


def test_the_specs_are_supervision_rules_of_public_resource_trading():
    for spec in rules.RULES:
        rule = SupervisionRule.of(spec, "equity")
        assert rule.kind_of_power == "public_resource_trading" and rule.scan_subtree


def _concluded(platform):
    pid, ids = auction_ready(platform, 2)
    t = tenant(platform)
    with platform.db.transaction(t.scope) as s:
        bidding.place_bid(
            s,
            platform,
            t,
            pid,
            credit_code=BUYERS[0],
            amount_cents=10_000_000_00,
            actor="a",
            now=AUCTION_AT + timedelta(minutes=1),
        )
        bidding.close_if_due(s, platform, t, pid, now=AUCTION_AT + timedelta(hours=1))
        p = services.load(s, t, pid)
        deals.sign(s, platform, t, pid, p.version, deals.ContractIn("HT", date(2027, 1, 4)), actor="t")
        deals.pay(s, platform, t, pid, cents=10_000_000_00, on=date(2027, 1, 4), actor="t")
        deals.publish_notice(s, platform, t, pid, start=date(2027, 1, 4), actor="t")
        deals.issue_certificate(s, platform, t, pid, actor="t")
    return pid


def test_a_lawful_project_raises_nothing_and_each_breach_its_rule(platform):
    pid = _concluded(platform)
    assert _codes(_scan(platform)) == set()
    with platform.db.transaction(Scope.system()) as s:
        s.execute(
            update(Project)
            .where(Project.id == pid)
            .values(formal_end=date(2026, 12, 20), listing_cents=8_000_000_00, seller_representative="某某")
        )
        s.add(
            Change(
                tenant_id=tenant(platform).id,
                tenant_path=tenant(platform).path,
                project_id=pid,
                kind="supplement",
                made_on=date(2026, 12, 10),
                during_formal=True,
                restarted=False,
                actor="elsewhere",
            )
        )
        s.execute(
            update(Deal)
            .where(Deal.project_id == pid)
            .values(
                mode="instalment",
                down_cents=2_000_000_00,
                rest_due=date(2028, 3, 1),
                rest_limit=date(2028, 1, 4),
                paid_in_full_on=date(2027, 2, 1),
                notice_start=None,
            )
        )
    found = _scan(platform)
    assert _codes(found) == {r["id"] for r in rules.RULES}
    assert "2026-12-20" in found["equity.disclosure_too_short"][0].message_zh
    related = found["equity.buyer_related_to_seller"]
    assert len(related) == 2 and related[0].facts["href"] == f"equity/projects/{pid}"  # both buyers share it
    assert _codes(_scan(platform, "360103")) == set()  # another district sees none of it
    again = _scan(platform)
    assert [f.facts["occurrence"] for f in again["equity.instalment_terms"]] == [
        f.facts["occurrence"] for f in found["equity.instalment_terms"]
    ]  # stable: one card per occurrence


def test_the_periodic_task_ends_disclosure_and_closes_a_due_auction(platform):
    pid = disclosed(platform)
    t = tenant(platform)
    platform.clock.set(date(2027, 1, 4))
    with platform.db.transaction(t.scope) as s:
        rules.advance_task(platform, t, s)
        assert services.load(s, t, pid).status == "qualification"
    pid2, _ = auction_ready(platform, 2)
    platform.clock.set(AUCTION_AT + timedelta(hours=2))
    with platform.db.transaction(t.scope) as s:
        rules.advance_task(platform, t, s)
    with platform.db.session(Scope.system()) as s:
        a = s.query(Auction).filter(Auction.project_id == pid2).one()
        assert a.closed and s.get(Project, pid2).status == "failed"  # nobody bid
        assert s.query(Buyer).count() == 2
