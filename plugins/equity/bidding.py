"""The live auction on the database: placing a bid, the public state, closing, replaying the stored log.

A bid first bumps ``equity_auctions.attempts`` for its auction: on PostgreSQL that UPDATE holds the row
lock until commit (as SELECT ... FOR UPDATE would), on SQLite it takes the database write lock before
anything is read. Every bid of an auction therefore sees the state the previous one left, is decided by
``auction.decide`` at the server's time, and is appended to the log; the unique constraints on
(auction, seq) and (auction, accepted price) are the last line.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from core.api import Invalid, NotFound, clock
from plugins.equity import auction as A
from plugins.equity import settlement
from plugins.equity.models import Auction, Bid, Buyer, Project
from plugins.equity.services import emit, load, wrong_state


def aware(at: datetime) -> datetime:
    return at.astimezone(UTC) if at.tzinfo is not None else at.replace(tzinfo=UTC)


def terms_of(a: Auction) -> A.Terms:
    return A.Terms(
        a.start_cents, a.increment_cents, aware(a.starts_at), aware(a.free_end), a.countdown_seconds
    )


def state_of(a: Auction) -> A.State:
    return A.State(a.current_cents, a.leader_id, a.accepted, aware(a.closes_at))


def load_auction(s: Session, tenant: Any, project_id: int) -> Auction:
    a = s.scalar(select(Auction).where(Auction.project_id == project_id))
    if a is None or a.tenant_id != tenant.id:
        raise NotFound(
            "This project has no online auction here", "本级该项目没有网络竞价", code="unknown_auction"
        )
    return a


@dataclass(frozen=True)
class Placed:
    bid_id: int
    accepted: bool
    refused: str
    at: datetime
    current_cents: int | None
    leading: bool
    closes_at: datetime


def place_bid(
    s: Session,
    platform: Any,
    tenant: Any,
    project_id: int,
    *,
    credit_code: str,
    amount_cents: int,
    actor: str,
    now: datetime | None = None,
) -> Placed:
    """Decide one bid of a registered buyer at the server's time and append it to the log (refused ones
    too, with why: the log is the whole story). The caller commits, then answers a refusal with
    ``refusal_error`` — the auction's state is unchanged by it."""
    a0 = load_auction(s, tenant, project_id)
    buyer = s.scalar(select(Buyer).where(Buyer.project_id == project_id, Buyer.credit_code == credit_code))
    if buyer is None:  # not even registered: refused without a log line (anyone may call)
        raise refusal_error("unqualified", "credit_code")
    s.execute(
        update(Auction)
        .where(Auction.id == a0.id)
        .values(attempts=Auction.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    s.refresh(a0)  # the state after the lock: whatever the previous bid committed
    at = (now or clock.now(platform)).astimezone(UTC)
    attempt = A.Attempt(buyer.id, amount_cents, at, buyer.status == "qualified")
    why, new = A.decide(terms_of(a0), state_of(a0), attempt)
    bid = Bid(
        tenant_id=tenant.id,
        tenant_path=tenant.path,
        auction_id=a0.id,
        buyer_id=attempt.buyer_id,
        amount_cents=amount_cents,
        at=at,
        refused=why,
    )
    if not why:
        bid.seq, bid.accepted_cents = new.accepted, amount_cents
        a0.current_cents, a0.leader_id, a0.accepted = new.current_cents, new.leader_id, new.accepted
        a0.closes_at = new.close_time(terms_of(a0))
    s.add(bid)
    s.flush()
    return Placed(
        bid.id, not why, why, at, a0.current_cents, a0.leader_id == attempt.buyer_id, aware(a0.closes_at)
    )


def refusal_error(why: str, field: str = "amount_cents") -> Invalid:
    zh, en = A.REFUSALS[why]
    return Invalid(en, zh, code=why, fields={field: en})


def public_state(s: Session, a: Auction, now: datetime, viewer_buyer_id: int | None = None) -> dict[str, Any]:
    """What the live page polls: phase, price, the countdown, the recent accepted bids (bidders shown by
    their number in the auction, not their name, while it runs)."""
    terms, state = terms_of(a), state_of(a)
    phase = A.phase(terms, state, now)
    rows = s.execute(
        select(Bid.seq, Bid.buyer_id, Bid.amount_cents, Bid.at)
        .where(Bid.auction_id == a.id, Bid.seq.is_not(None))
        .order_by(Bid.seq.desc())
        .limit(20)
    ).all()
    numbers = _bidder_numbers(s, a)
    return {
        "phase": phase,
        "current_cents": a.current_cents,
        "start_cents": a.start_cents,
        "increment_cents": a.increment_cents,
        "next_cents": (a.current_cents + a.increment_cents) if a.current_cents is not None else a.start_cents,
        "accepted": a.accepted,
        "starts_at": terms.starts_at,
        "free_end": terms.free_end,
        "closes_at": state.close_time(terms),
        "server_time": now,
        "seconds_left": max(0, int((state.close_time(terms) - now).total_seconds()))
        if phase != "closed"
        else 0,
        "leader_no": numbers.get(a.leader_id or 0),
        "you_lead": viewer_buyer_id is not None and a.leader_id == viewer_buyer_id,
        "your_no": numbers.get(viewer_buyer_id or 0),
        "bids": [
            {
                "seq": r.seq,
                "bidder_no": numbers.get(r.buyer_id),
                "amount_cents": r.amount_cents,
                "at": aware(r.at),
            }
            for r in rows
        ],
    }


def _bidder_numbers(s: Session, a: Auction) -> dict[int, int]:
    ids = s.scalars(
        select(Buyer.id)
        .where(Buyer.project_id == a.project_id, Buyer.status == "qualified")
        .order_by(Buyer.id)
    ).all()
    return {bid: i + 1 for i, bid in enumerate(ids)}


def close_if_due(
    s: Session, platform: Any, tenant: Any, project_id: int, now: datetime | None = None
) -> bool:
    """Once the countdown ran out: the auction closes, the project waits for the contract (or fails
    when nobody bid). True when it closed now."""
    a = load_auction(s, tenant, project_id)
    at = (now or clock.now(platform)).astimezone(UTC)
    if a.closed or A.phase(terms_of(a), state_of(a), at) != "closed":
        return False
    s.execute(
        update(Auction)
        .where(Auction.id == a.id)
        .values(attempts=Auction.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    s.refresh(a)
    if a.closed:
        return False
    a.closed = True
    p = load(s, tenant, project_id)
    if a.leader_id is None:
        p.status, p.status_reason = "failed", "网络竞价无人报价 / nobody bid"
    s.flush()
    emit(s, tenant, p, "auction_closed", "system", winner=a.leader_id, price_cents=a.current_cents)
    settlement.open_award(s, platform, tenant, p, a)
    return True


def log(s: Session, auction_id: int) -> list[Bid]:
    return list(s.scalars(select(Bid).where(Bid.auction_id == auction_id).order_by(Bid.id)))


def replay(s: Session, a: Auction) -> A.Outcome:
    """Run the stored log again: the outcome must equal the live auction (tests/plugins/equity)."""
    qualified = set(
        s.scalars(select(Buyer.id).where(Buyer.project_id == a.project_id, Buyer.status == "qualified"))
    )
    return A.replay(
        terms_of(a),
        [A.Attempt(b.buyer_id, b.amount_cents, aware(b.at), b.buyer_id in qualified) for b in log(s, a.id)],
    )


def winner(s: Session, tenant: Any, p: Project) -> tuple[Buyer, int]:
    a = load_auction(s, tenant, p.id)
    if not a.closed or a.leader_id is None or a.current_cents is None:
        raise wrong_state(p, "网络竞价尚未结束或无人报价", "The auction has not closed with a winner")
    buyer = s.get(Buyer, a.leader_id)
    assert buyer is not None
    return buyer, a.current_cents
