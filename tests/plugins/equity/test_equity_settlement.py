"""After the auction (Prozorro.Sale's settlement): losing bidders' deposits refunded after the deal (the
second bidder's once the winner paid), each refund audited; a winner who misses its signing window loses
its deposit and the second-highest bidder is offered the deal at its own highest bid; a second default
sends the project back to listing. And the related-buyer rule over shareholder data."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from equity_helpers import AUCTION_AT, BUYERS, SELLER, auction_ready, tenant
from factories import credit_code
from sqlalchemy import select

from core.api import Conflict, Invalid, NotFound
from core.db import Scope
from plugins.equity import bidding, buyers, deals, rules, services, settlement
from plugins.equity.models import Award, Buyer, Deal, Project

AUCTION_DAY = date(2027, 1, 15)  # a Friday: the signing window runs to Friday 22nd


def _auction(platform, amounts=(0, 1, 2)):
    """Three qualified bidders; bidder i bids listing + amounts[j] increments in turn (A, B, C, A, ...)."""
    pid, ids = auction_ready(platform, 3)
    t = tenant(platform)
    with platform.db.transaction(t.scope) as s:
        for j, k in enumerate(amounts):
            placed = bidding.place_bid(
                s,
                platform,
                t,
                pid,
                credit_code=BUYERS[j % 3],
                amount_cents=10_000_000_00 + k * 100_000_00,
                actor="t",
                now=AUCTION_AT + timedelta(minutes=j + 1),
            )
            assert not placed.refused, placed.refused
    platform.clock.set(AUCTION_DAY)
    with platform.db.transaction(t.scope) as s:
        assert bidding.close_if_due(s, platform, t, pid, now=AUCTION_AT + timedelta(hours=1))
    return pid, ids, t


def _state(platform, pid):
    with platform.db.session(Scope.system()) as s:
        p = s.get(Project, pid)
        awards = list(s.scalars(select(Award).where(Award.project_id == pid).order_by(Award.rank)))
        b = {x.id: (x.deposit_state, x.deposit_settled_on) for x in s.scalars(select(Buyer))}
        deals_ = list(s.scalars(select(Deal).where(Deal.project_id == pid).order_by(Deal.id)))
        s.expunge_all()
        return p, awards, b, deals_


def _sign(platform, t, pid, on):
    with platform.db.transaction(t.scope) as s:
        p = services.load(s, t, pid)
        return deals.sign(s, platform, t, pid, p.version, deals.ContractIn(f"HT-{on}", on), actor="t")


def _refund(platform, t, buyer_id, on):
    with platform.db.transaction(t.scope) as s:
        return settlement.refund_deposit(s, platform, t, buyer_id, on=on, actor="officer")


def _audited(platform, action):
    from core.audit import AuditEntry

    with platform.db.session(Scope.system()) as s:
        return list(s.scalars(select(AuditEntry.details).where(AuditEntry.action == action)))


def test_losing_deposits_come_back_after_the_deal_and_are_audited(platform):
    pid, (a, b, c), t = _auction(platform)  # C leads at +2, B second at +1
    _p, awards, _, _ = _state(platform, pid)
    assert [(w.rank, w.buyer_id, w.price_cents, w.sign_due) for w in awards] == [
        (1, c, 10_200_000_00, date(2027, 1, 22))
    ]
    for who in (a, b, c):  # before the deal: every deposit is held
        with pytest.raises(Invalid) as exc:
            _refund(platform, t, who, AUCTION_DAY)
        assert exc.value.code == "deposit_held"
    _sign(platform, t, pid, AUCTION_DAY)
    _refund(platform, t, a, AUCTION_DAY)  # a losing bidder: after the deal
    with pytest.raises(Invalid) as exc:  # the second bidder waits for the winner's payment
        _refund(platform, t, b, AUCTION_DAY)
    assert exc.value.code == "deposit_held"
    with pytest.raises(Conflict):
        _refund(platform, t, a, AUCTION_DAY)
    with platform.db.transaction(t.scope) as s:
        deals.pay(s, platform, t, pid, cents=10_200_000_00, on=AUCTION_DAY, actor="t")
    _refund(platform, t, b, AUCTION_DAY)
    with pytest.raises(Invalid):  # the winner's goes towards the price
        _refund(platform, t, c, AUCTION_DAY)
    _p, _, states, _ = _state(platform, pid)
    assert states[a] == states[b] == ("refunded", AUCTION_DAY) and states[c] == ("", None)
    refunds = _audited(platform, "equity.project.deposit_refunded")
    assert sorted(d["buyer_id"] for d in refunds) == sorted([a, b])
    assert all(d["cents"] == 1_000_000_00 for d in refunds)


def test_a_winner_who_does_not_sign_in_time_gives_way_to_the_second_bidder(platform):
    pid, (a, b, c), t = _auction(platform, amounts=(0, 1, 2, 3))  # A +3 wins, C +2 second
    platform.clock.set(date(2027, 1, 22))  # the last day of the window: nothing happens yet
    with platform.db.transaction(t.scope) as s:
        rules.advance_task(platform, t, s)
    assert _state(platform, pid)[1][0].status == "open"
    platform.clock.set(date(2027, 1, 25))
    with platform.db.transaction(t.scope) as s:
        rules.advance_task(platform, t, s)
    p, awards, states, _ = _state(platform, pid)
    assert [(w.rank, w.buyer_id, w.status) for w in awards] == [(1, a, "defaulted"), (2, c, "open")]
    assert awards[1].price_cents == 10_200_000_00 and awards[1].sign_due == date(2027, 2, 1)
    assert states[a] == ("forfeited", date(2027, 1, 25)) and p.status == "auction"
    with pytest.raises(Invalid):  # a forfeited deposit never comes back
        _refund(platform, t, a, date(2027, 1, 25))
    d = _sign(platform, t, pid, date(2027, 1, 25))
    assert (d.buyer_id, d.price_cents) == (c, 10_200_000_00)
    assert _audited(platform, "equity.project.award_defaulted")[0]["forfeited_cents"] == 1_000_000_00


def test_the_second_bidder_also_fails_and_the_project_goes_back_to_listing(platform):
    pid, (a, b, c), t = _auction(platform)  # C wins, B second
    with platform.db.transaction(t.scope) as s:
        p = services.load(s, t, pid)
        with pytest.raises(Invalid) as exc:
            settlement.record_default(s, platform, t, pid, p.version, reason=" ", actor="officer")
        assert exc.value.code == "reason_required"
    with platform.db.transaction(t.scope) as s:
        p = services.load(s, t, pid)
        settlement.record_default(s, platform, t, pid, p.version, reason="竞得人书面放弃", actor="officer")
    _sign(platform, t, pid, AUCTION_DAY)  # the second bidder signs, then does not pay
    platform.clock.set(date(2027, 1, 22))
    with platform.db.transaction(t.scope) as s:
        assert not settlement.fall_through(s, platform, t, services.load(s, t, pid))  # due today
    platform.clock.set(date(2027, 1, 25))
    with platform.db.transaction(t.scope) as s:
        rules.advance_task(platform, t, s)
    p, awards, states, signed = _state(platform, pid)
    assert p.status == "failed" and "退回重新挂牌" in p.status_reason
    assert [(w.rank, w.buyer_id, w.status) for w in awards] == [(1, c, "defaulted"), (2, b, "defaulted")]
    assert states[c][0] == states[b][0] == "forfeited"
    assert [(x.buyer_id, x.void) for x in signed] == [(b, True)]
    with platform.db.session(Scope.system()) as s, pytest.raises(NotFound):
        deals.load_deal(s, t, pid)
    _refund(platform, t, a, date(2027, 1, 25))  # back to listing: the third bidder's deposit returns
    assert _state(platform, pid)[2][a][0] == "refunded"
    t_city = tenant(platform, "360100")
    with platform.db.session(Scope.below(t_city.id, t_city.path)) as s:
        assert rules.missing_notice(session=s) == [] and rules.bad_instalments(session=s) == []


def test_a_paid_winner_cannot_be_defaulted_by_hand(platform):
    pid, _ids, t = _auction(platform)
    _sign(platform, t, pid, AUCTION_DAY)
    with platform.db.transaction(t.scope) as s:
        deals.pay(s, platform, t, pid, cents=10_200_000_00, on=AUCTION_DAY, actor="t")
    with platform.db.transaction(t.scope) as s, pytest.raises(Conflict):
        p = services.load(s, t, pid)
        settlement.record_default(s, platform, t, pid, p.version, reason="x", actor="officer")


def test_related_buyers_by_shareholders(platform):
    pid, (a, b, c) = auction_ready(platform, 3)
    t = tenant(platform)
    group = credit_code(800)

    def holder(buyer_id, name, code=""):
        with platform.db.transaction(t.scope) as s:
            settlement.add_shareholder(
                s, platform, t, pid, buyer_id=buyer_id, name=name, credit_code=code, actor="officer"
            )

    holder(None, "江西某国资集团", group)  # the seller's holder ...
    holder(a, "江西某国资集团", group)  # ... also holds A
    holder(b, "南昌市国有资本投资有限公司", SELLER)  # the seller holds B
    holder(None, "江西丙控股有限公司")  # C (by name) holds the seller
    with pytest.raises(Conflict):
        holder(a, "江西某国资集团（重复）", group)
    with pytest.raises(Invalid):
        holder(a, "坏代码", "123")
    with platform.db.session(Scope.below(t.id, t.path)) as s:
        found = rules.related_buyer(session=s)
    relation = {int(f.facts["occurrence"].split("-")[1]): f.facts["relation"] for f in found}
    assert relation == {a: "common_holder", b: "seller_holds", c: "buyer_holds"}
    assert "共同股东" in next(f.message_zh for f in found if f.facts["relation"] == "common_holder")


def test_a_project_back_at_listing_is_not_auctioned_twice(platform):
    """Relisted after both defaults, the project runs its disclosure again; arranging a second auction on
    it is refused clearly (the first round's log, awards and forfeits stay its record)."""
    pid, _ids, t = _auction(platform)
    for _ in range(2):
        with platform.db.transaction(t.scope) as s:
            p = services.load(s, t, pid)
            settlement.record_default(s, platform, t, pid, p.version, reason="放弃", actor="officer")
    with platform.db.transaction(t.scope) as s:
        p = services.load(s, t, pid)
        assert p.status == "failed"
        services.change_terms(
            s,
            platform,
            t,
            pid,
            p.version,
            changes={"increment_cents": 50_000_00},
            reason="重新挂牌",
            actor="o",
        )
    platform.clock.set(date(2027, 3, 1))
    with platform.db.transaction(t.scope) as s, pytest.raises(Conflict) as exc:
        p = services.advance(s, platform, t, services.load(s, t, pid))
        buyers.proceed(s, platform, t, pid, p.version, starts_at=AUCTION_AT, actor="o")
    assert exc.value.code == "auctioned_once" and "另行登记" in exc.value.message_zh
