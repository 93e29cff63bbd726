"""Supervision rules of the public resource trading kind of power (consumed by the supervision plugin).

Set-based as approval's rules are (``scan_subtree=True``): each rule is one SELECT over the whole subtree
of the session's scope (the ORM guard adds the tenant filter), returning only the columns a finding needs;
where a period must be counted by the legal clock (holidays) the few candidate rows are finished in Python.
One card per (tender or bidder, occurrence): re-scans issue nothing twice.

- ``bidding.period_short``: a deadline, document sale or publicity shorter than the law allows.
- ``bidding.award_not_first``: a state-funded project awarded to other than the first-ranked candidate
  still standing (Implementing Regulation art. 55).
- ``bidding.contract_late``: no contract by 30 days after the award, or one signed later.
- ``bidding.contract_price``: a contract at a price other than the winning bid (Bidding Law art. 46).
- ``bidding.bond_not_refunded``: a bond still held 5 days after the contract (IR art. 57).
- ``bidding.collusion``: indicators across the bids of one tender (IR art. 40): identical file digests,
  identical document metadata, one submitting address or device, prices in an arithmetic progression.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import date
from typing import Any

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session, aliased

from core.api import Event, Finding, local_date, today
from plugins.bidding import periods
from plugins.bidding.models import Bid, Bidder, BidFile, Tender

POWER = "public_resource_trading"
LEVEL = {"prompt": "info", "yellow": "warning", "red": "serious"}
T = Tender.__table__.c
BASE = (T.id, T.tenant_id, T.number, T.title, T.department_code)


def _today(platform: Any, kw: dict[str, Any]) -> date:
    return kw.get("today") or today(platform)


def _only(kw: dict[str, Any]) -> list[Any]:
    """Narrow a scan to one tender when an event asks."""
    tid = kw.get("tender_id")
    return [] if tid is None else [T.id == int(tid)]


def _finding(
    rule: str,
    severity: str,
    row: Any,
    occurrence: str,
    zh: str,
    en: str,
    *,
    step: str,
    object_type: str = "bidding.tender",
    object_id: Any = None,
    **facts: Any,
) -> Finding:
    return Finding(
        source="bidding",
        code=rule,
        level=LEVEL[severity],  # type: ignore[arg-type]
        message_zh=zh,
        message_en=en,
        object_type=object_type,
        object_id=str(object_id if object_id is not None else row.id),
        tenant_id=row.tenant_id,
        facts={
            "occurrence": occurrence,
            "department_code": row.department_code or "",
            "step": step,
            "href": f"bidding/tenders/{row.id}",
            "number": row.number,
            "title": row.title,
            **{k: v.isoformat() if isinstance(v, date) else v for k, v in facts.items()},
        },
    )


def scan_period_short(*, platform: Any, session: Session, **kw: Any) -> list[Finding]:
    rows = session.execute(
        select(*BASE, T.documents_from, T.documents_until, T.deadline, T.publicity_from, T.publicity_until)
        .where(T.status != "draft", *_only(kw))
        .order_by(T.id)
    ).all()
    out = []
    for r in rows:
        dday = local_date(platform, r.deadline)
        checks = [
            (periods.BID_DEADLINE, dday, periods.end(r.documents_from, periods.BID_DEADLINE), "deadline"),
            (
                periods.DOCUMENTS,
                r.documents_until,
                periods.end(r.documents_from, periods.DOCUMENTS),
                "documents",
            ),
        ]
        if r.publicity_from and r.publicity_until:
            checks.append(
                (
                    periods.PUBLICITY,
                    r.publicity_until,
                    periods.end(r.publicity_from, periods.PUBLICITY),
                    "publicity",
                )
            )
        for p, actual, minimum, step in checks:
            if actual < minimum:
                out.append(
                    _finding(
                        "bidding.period_short",
                        "red",
                        r,
                        f"{p.code}:{actual.isoformat()}",
                        f"招标项目 {r.number}：{p.zh}（{p.basis_zh}），实际截至 {actual}，法定最早 {minimum}",
                        f"Tender {r.number}: {p.en} ({p.basis_en}); ends {actual}, "
                        f"the law allows {minimum} at the earliest",
                        step=step,
                        period=p.code,
                        actual=actual,
                        minimum=minimum,
                        basis=p.basis_zh,
                    )
                )
    return out


def scan_award_not_first(*, platform: Any, session: Session, **kw: Any) -> list[Finding]:
    won, first = aliased(Bid), aliased(Bid)
    stmt = (
        select(
            *BASE,
            won.rank.label("won_rank"),
            won.price_cents.label("won_price"),
            first.price_cents.label("first_price"),
            first.id.label("first_id"),
        )
        .join_from(Tender, won, won.id == T.award_bid_id)
        .join(first, and_(first.tender_id == T.id, first.rank == 1))
        .where(T.state_funded.is_(True), won.rank > 1, first.status == "opened", *_only(kw))
        .order_by(T.id)
    )
    return [
        _finding(
            "bidding.award_not_first",
            "red",
            r,
            f"award:{r.id}",
            f"国有资金项目 {r.number} 未确定排名第一的中标候选人中标（中标人排名第 {r.won_rank}）",
            f"State-funded tender {r.number} awarded to candidate ranked {r.won_rank}, not the first",
            step="award",
            won_rank=r.won_rank,
            won_price=r.won_price,
            first_price=r.first_price,
            basis="《招标投标法实施条例》第五十五条",
        )
        for r in session.execute(stmt)
    ]


def scan_contract_late(*, platform: Any, session: Session, **kw: Any) -> list[Finding]:
    day = _today(platform, kw)
    late = ((T.contract_signed_on.is_(None)) & (T.contract_due < day) & (T.status == "awarded")) | (
        T.contract_signed_on > T.contract_due
    )
    stmt = (
        select(*BASE, T.awarded_on, T.contract_due, T.contract_signed_on)
        .where(T.contract_due.is_not(None), late, *_only(kw))
        .order_by(T.id)
    )
    return [
        _finding(
            "bidding.contract_late",
            "yellow",
            r,
            f"contract:{r.contract_due.isoformat()}",
            f"招标项目 {r.number} 未在中标通知书发出后 30 日内（{r.contract_due} 前）订立合同",
            f"Tender {r.number}: no contract within 30 days of the award (due {r.contract_due})",
            step="contract",
            awarded_on=r.awarded_on,
            contract_due=r.contract_due,
            signed_on=r.contract_signed_on,
            basis=periods.CONTRACT.basis_zh,
        )
        for r in session.execute(stmt)
    ]


def scan_contract_price(*, platform: Any, session: Session, **kw: Any) -> list[Finding]:
    stmt = (
        select(*BASE, T.contract_cents, Bid.price_cents)
        .join_from(Tender, Bid, Bid.id == T.award_bid_id)
        .where(T.contract_cents.is_not(None), T.contract_cents != Bid.price_cents, *_only(kw))
        .order_by(T.id)
    )
    return [
        _finding(
            "bidding.contract_price",
            "red",
            r,
            f"price:{r.contract_cents}",
            f"招标项目 {r.number} 合同金额 {r.contract_cents / 100:.2f} 元"
            f"与中标价 {r.price_cents / 100:.2f} 元不符",
            f"Tender {r.number}: contract at {r.contract_cents / 100:.2f} yuan, the winning bid was "
            f"{r.price_cents / 100:.2f}",
            step="contract",
            contract=r.contract_cents / 100,
            winning_bid=r.price_cents / 100,
            basis="《招标投标法》第四十六条",
        )
        for r in session.execute(stmt)
    ]


def scan_bond_not_refunded(*, platform: Any, session: Session, **kw: Any) -> list[Finding]:
    day = _today(platform, kw)
    stmt = (
        select(*BASE, T.contract_signed_on, Bidder.id.label("bidder_id"), Bidder.name, Bidder.bond_cents)
        .join_from(Tender, Bidder, Bidder.tender_id == T.id)
        .where(
            Bidder.bond_state == "paid",
            T.contract_signed_on.is_not(None),
            T.contract_signed_on < day,
            *_only(kw),
        )
        .order_by(Bidder.id)
    )
    out = []
    for r in session.execute(stmt):
        due = periods.end(r.contract_signed_on, periods.BOND_REFUND)
        if due < day:
            out.append(
                _finding(
                    "bidding.bond_not_refunded",
                    "yellow",
                    r,
                    f"bond:{due.isoformat()}",
                    f"招标项目 {r.number}：{r.name} 的投标保证金 {r.bond_cents / 100:.2f} 元"
                    f"超过 {due} 仍未退还",
                    f"Tender {r.number}: the bond of {r.name} was not refunded by {due}",
                    step="bond",
                    object_type="bidding.bidder",
                    object_id=r.bidder_id,
                    bidder=r.name,
                    due=due,
                    basis=periods.BOND_REFUND.basis_zh,
                )
            )
    return out


def arithmetic(prices: list[int]) -> bool:
    """Three or more prices with one common, non-zero difference."""
    p = sorted(prices)
    if len(p) < 3:
        return False
    d = p[1] - p[0]
    return d != 0 and all(b - a == d for a, b in zip(p, p[1:], strict=False))


def scan_collusion(*, platform: Any, session: Session, **kw: Any) -> list[Finding]:
    """One finding per tender with every indicator found (four grouped queries for the whole subtree)."""
    only = [Bid.tender_id == int(kw["tender_id"])] if kw.get("tender_id") is not None else []
    only_f = [BidFile.tender_id == int(kw["tender_id"])] if kw.get("tender_id") is not None else []
    facts: dict[int, dict[str, Any]] = defaultdict(dict)
    n_bids = func.count(func.distinct(BidFile.bid_id))
    for tid, digest, n in session.execute(
        select(BidFile.tender_id, BidFile.sha256, n_bids)
        .where(*only_f)
        .group_by(BidFile.tender_id, BidFile.sha256)
        .having(n_bids > 1)
    ):
        facts[tid].setdefault("identical_files", []).append({"sha256": digest, "bids": n})
    for tid, author, software, n in session.execute(
        select(BidFile.tender_id, BidFile.author, BidFile.software, n_bids)
        .where(BidFile.author != "", *only_f)
        .group_by(BidFile.tender_id, BidFile.author, BidFile.software)
        .having(n_bids > 1)
    ):
        facts[tid].setdefault("identical_metadata", []).append(
            {"author": author, "software": software, "bids": n}
        )
    for col, key in ((Bid.submit_ip, "same_address"), (Bid.device, "same_device")):
        for tid, value, n in session.execute(
            select(Bid.tender_id, col, func.count())
            .where(col != "", *only)
            .group_by(Bid.tender_id, col)
            .having(func.count() > 1)
        ):
            facts[tid].setdefault(key, []).append({"value": value, "bids": n})
    prices: dict[int, list[int]] = defaultdict(list)
    for tid, price in session.execute(
        select(Bid.tender_id, Bid.price_cents).where(Bid.price_cents.is_not(None), *only)
    ):
        prices[tid].append(int(price or 0))
    for tid, ps in prices.items():
        if arithmetic(ps):
            facts[tid]["arithmetic_prices"] = sorted(p / 100 for p in ps)
    if not facts:
        return []
    rows = session.execute(select(*BASE).where(T.id.in_(list(facts))).order_by(T.id)).all()
    names = {
        "identical_files": ("文件摘要相同", "identical file digests"),
        "identical_metadata": ("文档作者/软件信息相同", "identical document metadata"),
        "same_address": ("同一 IP 地址递交", "submitted from one address"),
        "same_device": ("同一设备递交", "submitted from one device"),
        "arithmetic_prices": ("报价呈等差数列", "prices in an arithmetic progression"),
    }
    out = []
    for r in rows:
        f = facts[r.id]
        zh = "、".join(names[k][0] for k in names if k in f)
        en = ", ".join(names[k][1] for k in names if k in f)
        out.append(
            _finding(
                "bidding.collusion",
                "red",
                r,
                "collusion",
                f"招标项目 {r.number} 的投标文件存在串通投标迹象：{zh}",
                f"Tender {r.number}: bids show collusion indicators: {en}",
                step="opening",
                indicators=sorted(f),
                basis="《招标投标法实施条例》第四十条",
                **f,
            )
        )
    return out


def _on_event(scan: Callable[..., list[Finding]]) -> Callable[..., list[Finding]]:
    def evaluate(*, event: Event, session: Session, platform: Any = None, **kw: Any) -> list[Finding]:
        return scan(platform=platform, session=session, tender_id=event.payload.get("tender_id"))

    return evaluate


def _rule(
    rid: str,
    severity: str,
    zh: str,
    en: str,
    scan: Callable[..., list[Finding]],
    events: tuple[str, ...] = (),
) -> dict[str, Any]:
    """A rule as plain data (supervision's RuleSpec: nothing of supervision's is needed to write it)."""
    return {
        "id": rid,
        "version": 1,
        "kind_of_power": POWER,
        "severity": severity,
        "title_zh": zh,
        "title_en": en,
        "scan": scan,
        "on_events": events,
        "evaluate_event": _on_event(scan) if events else None,
        "scan_subtree": True,
    }


RULES = [
    _rule(
        "bidding.period_short",
        "red",
        "招标投标期限短于法定期限",
        "A period shorter than the law allows",
        scan_period_short,
        ("bidding.tender.published", "bidding.tender.candidates"),
    ),
    _rule(
        "bidding.award_not_first",
        "red",
        "国有资金项目未确定排名第一的候选人中标",
        "State-funded project not awarded to the first candidate",
        scan_award_not_first,
        ("bidding.tender.awarded",),
    ),
    _rule(
        "bidding.contract_late",
        "yellow",
        "中标后超过 30 日未订立合同",
        "Contract later than 30 days",
        scan_contract_late,
        ("bidding.tender.contracted",),
    ),
    _rule(
        "bidding.contract_price",
        "red",
        "合同金额与中标价不符",
        "Contract price differs from the winning bid",
        scan_contract_price,
        ("bidding.tender.contracted",),
    ),
    _rule(
        "bidding.bond_not_refunded",
        "yellow",
        "投标保证金未按期退还",
        "Bid bond not refunded in time",
        scan_bond_not_refunded,
    ),
    _rule(
        "bidding.collusion",
        "red",
        "串通投标迹象",
        "Collusion indicators across bids",
        scan_collusion,
        ("bidding.tender.opened",),
    ),
]


def advance_task(platform: Any, tenant: Any, session: Session) -> None:
    """Per tenant where bidding is on: deadlines that passed open the opening; key windows that ended close
    it (bids without a key count as withdrawn)."""
    from core.api import clock
    from plugins.bidding import services

    now = clock.now(platform)
    due = session.scalars(
        select(Tender).where(
            Tender.tenant_id == tenant.id,
            Tender.status.in_(("published", "opening")),
            Tender.deadline <= now,
            Tender.paused_since.is_(None),
        )
    ).all()
    for t in due:
        services.advance(session, platform, tenant, t)


def supervision_metrics(session: Session, scope: Any) -> list[dict[str, Any]]:
    """govhall_supervision_metrics for the public_resource_trading kind of power, one grouped query per
    call: per tenant path, tenders published (received), concluded (contract signed, completed, failed or
    cancelled), on time (concluded without breaking the 30-day contract period) and overdue (a contract
    signed late, or an award whose contract is still missing after its due day)."""
    day = today()
    t = Tender
    concluded = t.status.in_(("contracted", "completed", "failed", "cancelled"))
    late_signed = t.contract_signed_on.is_not(None) & (t.contract_signed_on > t.contract_due)
    missing = (t.status == "awarded") & (t.contract_due < day)

    def n(cond: Any) -> Any:
        return func.coalesce(func.sum(case((cond, 1), else_=0)), 0)

    rows = session.execute(
        select(
            t.tenant_path,
            func.count().label("received"),
            n(concluded).label("concluded"),
            n(concluded & ~late_signed).label("on_time"),
            n(late_signed | missing).label("overdue"),
        )
        .where(scope.predicate(t.tenant_path), t.status != "draft")
        .group_by(t.tenant_path)
    ).all()
    return [
        {
            "tenant_path": r.tenant_path,
            "kind_of_power": "public_resource_trading",
            "received": int(r.received),
            "concluded": int(r.concluded),
            "on_time": int(r.on_time),
            "overdue": int(r.overdue),
        }
        for r in rows
    ]
