"""The online auction (网络竞价) as a pure function of its terms and its bid log.

``decide`` takes the auction's state and one bid attempt (buyer, amount, server time) and says whether
it is accepted and what the state becomes; the live path (``services.place_bid``) and ``replay`` use the
same function, so re-running the stored log gives the same winner and price.

Rules: amounts are ``start + k × increment`` (k ≥ 0); the first bid is at least the start price, every
later bid above the current price; the leader does not outbid itself. Free bidding runs from ``starts_at``
to ``free_end``; then the timed period: it closes ``countdown`` seconds after ``free_end`` or after the
last accepted bid in it, whichever is later. The server time of the attempt decides.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

REFUSALS: dict[str, tuple[str, str]] = {
    "not_started": ("竞价尚未开始", "The auction has not started"),
    "closed": ("竞价已结束", "The auction is closed"),
    "unqualified": ("您不是本项目的合格受让方，不能报价", "You are not a qualified buyer of this project"),
    "below_current": ("报价须高于当前最高价", "The bid must be above the current price"),
    "below_start": ("报价不得低于起始价（挂牌价）", "The bid may not be below the start (listing) price"),
    "off_increment": (
        "报价须为起始价加整数倍加价幅度",
        "The bid must be the start price plus whole increments",
    ),
    "already_leading": ("您已是当前最高报价人", "You already lead"),
}


@dataclass(frozen=True)
class Terms:
    start_cents: int
    increment_cents: int
    starts_at: datetime
    free_end: datetime
    countdown_seconds: int


@dataclass(frozen=True)
class State:
    current_cents: int | None = None
    leader_id: int | None = None
    accepted: int = 0
    closes_at: datetime | None = None  # None: free_end + countdown

    def close_time(self, terms: Terms) -> datetime:
        return self.closes_at or terms.free_end + timedelta(seconds=terms.countdown_seconds)


@dataclass(frozen=True)
class Attempt:
    buyer_id: int
    amount_cents: int
    at: datetime
    qualified: bool = True


def phase(terms: Terms, state: State, at: datetime) -> str:
    if at < terms.starts_at:
        return "scheduled"
    if at >= state.close_time(terms):
        return "closed"
    return "free" if at < terms.free_end else "timed"


def refusal(terms: Terms, state: State, a: Attempt) -> str:
    """Why the attempt is refused ("" when it is accepted); the order is the order a bidder can fix it."""
    p = phase(terms, state, a.at)
    if p == "scheduled":
        return "not_started"
    if p == "closed":
        return "closed"
    if not a.qualified:
        return "unqualified"
    if a.amount_cents < terms.start_cents:
        return "below_start"
    if (a.amount_cents - terms.start_cents) % terms.increment_cents:
        return "off_increment"
    if state.current_cents is not None and a.amount_cents <= state.current_cents:
        return "below_current"
    if state.leader_id == a.buyer_id:
        return "already_leading"
    return ""


def decide(terms: Terms, state: State, a: Attempt) -> tuple[str, State]:
    why = refusal(terms, state, a)
    if why:
        return why, state
    closes_at = state.closes_at
    if a.at >= terms.free_end:  # a bid in the timed period restarts the countdown
        closes_at = max(state.close_time(terms), a.at + timedelta(seconds=terms.countdown_seconds))
    return "", replace(
        state,
        current_cents=a.amount_cents,
        leader_id=a.buyer_id,
        accepted=state.accepted + 1,
        closes_at=closes_at,
    )


@dataclass(frozen=True)
class Outcome:
    state: State
    accepted: tuple[int, ...]  # indexes of accepted attempts, in order
    refusals: tuple[str, ...]  # per attempt: "" or the reason


def replay(terms: Terms, attempts: Iterable[Attempt]) -> Outcome:
    """Run the log again from the start: the winner is ``state.leader_id`` at ``state.current_cents``."""
    state, accepted, why_list = State(), [], []
    for i, a in enumerate(attempts):
        why, state = decide(terms, state, a)
        why_list.append(why)
        if not why:
            accepted.append(i)
    return Outcome(state, tuple(accepted), tuple(why_list))
