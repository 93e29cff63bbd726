"""Electronic supervision rules over equity trading (consumed by the supervision plugin), and the periodic
step that moves projects on.

Every ``scan`` is set-based and ``scan_subtree``: one SELECT per rule over the session's scope (the ORM
guard narrows it to the subtree), comparing stored columns — the statutory earliest last days were
counted by the legal clock when each period was set, so no working-day arithmetic happens in SQL. One
card per object and occurrence, so re-scans issue nothing twice.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from sqlalchemy import and_, case, or_, select
from sqlalchemy.orm import Session

from core.api import Finding, Scope, clock
from plugins.equity import bidding, law, services, settlement
from plugins.equity.models import Auction, Buyer, Change, Deal, Project, Shareholder

POWER = "public_resource_trading"
LEVEL = {"prompt": "info", "yellow": "warning", "red": "serious"}
P = Project.__table__.c
D = Deal.__table__.c


def _finding(rule: str, severity: str, row: Any, zh: str, en: str, occurrence: Any, **facts: Any) -> Finding:
    return Finding(
        source="equity",
        code=rule,
        level=LEVEL[severity],  # type: ignore[arg-type]
        message_zh=f"转让项目 {row.number}（{row.title}）：{zh}",
        message_en=f"Transfer project {row.number} ({row.title}): {en}",
        object_type="equity.project",
        object_id=str(row.id),
        tenant_id=row.tenant_id,
        facts={
            "occurrence": str(occurrence),
            "href": f"equity/projects/{row.id}",
            "number": row.number,
            **{k: v.isoformat() if isinstance(v, date) else v for k, v in facts.items()},
        },
    )


BASE = (P.id, P.tenant_id, P.number, P.title)


def _in_scope(session: Session) -> Any:
    """The session's tenant or subtree as a path range on the projects (index-friendly): explicit, as
    Core column selects are not narrowed by the ORM guard."""
    scope = session.info.get("scope")
    assert isinstance(scope, Scope), "equity rules need a scoped session"
    return scope.predicate(P.tenant_path)


def short_disclosure(*, session: Session, **_: Any) -> list[Finding]:
    rows = session.execute(
        select(*BASE, P.pre_end, P.pre_earliest_end, P.formal_end, P.formal_earliest_end)
        .where(_in_scope(session), or_(P.pre_end < P.pre_earliest_end, P.formal_end < P.formal_earliest_end))
        .order_by(P.id)
    ).all()
    out = []
    for r in rows:
        short = (
            r.formal_end
            if r.formal_end and r.formal_earliest_end and r.formal_end < r.formal_earliest_end
            else r.pre_end
        )
        out.append(
            _finding(
                "equity.disclosure_too_short",
                "red",
                r,
                f"披露期截止于 {short}，不足 20 个工作日",
                f"disclosure ends {short}, under 20 working days",
                short,
                basis=law.DISCLOSURE.basis,
            )
        )
    return out


def change_in_formal(*, session: Session, **_: Any) -> list[Finding]:
    C = Change.__table__.c
    rows = session.execute(
        select(*BASE, C.id.label("change_id"), C.made_on)
        .join(Change, C.project_id == P.id)
        .where(_in_scope(session), C.during_formal.is_(True), C.restarted.is_(False))
        .order_by(C.id)
    ).all()
    return [
        _finding(
            "equity.change_in_formal_disclosure",
            "red",
            r,
            f"正式披露期间（{r.made_on}）变更披露条件而未重新计算披露期",
            f"terms changed during formal disclosure ({r.made_on}) without a new period",
            f"change-{r.change_id}",
            basis=law.DISCLOSURE.basis,
        )
        for r in rows
    ]


def price_without_consent(*, session: Session, **_: Any) -> list[Finding]:
    rows = session.execute(
        select(*BASE, P.listing_cents, P.appraisal_cents)
        .where(
            _in_scope(session),
            P.status != "draft",
            P.listing_cents * 100 < P.appraisal_cents * law.RELIST.value,
            P.consent_sha256 == "",
        )
        .order_by(P.id)
    ).all()
    return [
        _finding(
            "equity.price_below_90_without_consent",
            "red",
            r,
            f"挂牌价 {r.listing_cents / 100:.2f} 元低于评估值 90% 且无批准单位书面同意",
            f"listing {r.listing_cents / 100:.2f} yuan below 90% of the appraisal without written consent",
            r.listing_cents,
            basis=law.RELIST.basis,
        )
        for r in rows
    ]


def _deal_rows(session: Session, *where: Any) -> list[Any]:
    return list(
        session.execute(
            select(
                *BASE,
                D.id.label("deal_id"),
                D.price_cents,
                D.down_cents,
                D.signed_on,
                D.rest_due,
                D.rest_limit,
                D.paid_in_full_on,
                D.certificate_on,
                D.notice_start,
                D.notice_end,
                D.notice_earliest_end,
            )
            .join(Deal, D.project_id == P.id)
            .where(_in_scope(session), D.void.is_(False), *where)
            .order_by(D.id)
        ).all()
    )


def bad_instalments(*, session: Session, **_: Any) -> list[Finding]:
    rows = _deal_rows(
        session,
        D.mode == "instalment",
        or_(
            D.down_cents * 100 < D.price_cents * law.DOWN_PERCENT,
            D.rest_due.is_(None),
            D.rest_due > D.rest_limit,
        ),
    )
    return [
        _finding(
            "equity.instalment_terms",
            "red",
            r,
            f"分期付款首期 {r.down_cents / 100:.2f} 元或付款期限 {r.rest_due} "
            "不符合“首期不低于 30%、期限不超过 1 年”",
            f"down payment {r.down_cents / 100:.2f} yuan or term {r.rest_due} breaks 30% / one year",
            f"deal-{r.deal_id}",
            basis=law.PAYMENT.basis,
        )
        for r in rows
    ]


def certificate_before_payment(*, session: Session, **_: Any) -> list[Finding]:
    rows = _deal_rows(
        session,
        D.certificate_on.is_not(None),
        or_(D.paid_in_full_on.is_(None), D.paid_in_full_on > D.certificate_on),
    )
    return [
        _finding(
            "equity.certificate_before_payment",
            "red",
            r,
            f"价款未付清即于 {r.certificate_on} 出具交易凭证",
            f"certificate issued on {r.certificate_on} before full payment",
            f"deal-{r.deal_id}",
        )
        for r in rows
    ]


def missing_notice(
    *, session: Session, platform: Any = None, today: date | None = None, **_: Any
) -> list[Finding]:
    """A deal whose certificate is out (or whose price is paid) with no result notice, or a notice shorter
    than five working days."""
    rows = _deal_rows(
        session,
        or_(
            and_(
                D.notice_start.is_(None), or_(D.certificate_on.is_not(None), D.paid_in_full_on.is_not(None))
            ),
            D.notice_end < D.notice_earliest_end,
        ),
    )
    return [
        _finding(
            "equity.result_notice_missing",
            "yellow",
            r,
            "交易结果未公告或公告不足 5 个工作日",
            "result notice missing or shorter than five working days",
            f"deal-{r.deal_id}",
            basis=law.NOTICE.basis,
        )
        for r in rows
    ]


def _same_holder(a: Any, b: Any) -> Any:
    """Two shareholder rows name the same holder: by credit code where both have one, else by name."""
    return or_(
        and_(a.credit_code != "", a.credit_code == b.credit_code),
        and_(or_(a.credit_code == "", b.credit_code == ""), a.name == b.name),
    )


RELATIONS = {
    "representative": ("同一法定代表人", "the same legal representative"),
    "seller_holds": ("转让方是其股东", "the seller is its shareholder"),
    "buyer_holds": ("其为转让方股东", "it is a shareholder of the seller"),
    "common_holder": ("与转让方有共同股东", "a shareholder in common with the seller"),
}


def related_buyer(*, session: Session, **_: Any) -> list[Finding]:
    """A buyer related to the seller: the same legal representative, or by shareholder data where it is
    recorded (the seller holds the buyer, the buyer holds the seller, or a holder in common). One SELECT
    with EXISTS over the shareholder rows of the same project."""
    B = Buyer.__table__.c
    H = Shareholder.__table__.alias("h")
    G = Shareholder.__table__.alias("g")
    seller_holds = (
        select(H.c.id)
        .where(H.c.project_id == P.id, H.c.buyer_id == B.id, H.c.credit_code == P.seller_code)
        .exists()
    )
    buyer_holds = (
        select(G.c.id)
        .where(
            G.c.project_id == P.id,
            G.c.buyer_id.is_(None),
            or_(G.c.credit_code == B.credit_code, and_(G.c.credit_code == "", G.c.name == B.name)),
        )
        .exists()
    )
    common = (
        select(H.c.id)
        .join(G, and_(G.c.project_id == H.c.project_id, G.c.buyer_id.is_(None), _same_holder(H.c, G.c)))
        .where(H.c.project_id == P.id, H.c.buyer_id == B.id)
        .exists()
    )
    same_rep = and_(B.representative != "", B.representative == P.seller_representative)
    why = case(
        (same_rep, "representative"),
        (seller_holds, "seller_holds"),
        (buyer_holds, "buyer_holds"),
        else_="common_holder",
    )
    rows = session.execute(
        select(*BASE, B.id.label("buyer_id"), B.name.label("buyer_name"), B.representative, why.label("why"))
        .join(Buyer, B.project_id == P.id)
        .where(_in_scope(session), B.status != "rejected", or_(same_rep, seller_holds, buyer_holds, common))
        .order_by(B.id)
    ).all()
    return [
        _finding(
            "equity.buyer_related_to_seller",
            "yellow",
            r,
            f"意向受让方 {r.buyer_name} 与转让方存在关联：{RELATIONS[r.why][0]}"
            + (f"（{r.representative}）" if r.why == "representative" else ""),
            f"buyer {r.buyer_name} is related to the seller: {RELATIONS[r.why][1]}"
            + (f" ({r.representative})" if r.why == "representative" else ""),
            f"buyer-{r.buyer_id}",
            relation=r.why,
        )
        for r in rows
    ]


def _rule(rid: str, severity: str, zh: str, en: str, scan: Callable[..., list[Finding]]) -> dict[str, Any]:
    return dict(
        id=rid,
        version=1,
        kind_of_power=POWER,
        severity=severity,
        title_zh=zh,
        title_en=en,
        scan=scan,
        scan_subtree=True,
    )


RULES = [
    _rule(
        "equity.disclosure_too_short",
        "red",
        "产权转让信息披露不足 20 个工作日",
        "Disclosure under 20 working days",
        short_disclosure,
    ),
    _rule(
        "equity.change_in_formal_disclosure",
        "red",
        "正式披露期间变更条件未重新披露",
        "Terms changed during formal disclosure",
        change_in_formal,
    ),
    _rule(
        "equity.price_below_90_without_consent",
        "red",
        "挂牌价低于评估值 90% 未经书面同意",
        "Listing below 90% of the appraisal without consent",
        price_without_consent,
    ),
    _rule(
        "equity.instalment_terms",
        "red",
        "分期付款首期低于 30% 或期限超过 1 年",
        "Down payment under 30% or term over a year",
        bad_instalments,
    ),
    _rule(
        "equity.certificate_before_payment",
        "red",
        "价款付清前出具交易凭证",
        "Certificate before payment",
        certificate_before_payment,
    ),
    _rule(
        "equity.result_notice_missing", "yellow", "交易结果未公告", "Result notice missing", missing_notice
    ),
    _rule(
        "equity.buyer_related_to_seller",
        "yellow",
        "受让方与转让方存在关联（同一法定代表人或股东关系）",
        "Buyer related to the seller (same legal representative or shareholders)",
        related_buyer,
    ),
]


def advance_task(platform: Any, tenant: Any, session: Session) -> None:
    """Per tenant where the plugin is on: disclosures that ended, projects due for re-appraisal, auctions
    whose countdown ran out (closed even when nobody is watching the page), awards whose signing or
    payment window passed (the second bidder's turn, or back to listing)."""
    services.advance_all(session, platform, tenant)
    now = clock.now(platform)
    due = session.scalars(
        select(Auction.project_id).where(
            Auction.tenant_id == tenant.id, Auction.closed.is_(False), Auction.closes_at <= now
        )
    ).all()
    for project_id in due:
        bidding.close_if_due(session, platform, tenant, project_id, now)
    awaiting = session.scalars(
        select(Project).where(Project.tenant_id == tenant.id, Project.status.in_(("auction", "deal")))
    ).all()
    for p in awaiting:  # a missed signing or payment window: the award passes on
        settlement.fall_through(session, platform, tenant, p)
