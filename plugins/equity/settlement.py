"""After the auction (as Prozorro.Sale settles its auctions): the award with its signing window, the winner's
default and the second bidder waiting, deposit refunds and forfeits; and the shareholders the related-buyer
rule compares.

The award goes to the winner (rank 1), who signs within ``law.SIGNING`` working days and pays the down
payment (or the whole price) by the deal's ``down_due`` — both counted on the core legal clock. A winner
who misses either window (found by ``fall_through``, which the periodic task and the workbench run) or
whom the exchange records as defaulting loses its deposit and the award passes to the second-highest
bidder at that bidder's own highest bid, with a new signing window; a second default sends the project
back to listing. Losing bidders' deposits are refunded once the deal is signed (the second bidder's once
the down payment is in), each refund recorded in the audit chain.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.api import Conflict, clock, today
from plugins.equity import law
from plugins.equity.buyers import load_buyer
from plugins.equity.models import Auction, Award, Bid, Buyer, Deal, Project, Shareholder
from plugins.equity.services import check_code, emit, invalid, load, wrong_state

BACK_TO_LISTING = (
    "竞得人及递补竞买人均未签约付款，项目退回重新挂牌 / "
    "the winner and the second bidder defaulted: back to listing"
)
NO_SECOND = (
    "竞得人违约且无其他有效报价，项目退回重新挂牌 / the winner defaulted and nobody else bid: back to listing"
)


def current_award(s: Session, p: Project) -> Award | None:
    """The latest award of the project (rank 2 once the winner defaulted), or None before the close."""
    return s.scalar(select(Award).where(Award.project_id == p.id).order_by(Award.rank.desc()).limit(1))


def live_deal(s: Session, project_id: int) -> Deal | None:
    return s.scalar(select(Deal).where(Deal.project_id == project_id, Deal.void.is_(False)))


def open_award(s: Session, platform: Any, tenant: Any, p: Project, a: Auction) -> Award | None:
    """The winner's award when the auction closes with a leader (once: later calls return it)."""
    found = current_award(s, p)
    if found is not None or a.leader_id is None or a.current_cents is None:
        return found
    closes = a.closes_at if a.closes_at.tzinfo else a.closes_at.replace(tzinfo=clock.zone(platform))
    on = clock.local_date(platform, closes)
    award = Award(
        tenant_id=tenant.id,
        tenant_path=tenant.path,
        project_id=p.id,
        rank=1,
        buyer_id=a.leader_id,
        price_cents=a.current_cents,
        awarded_on=on,
        sign_due=law.sign_due(platform, tenant, on),
    )
    s.add(award)
    s.flush()
    emit(s, tenant, p, "awarded", "system", rank=1, buyer_id=a.leader_id, sign_due=award.sign_due.isoformat())
    return award


def second_bidder(s: Session, auction_id: int, exclude: int) -> tuple[int, int] | None:
    """(buyer, its highest accepted bid) of the best bidder other than ``exclude``, from the bid log."""
    top = func.max(Bid.accepted_cents)
    row = s.execute(
        select(Bid.buyer_id, top)
        .where(Bid.auction_id == auction_id, Bid.seq.is_not(None), Bid.buyer_id != exclude)
        .group_by(Bid.buyer_id)
        .order_by(top.desc(), Bid.buyer_id)
        .limit(1)
    ).first()
    return (int(row[0]), int(row[1] or 0)) if row is not None else None


def award_for_contract(s: Session, platform: Any, tenant: Any, p: Project, signed_on: date) -> Award:
    """The open award a contract may now be signed on: refused after its signing window."""
    award = current_award(s, p)
    a = s.scalar(select(Auction).where(Auction.project_id == p.id))
    if award is None and a is not None and a.closed:  # closed before awards were kept
        award = open_award(s, platform, tenant, p, a)
    if award is None or award.status != "open":
        raise wrong_state(p, "网络竞价尚未结束或无人报价", "The auction has not closed with a winner")
    if signed_on > award.sign_due:
        raise invalid(
            "signing_window_over",
            f"{law.SIGNING.zh}（签约期限至 {award.sign_due}）",
            f"{law.SIGNING.en} (the window ended {award.sign_due})",
            "signed_on",
        )
    return award


def _default(
    s: Session, platform: Any, tenant: Any, p: Project, award: Award, reason: str, actor: str
) -> None:
    on = today(platform)
    deal = live_deal(s, p.id)
    if deal is not None:
        deal.void = True
    award.status, award.reason, award.closed_on = "defaulted", reason, on
    b = s.get(Buyer, award.buyer_id)
    forfeited = 0
    if b is not None and b.deposit_paid_on is not None and b.deposit_state == "":
        b.deposit_state, b.deposit_settled_on, forfeited = "forfeited", on, b.deposit_cents
    s.flush()
    emit(
        s,
        tenant,
        p,
        "award_defaulted",
        actor,
        rank=award.rank,
        buyer_id=award.buyer_id,
        reason=reason,
        forfeited_cents=forfeited,
    )
    a = s.scalar(select(Auction).where(Auction.project_id == p.id))
    runner = second_bidder(s, a.id, award.buyer_id) if a is not None and award.rank == 1 else None
    if runner is None:
        p.status, p.status_reason = "failed", BACK_TO_LISTING if award.rank > 1 else NO_SECOND
        s.flush()
        emit(s, tenant, p, "back_to_listing", actor)
        return
    nxt = Award(
        tenant_id=tenant.id,
        tenant_path=tenant.path,
        project_id=p.id,
        rank=award.rank + 1,
        buyer_id=runner[0],
        price_cents=runner[1],
        awarded_on=on,
        sign_due=law.sign_due(platform, tenant, on),
    )
    s.add(nxt)
    p.status, p.status_reason = (
        "auction",
        "竞得人违约，由报价次高的竞买人递补 / the winner defaulted: the second bidder",
    )
    s.flush()
    emit(
        s,
        tenant,
        p,
        "awarded",
        actor,
        rank=nxt.rank,
        buyer_id=nxt.buyer_id,
        sign_due=nxt.sign_due.isoformat(),
    )


def record_default(
    s: Session, platform: Any, tenant: Any, project_id: int, version: int, *, reason: str, actor: str
) -> Project:
    """The exchange records that the current awardee gave up or failed (before its down payment)."""
    p = load(s, tenant, project_id, version)
    award = current_award(s, p)
    if award is None or award.status not in ("open", "signed") or p.status not in ("auction", "deal"):
        raise wrong_state(
            p, "当前没有待签约付款的竞得人", "Nobody holds an award awaiting contract or payment"
        )
    deal = live_deal(s, p.id)
    if deal is not None and deal.down_paid_on is not None:
        raise wrong_state(
            p,
            "竞得人已支付价款，违约按合同处理",
            "The winner has paid: a later default is a matter of the contract",
        )
    if not reason.strip():
        raise invalid("reason_required", "请说明违约情形", "say how the winner defaulted", "reason")
    _default(s, platform, tenant, p, award, reason.strip(), actor)
    return p


def fall_through(s: Session, platform: Any, tenant: Any, p: Project) -> bool:
    """A missed signing or payment window is a default (the deposit is forfeited, the award moves on).
    True when it happened now."""
    if p.status not in ("auction", "deal"):
        return False
    award = current_award(s, p)
    if award is None or award.status not in ("open", "signed"):
        return False
    on = today(platform)
    deal = live_deal(s, p.id)
    if award.status == "open" and deal is None and on > award.sign_due:
        _default(s, platform, tenant, p, award, "逾期未签订交易合同 / did not sign in time", "system")
        return True
    if (
        deal is not None
        and deal.buyer_id == award.buyer_id
        and deal.down_paid_on is None
        and on > deal.down_due
    ):
        _default(s, platform, tenant, p, award, "逾期未支付价款 / did not pay in time", "system")
        return True
    return False


def refundable(s: Session, p: Project, rows: Iterable[Buyer]) -> set[int]:
    """Buyers whose deposit may be refunded now: the rejected ones; everyone once the project went back
    to listing; the losing bidders once the deal is signed, the second bidder once the down payment is in.
    The awardee's deposit stays (it goes towards the price); a forfeited one never comes back."""
    deal = live_deal(s, p.id)
    award = current_award(s, p)
    keep = {x.buyer_id for x in (award, deal) if x is not None and not getattr(x, "void", False)}
    if award is not None and award.status == "defaulted":
        keep.discard(award.buyer_id)
    runner = None
    if award is not None and award.rank == 1:
        a = s.scalar(select(Auction.id).where(Auction.project_id == p.id))
        found = second_bidder(s, a, award.buyer_id) if a is not None else None
        runner = found[0] if found else None
    out = set()
    for b in rows:
        if b.deposit_paid_on is None or b.deposit_state or b.id in keep:
            continue
        anyone = b.status == "rejected" or p.status in ("failed", "reappraisal")
        after_deal = deal is not None and (b.id != runner or deal.down_paid_on is not None)
        if anyone or after_deal:
            out.add(b.id)
    return out


def refund_deposit(s: Session, platform: Any, tenant: Any, buyer_id: int, *, on: date, actor: str) -> Buyer:
    b = load_buyer(s, tenant, buyer_id)
    p = load(s, tenant, b.project_id)
    if b.deposit_paid_on is None:
        raise invalid("no_deposit", "该单位未缴纳保证金", "this buyer paid no deposit", "buyer_id")
    if b.deposit_state == "refunded":
        raise Conflict("The deposit was refunded already", "保证金已退还", code="duplicate")
    if b.deposit_state == "forfeited":
        raise invalid(
            "forfeited", "竞得人违约，保证金不予退还", "the deposit was forfeited by default", "buyer_id"
        )
    if b.id not in refundable(s, p, [b]):
        raise invalid(
            "deposit_held",
            "保证金暂不能退还：竞得人的保证金转作价款，其他竞买人的保证金在成交后退还，"
            "递补竞买人的保证金在竞得人付款后退还",
            "the deposit is held: the winner's goes towards the price, the others' are refunded after "
            "the deal, the second bidder's after the winner's payment",
            "buyer_id",
        )
    if on > today(platform) or on < b.deposit_paid_on:
        raise invalid(
            "bad_date", "退还日期须在缴纳日与今天之间", "the refund day is between payment and today", "on"
        )
    b.deposit_state, b.deposit_settled_on = "refunded", on
    s.flush()
    emit(s, tenant, p, "deposit_refunded", actor, buyer_id=b.id, cents=b.deposit_cents, on=on.isoformat())
    return b


def add_shareholder(
    s: Session,
    platform: Any,
    tenant: Any,
    project_id: int,
    *,
    buyer_id: int | None,
    name: str,
    credit_code: str = "",
    source: str = "entered",
    actor: str,
) -> Shareholder:
    """A shareholder of the seller (``buyer_id`` None) or of a buyer of this project."""
    p = load(s, tenant, project_id)
    name = name.strip()
    if not name:
        raise invalid("name_required", "请填写股东名称", "the shareholder's name is required", "name")
    code = check_code(credit_code, "credit_code") if credit_code.strip() else ""
    owner = Shareholder.buyer_id.is_(None) if buyer_id is None else Shareholder.buyer_id == buyer_id
    same = Shareholder.credit_code == code if code else Shareholder.name == name
    if s.scalar(select(Shareholder.id).where(Shareholder.project_id == p.id, owner, same).limit(1)):
        raise Conflict("This shareholder is recorded already", "该股东已登记", code="duplicate")
    row = Shareholder(
        tenant_id=tenant.id,
        tenant_path=tenant.path,
        project_id=p.id,
        buyer_id=buyer_id,
        name=name[:200],
        credit_code=code,
        source=source,
        recorded_by=actor,
    )
    s.add(row)
    s.flush()
    emit(s, tenant, p, "shareholder_recorded", actor, buyer_id=buyer_id, name=row.name, source=source)
    return row
