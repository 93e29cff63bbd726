"""What the API and the pages show of a tender: one place decides what is public when."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.api import Scope
from plugins.bidding import services
from plugins.bidding.models import (
    BID_STATUSES,
    PROCEDURES,
    STATUSES,
    Bid,
    Bidder,
    Document,
    Expert,
    Panel,
    Tender,
)

PUBLIC_STATUSES = tuple(s for s in STATUSES if s != "draft")


def title(status: str, lang: str) -> str:
    zh, en = STATUSES.get(status, (status, status))
    return zh if lang.startswith("zh") else en


def bid_title(status: str, lang: str) -> str:
    zh, en = BID_STATUSES.get(status, (status, status))
    return zh if lang.startswith("zh") else en


def counts(s: Session, ids: list[int]) -> dict[int, tuple[int, int]]:
    """(bidders, bids received) per tender, two grouped queries for a page."""
    if not ids:
        return {}
    bidders = dict(
        s.execute(
            select(Bidder.tender_id, func.count()).where(Bidder.tender_id.in_(ids)).group_by(Bidder.tender_id)
        ).all()
    )
    bids = dict(
        s.execute(
            select(Bid.tender_id, func.count())
            .where(Bid.tender_id.in_(ids), Bid.status != "retracted")
            .group_by(Bid.tender_id)
        ).all()
    )
    return {i: (bidders.get(i, 0), bids.get(i, 0)) for i in ids}


def tender_out(platform: Any, t: Tender, lang: str, n: tuple[int, int] = (0, 0)) -> dict[str, Any]:
    tenant = platform.directory.by_id.get(t.tenant_id)
    return {
        "id": t.id,
        "number": t.number,
        "ocid": t.ocid,
        "title": t.title,
        "description": t.description,
        "tenant_code": tenant.code if tenant else "",
        "tenderer_name": t.tenderer_name,
        "agent_name": t.agent_name,
        "estimated_cents": t.estimated_cents,
        "state_funded": t.state_funded,
        "bond_cents": t.bond_cents,
        "status": t.status,
        "status_title": title(t.status, lang),
        "procedure": t.procedure,
        "procedure_title": PROCEDURES.get(t.procedure, ("", ""))[0 if lang.startswith("zh") else 1],
        "paused": t.paused_since is not None,
        "documents_from": t.documents_from,
        "documents_until": t.documents_until,
        "deadline": services.aware(t.deadline),
        "key_window_ends": services.key_window_end(t),
        "publicity_from": t.publicity_from,
        "publicity_until": t.publicity_until,
        "awarded_on": t.awarded_on,
        "contract_due": t.contract_due,
        "contract_signed_on": t.contract_signed_on,
        "contract_cents": t.contract_cents,
        "bidders": n[0],
        "bids_received": n[1],
        "version": t.version,
    }


def opening(s: Session, t: Tender) -> list[dict[str, Any]]:
    """Bidder names and prices: public only once the opening has closed (never while bids are sealed)."""
    if t.opening_closed_at is None:
        return []
    rows = s.execute(
        select(Bid, Bidder)
        .join(Bidder, Bidder.id == Bid.bidder_id)
        .where(Bid.tender_id == t.id, Bid.status != "retracted")
        .order_by(Bid.rank.is_(None), Bid.rank, Bid.id)
    ).all()
    return [
        {
            "bid_id": b.id,
            "bidder_name": who.name,
            "credit_code": who.credit_code,
            "status": b.status,
            "price_cents": b.price_cents,
            "rank": b.rank,
            "score": None if b.score_x100 is None else b.score_x100 / 100,
        }
        for b, who in rows
    ]


def panel_names(s: Session, t: Tender) -> list[str]:
    p = s.scalar(select(Panel).where(Panel.tender_id == t.id))
    if p is None or not p.revealed:
        return []
    return list(s.scalars(select(Expert.name).where(Expert.id.in_(p.members)).order_by(Expert.id)))


def detail_out(s: Session, platform: Any, t: Tender, lang: str) -> dict[str, Any]:
    n = counts(s, [t.id]).get(t.id, (0, 0))
    docs = s.scalars(select(Document).where(Document.tender_id == t.id).order_by(Document.id)).all()
    periods = [
        {
            "code": code,
            "start": start,
            "end": end,
            "rule_zh": p.zh,
            "rule_en": p.en,
            "basis_zh": p.basis_zh,
            "basis_en": p.basis_en,
        }
        for code, (start, end, p) in services.due_dates(platform, t).items()
    ]
    return {
        **tender_out(platform, t, lang, n),
        "periods": periods,
        "documents": [
            {
                "id": d.id,
                "kind": d.kind,
                "title": d.title,
                "body": d.body,
                "affects_bids": d.affects_bids,
                "sha256": d.sha256,
                "issued_at": services.aware(d.issued_at),
                "deadline_before": d.deadline_before and services.aware(d.deadline_before),
                "deadline_after": d.deadline_after and services.aware(d.deadline_after),
            }
            for d in docs
        ],
        "opening": opening(s, t),
        "award_bid_id": t.award_bid_id,
        "panel": panel_names(s, t),
    }


def public_scope(tenant: Any) -> Scope:
    """Published notices of a tenant and everything below it (a city shows its districts' tenders)."""
    return Scope.below(tenant.id, tenant.path)
