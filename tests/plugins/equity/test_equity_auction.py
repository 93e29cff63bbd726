"""The online auction: the rules of a bid (errors naming the rule, nothing changed), the free and timed
periods with the countdown restarting, the server clock deciding, the log replaying to the same winner
and price, and concurrent bids serialised (threads; on PostgreSQL with GOVHALL_TEST_DATABASE_URL)."""

from __future__ import annotations

import random
import threading
from datetime import UTC, datetime, timedelta

import pytest
from equity_helpers import AUCTION_AT, BUYERS, auction_ready, tenant
from sqlalchemy import func, select

from core.db import Scope
from core.errors import DomainError
from plugins.equity import auction as A
from plugins.equity import bidding, services
from plugins.equity.models import Auction, Bid

STEP = 100_000_00
START = 10_000_000_00


def _bid(platform, pid, who, amount, at):
    t = tenant(platform)
    with platform.db.transaction(t.scope) as s:
        return bidding.place_bid(
            s, platform, t, pid, credit_code=BUYERS[who], amount_cents=amount, actor="t", now=at
        )


def _auction(platform) -> Auction:
    with platform.db.session(Scope.system()) as s:
        a = s.scalars(select(Auction)).one()
        s.expunge(a)
        return a


def test_each_refusal_names_its_rule_and_changes_nothing(platform):
    pid, _ = auction_ready(platform, 2)
    early = AUCTION_AT - timedelta(seconds=1)
    assert _bid(platform, pid, 0, START, early).refused == "not_started"
    at = AUCTION_AT + timedelta(minutes=1)
    assert _bid(platform, pid, 0, START - STEP, at).refused == "below_start"
    assert _bid(platform, pid, 0, START + STEP // 2, at).refused == "off_increment"
    first = _bid(platform, pid, 0, START, at)
    assert first.accepted and first.leading and first.current_cents == START
    assert _bid(platform, pid, 0, START + STEP, at).refused == "already_leading"
    assert _bid(platform, pid, 1, START, at).refused == "below_current"
    assert _bid(platform, pid, 1, START + 3 * STEP, at).accepted  # several increments at once are fine
    a = _auction(platform)
    assert (a.current_cents, a.accepted) == (START + 3 * STEP, 2)
    with pytest.raises(DomainError) as exc:  # a legal person that never registered
        t = tenant(platform)
        with platform.db.transaction(t.scope) as s:
            bidding.place_bid(
                s, platform, t, pid, credit_code=BUYERS[3], amount_cents=START * 2, actor="t", now=at
            )
    assert exc.value.code == "unqualified"
    closed = a.closes_at.replace(tzinfo=UTC)
    assert _bid(platform, pid, 0, START + 10 * STEP, closed).refused == "closed"
    assert _auction(platform).current_cents == START + 3 * STEP


def test_an_unqualified_buyer_cannot_bid(platform):
    pid, _ = auction_ready(platform, 3, qualify=2)
    assert _bid(platform, pid, 2, START, AUCTION_AT + timedelta(minutes=1)).refused == "unqualified"


def test_the_timed_period_restarts_the_countdown_and_the_server_clock_decides(platform):
    pid, ids = auction_ready(platform, 2)
    free_end = AUCTION_AT + timedelta(minutes=30)
    a = _auction(platform)
    assert a.closes_at.replace(tzinfo=UTC) == free_end + timedelta(seconds=60)
    _bid(platform, pid, 0, START, AUCTION_AT + timedelta(minutes=5))  # free bidding: no restart
    assert _auction(platform).closes_at.replace(tzinfo=UTC) == free_end + timedelta(seconds=60)
    at = free_end + timedelta(seconds=50)
    _bid(platform, pid, 1, START + STEP, at)  # timed: the countdown restarts from this bid
    assert _auction(platform).closes_at.replace(tzinfo=UTC) == at + timedelta(seconds=60)
    assert _bid(platform, pid, 0, START + 2 * STEP, at + timedelta(seconds=59)).accepted
    assert _bid(platform, pid, 1, START + 3 * STEP, at + timedelta(seconds=59 + 60)).refused == "closed"
    # the server clock, not the bidder, gives the time
    platform.clock.set(at + timedelta(seconds=30))
    assert _bid(platform, pid, 1, START + 3 * STEP, None).at == at + timedelta(seconds=30)
    t = tenant(platform)
    with platform.db.transaction(t.scope) as s:
        assert bidding.close_if_due(s, platform, t, pid, now=at + timedelta(hours=1))
        assert not bidding.close_if_due(s, platform, t, pid, now=at + timedelta(hours=1))
        buyer, price = bidding.winner(s, t, services.load(s, t, pid))
    assert (buyer.id, price) == (ids[1], START + 3 * STEP)


def test_the_log_replays_to_the_same_winner_and_price(platform):
    pid, ids = auction_ready(platform, 4)
    rng = random.Random(19)
    at = AUCTION_AT + timedelta(minutes=29)
    for _ in range(60):
        at += timedelta(seconds=rng.randint(1, 12))
        current = _auction(platform).current_cents or START
        _bid(
            platform, pid, rng.randrange(4), current + int(rng.choice((-1.0, 0.0, 1.0, 2.0, 0.5)) * STEP), at
        )
    a = _auction(platform)
    with platform.db.session(Scope.system()) as s:
        out = bidding.replay(s, s.get(Auction, a.id))
        logged = bidding.log(s, a.id)
    assert out.state.leader_id == a.leader_id and out.state.current_cents == a.current_cents
    assert out.state.accepted == a.accepted > 5
    assert [logged[i].seq for i in out.accepted] == list(range(1, a.accepted + 1))
    assert list(out.refusals) == [b.refused for b in logged]
    assert {r for r in out.refusals if r} >= {"off_increment", "below_current"}


def test_a_pure_replay_is_deterministic():
    terms = A.Terms(100, 10, datetime(2027, 1, 1, tzinfo=UTC), datetime(2027, 1, 1, 0, 10, tzinfo=UTC), 30)
    t0 = terms.starts_at
    log = [
        A.Attempt(1, 100, t0),
        A.Attempt(2, 110, t0),
        A.Attempt(1, 110, t0),
        A.Attempt(1, 150, t0),
        A.Attempt(2, 160, terms.free_end + timedelta(seconds=25)),
        A.Attempt(1, 170, terms.free_end + timedelta(seconds=54)),
        A.Attempt(2, 180, terms.free_end + timedelta(seconds=85)),
    ]
    out = A.replay(terms, log)
    assert out.refusals == ("", "", "below_current", "", "", "", "closed")
    assert (out.state.leader_id, out.state.current_cents) == (1, 170)
    assert A.replay(terms, log) == out


def test_concurrent_bids_are_serialised_none_lost_none_double(platform):
    pid, _ = auction_ready(platform, 4)
    a = _auction(platform)
    at = datetime.fromtimestamp(a.free_end.replace(tzinfo=UTC).timestamp() + 10, UTC)
    results: list = []
    lock = threading.Lock()

    def bidder(who: int) -> None:
        for k in range(8):
            # everybody aims at the same next prices: only one bid per price may win
            try:
                r = _bid(platform, pid, who, START + k * STEP, at)
            except Exception as exc:  # noqa: BLE001 - an error would be a lost bid: recorded and failed below
                r = exc
            with lock:
                results.append(r)

    threads = [threading.Thread(target=bidder, args=(w,)) for w in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert not [r for r in results if isinstance(r, Exception)], results
    accepted = [r for r in results if r.accepted]
    with platform.db.session(Scope.system()) as s:
        prices = s.scalars(select(Bid.accepted_cents).where(Bid.seq.is_not(None)).order_by(Bid.seq)).all()
        total = s.scalar(select(func.count()).select_from(Bid))
    assert total == len(results) == 32  # every attempt is in the log
    assert len(prices) == len(set(prices)) == len(accepted) == _auction(platform).accepted
    assert prices == sorted(prices)
