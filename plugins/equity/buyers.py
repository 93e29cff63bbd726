"""Intending buyers (意向受让方): registration during formal disclosure with the credit check through the
``credit.subject`` check (black-listed subjects refused; nothing asked when credit is off), the deposit,
the exchange's confirmation, and what follows: one qualified buyer -> agreement, several -> auction.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.api import Conflict, NotFound, today
from plugins.equity.models import Auction, Buyer, Project, Shareholder
from plugins.equity.services import check_code, emit, invalid, load, stale, wrong_state


def _credit(
    s: Session, platform: Any, tenant: Any, code: str, name: str
) -> tuple[str, list[str], list[dict[str, str]]]:
    """Level, lists and (where the answer carries them) shareholders from whoever answers
    ``credit.subject`` (the credit plugin, where it is on)."""
    batches = platform.hooks(tenant).govhall_checks(
        check="credit.subject",
        subject={"kind": "legal", "id_number": code, "name": name, "purpose": "equity.registration"},
        tenant=tenant,
        session=s,
    )
    level, lists, holders = "", [], []
    for f in (f for batch in batches for f in (batch or [])):
        if f.source == "credit" and "level" in f.facts:
            level = str(f.facts.get("level") or "")
            lists = [str(x) for x in f.facts.get("lists") or []]
        for h in f.facts.get("shareholders") or []:
            if isinstance(h, dict) and str(h.get("name") or "").strip():
                holders.append(
                    {
                        "name": str(h["name"]).strip()[:200],
                        "credit_code": str(h.get("credit_code") or "")[:18],
                    }
                )
    return level, lists, holders


def register(
    s: Session,
    platform: Any,
    tenant: Any,
    project_id: int,
    *,
    credit_code: str,
    name: str,
    representative: str = "",
    qualification: str = "",
    actor: str,
) -> Buyer:
    p = load(s, tenant, project_id)
    if p.status != "disclosure":
        raise wrong_state(p, "只能在正式披露期内登记受让意向", "Buyers register during formal disclosure")
    code = check_code(credit_code, "credit_code")
    if code == p.seller_code:
        raise invalid(
            "seller_buys", "转让方不能作为受让方", "the seller cannot buy its own target", "credit_code"
        )
    if s.scalar(select(Buyer.id).where(Buyer.project_id == p.id, Buyer.credit_code == code)) is not None:
        raise Conflict(
            "This legal person has registered already",
            "该单位已登记受让意向",
            code="duplicate",
            fields={"credit_code": "duplicate"},
        )
    level, lists, holders = _credit(s, platform, tenant, code, name)
    if "black" in lists:
        raise invalid(
            "blacklisted",
            "该单位被列入严重失信主体名单（黑名单），不得受让",
            "the legal person is on the credit black list and may not buy",
            "credit_code",
        )
    b = Buyer(
        tenant_id=tenant.id,
        tenant_path=tenant.path,
        project_id=p.id,
        credit_code=code,
        name=name,
        representative=representative.strip(),
        qualification=qualification,
        credit_level=level,
    )
    s.add(b)
    s.flush()
    for h in holders:  # received with the credit answer: kept as the source said
        s.add(
            Shareholder(
                tenant_id=tenant.id,
                tenant_path=tenant.path,
                project_id=p.id,
                buyer_id=b.id,
                name=h["name"],
                credit_code=h["credit_code"].strip().upper(),
                source="received",
                recorded_by="credit",
            )
        )
    emit(s, tenant, p, "buyer_registered", actor, buyer_id=b.id, credit_code=code, shareholders=len(holders))
    return b


def load_buyer(s: Session, tenant: Any, buyer_id: int, version: int | None = None) -> Buyer:
    b = s.get(Buyer, buyer_id)
    if b is None or b.tenant_id != tenant.id:
        raise NotFound("No such buyer here", "本级没有该意向受让方", code="unknown_buyer")
    if version is not None and b.version != version:
        raise stale("buyer")
    return b


def pay_deposit(
    s: Session, platform: Any, tenant: Any, buyer_id: int, *, cents: int, on: date, actor: str
) -> Buyer:
    b = load_buyer(s, tenant, buyer_id)
    p = load(s, tenant, b.project_id)
    if p.status not in ("disclosure", "qualification"):
        raise wrong_state(p, "该阶段不收取保证金", "Deposits are not taken at this stage")
    if b.deposit_paid_on is not None:
        raise Conflict("The deposit was paid already", "保证金已缴纳", code="duplicate")
    if cents != p.deposit_cents:
        raise invalid(
            "wrong_deposit",
            f"保证金应为 {p.deposit_cents / 100:.2f} 元",
            f"the deposit is {p.deposit_cents / 100:.2f} yuan",
            "cents",
        )
    if on > today(platform):
        raise invalid("future_date", "缴纳日期不能晚于今天", "the payment date is in the future", "on")
    b.deposit_cents, b.deposit_paid_on = cents, on
    s.flush()
    emit(s, tenant, p, "deposit_paid", actor, buyer_id=b.id)
    return b


def confirm(
    s: Session,
    platform: Any,
    tenant: Any,
    buyer_id: int,
    version: int,
    *,
    qualified: bool,
    reason: str = "",
    actor: str,
) -> Buyer:
    """The exchange confirms (or refuses) a buyer once formal disclosure is over."""
    b = load_buyer(s, tenant, buyer_id, version)
    p = load(s, tenant, b.project_id)
    if p.status != "qualification":
        raise wrong_state(
            p, "正式披露期满后方可确认受让方资格", "Buyers are confirmed after formal disclosure"
        )
    if qualified and b.deposit_paid_on is None and p.deposit_cents:
        raise invalid(
            "deposit_missing",
            "未缴纳保证金，不能确认为合格受让方",
            "no deposit paid: cannot be qualified",
            "qualified",
        )
    if not qualified and not reason.strip():
        raise invalid(
            "reason_required", "请说明不符合资格条件的理由", "say which condition is not met", "reason"
        )
    b.status, b.status_reason = ("qualified" if qualified else "rejected"), reason
    s.flush()
    emit(s, tenant, p, "buyer_confirmed", actor, buyer_id=b.id, qualified=qualified)
    return b


def qualified(s: Session, project_id: int) -> list[Buyer]:
    return list(
        s.scalars(
            select(Buyer)
            .where(Buyer.project_id == project_id, Buyer.status == "qualified")
            .order_by(Buyer.id)
        )
    )


def proceed(
    s: Session,
    platform: Any,
    tenant: Any,
    project_id: int,
    version: int,
    *,
    starts_at: datetime,
    free_minutes: int = 60,
    countdown_seconds: int = 300,
    actor: str,
) -> Project:
    """After confirmation: no qualified buyer -> failed; one -> agreement; several -> the online auction,
    starting at ``starts_at`` from the listing price."""
    p = load(s, tenant, project_id, version)
    if p.status != "qualification":
        raise wrong_state(p, "须在资格确认后组织交易", "Confirm the buyers first")
    if s.scalar(select(Buyer.id).where(Buyer.project_id == p.id, Buyer.status == "registered").limit(1)):
        raise invalid(
            "unconfirmed_buyers", "尚有意向受让方未确认资格", "some buyers are not confirmed yet", "buyers"
        )
    if s.scalar(select(Auction.id).where(Auction.project_id == p.id)) is not None:
        # One auction per project: its bid log, award and forfeits stay the record of that round.
        raise Conflict(
            "This project was auctioned once already: file the relisting as a new project",
            "本项目已组织过网络竞价，重新挂牌后再次交易请另行登记转让项目",
            code="auctioned_once",
        )
    n = len(qualified(s, p.id))
    if n == 0:
        p.status, p.status_reason = "failed", "未征集到合格受让方 / no qualified buyer"
    elif n == 1:
        p.status = "agreement"
    else:
        if not 1 <= free_minutes <= 24 * 60 or not 10 <= countdown_seconds <= 3600:
            raise invalid(
                "bad_auction_terms",
                "自由报价期 1–1440 分钟，限时报价倒计时 10–3600 秒",
                "free bidding 1-1440 minutes, countdown 10-3600 seconds",
                "countdown_seconds",
            )
        free_end = starts_at + timedelta(minutes=free_minutes)
        s.add(
            Auction(
                tenant_id=tenant.id,
                tenant_path=tenant.path,
                project_id=p.id,
                start_cents=p.listing_cents,
                increment_cents=p.increment_cents,
                starts_at=starts_at,
                free_end=free_end,
                countdown_seconds=countdown_seconds,
                closes_at=free_end + timedelta(seconds=countdown_seconds),
            )
        )
        p.status = "auction"
    s.flush()
    emit(s, tenant, p, "proceeded", actor, qualified=n)
    return p
