"""Supervision rules of agriculture, set-based like plugins/approval/rules.py: one SELECT per rule over
the whole scanned subtree (``scan_subtree=True``), under the kind of power "livelihood and conduct".

Only *effective* events count: an event some correction declared wrong is left out (``NOT EXISTS`` on
``corrects_id``). One card per object and occurrence, so re-scans issue nothing twice.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from sqlalchemy import and_, exists, func, select
from sqlalchemy.orm import Session, aliased

from core.api import Finding, add_calendar_days
from core.api import today as legal_today
from plugins.agriculture.models import Certificate, Lot, LotEvent, Question

KIND = "livelihood_conduct"
Level = Literal["info", "attention", "warning", "serious"]


def _live(e: Any) -> Any:
    """``e`` is not declared wrong by a correction."""
    c = aliased(LotEvent)
    return ~exists(select(c.id).where(c.corrects_id == e.id))


def _finding(
    code: str,
    level: Level,
    zh: str,
    en: str,
    obj: str,
    oid: int,
    tenant_id: int,
    occurrence: str,
    **facts: Any,
) -> Finding:
    return Finding(
        source="agriculture",
        code=code,
        level=level,
        message_zh=zh,
        message_en=en,
        object_type=obj,
        object_id=str(oid),
        tenant_id=tenant_id,
        facts={"occurrence": occurrence, **facts},
    )


def shipped_without_certificate(session: Session, **_: Any) -> list[Finding]:
    s = aliased(LotEvent)
    rows = session.execute(
        select(Lot.id, Lot.tenant_id, Lot.code, Lot.product, func.min(s.occurred_on).label("shipped"))
        .join(s, and_(s.lot_id == Lot.id, s.kind == "shipment"))
        .where(_live(s), ~exists(select(Certificate.id).where(Certificate.lot_id == Lot.id)))
        .group_by(Lot.id, Lot.tenant_id, Lot.code, Lot.product)
        .order_by(Lot.id)
    ).all()
    return [
        _finding(
            "agriculture.shipped_without_certificate",
            "warning",
            f"批次 {r.code}（{r.product}）于 {r.shipped} 发货，未开具承诺达标合格证",
            f"Lot {r.code} ({r.product}) shipped on {r.shipped} without a compliance certificate",
            "agriculture.lot",
            r.id,
            r.tenant_id,
            r.shipped.isoformat(),
            href=f"agriculture/lots/{r.id}",
        )
        for r in rows
    ]


def shipped_after_failed_test(session: Session, **_: Any) -> list[Finding]:
    """A shipment on or after a failed test with no passing test in between."""
    s, t, ok = aliased(LotEvent), aliased(LotEvent), aliased(LotEvent)
    retest = exists(
        select(ok.id).where(
            ok.lot_id == s.lot_id,
            ok.kind == "test",
            ok.passed.is_(True),
            ok.occurred_on >= t.occurred_on,
            ok.occurred_on <= s.occurred_on,
            ok.id > t.id,
            _live(ok),
        )
    )
    rows = session.execute(
        select(
            Lot.id,
            Lot.tenant_id,
            Lot.code,
            Lot.product,
            s.id.label("sid"),
            s.occurred_on,
            t.occurred_on.label("failed"),
        )
        .join(s, and_(s.lot_id == Lot.id, s.kind == "shipment"))
        .join(
            t, and_(t.lot_id == Lot.id, t.kind == "test", t.passed.is_(False), t.occurred_on <= s.occurred_on)
        )
        .where(_live(s), _live(t), ~retest)
        .order_by(s.id)
    ).all()
    seen: set[int] = set()
    out = []
    for r in rows:
        if r.sid in seen:
            continue
        seen.add(r.sid)
        out.append(
            _finding(
                "agriculture.shipped_after_failed_test",
                "serious",
                f"批次 {r.code}（{r.product}）{r.failed} 检测不合格后于 {r.occurred_on} 发货",
                f"Lot {r.code} ({r.product}) shipped on {r.occurred_on} after failing a test on {r.failed}",
                "agriculture.lot",
                r.id,
                r.tenant_id,
                r.occurred_on.isoformat(),
                href=f"agriculture/lots/{r.id}",
            )
        )
    return out


def harvest_inside_interval(session: Session, **_: Any) -> list[Finding]:
    """A pesticide input whose pre-harvest interval had not run out when the lot was harvested."""
    i, h = aliased(LotEvent), aliased(LotEvent)
    rows = session.execute(
        select(
            Lot.id,
            Lot.tenant_id,
            Lot.code,
            Lot.product,
            i.id.label("iid"),
            i.occurred_on.label("applied"),
            i.phi_days,
            h.occurred_on.label("harvested"),
        )
        .join(i, and_(i.lot_id == Lot.id, i.kind == "input", i.phi_days.is_not(None)))
        .join(h, and_(h.lot_id == Lot.id, h.kind == "harvest", h.occurred_on >= i.occurred_on))
        .where(_live(i), _live(h))
        .order_by(i.id)
    ).all()
    return [
        _finding(
            "agriculture.harvest_inside_interval",
            "serious",
            f"批次 {r.code}（{r.product}）{r.applied} 施用农药，安全间隔期 {r.phi_days} 天未满即于 "
            f"{r.harvested} 采收",
            f"Lot {r.code} ({r.product}) harvested on {r.harvested}, inside the {r.phi_days}-day "
            f"pre-harvest interval of a pesticide applied on {r.applied}",
            "agriculture.lot",
            r.id,
            r.tenant_id,
            r.harvested.isoformat(),
            input_event=r.iid,
            href=f"agriculture/lots/{r.id}",
        )
        for r in rows
        if r.harvested < add_calendar_days(r.applied, r.phi_days)
    ]


def questions_overdue(
    session: Session, platform: Any = None, today: date | None = None, **_: Any
) -> list[Finding]:
    day = today or legal_today(platform)
    rows = session.execute(
        select(Question.id, Question.tenant_id, Question.title, Question.asked_on, Question.due_on)
        .where(Question.answered_on.is_(None), Question.due_on < day)
        .order_by(Question.id)
    ).all()
    return [
        _finding(
            "agriculture.question_overdue",
            "attention",
            f"12316 问题“{r.title}”（{r.asked_on} 提出）超过答复期限 {r.due_on} 仍未答复",
            f'12316 question "{r.title}" (asked {r.asked_on}) unanswered past its limit {r.due_on}',
            "agriculture.question",
            r.id,
            r.tenant_id,
            r.due_on.isoformat(),
            href=f"agriculture/desk/{r.id}",
        )
        for r in rows
    ]


def price_anomalies(session: Session, platform: Any = None, **_: Any) -> list[Finding]:
    """Daily prices that jumped beyond the tenant's band from the same market's previous price (one
    query with a window function; the band is a per-tenant setting)."""
    from plugins.agriculture.prices import anomalous_rows

    out = []
    for r in anomalous_rows(session, platform):
        out.append(
            _finding(
                "agriculture.price_anomaly",
                "attention",
                f"{r['market']} {r['product']} {r['day']} 价格 {r['price']} 元较前值 {r['previous']} 元"
                f"变动 {r['change']}%，超过 ±{r['band']}%",
                f"{r['product']} at {r['market']} on {r['day']}: {r['price']} yuan, {r['change']}% "
                f"from {r['previous']}, beyond ±{r['band']}%",
                "agriculture.price",
                r["id"],
                r["tenant_id"],
                r["day"].isoformat(),
                href="agriculture/prices",
            )
        )
    return out


def _rule(rid: str, severity: str, zh: str, en: str, scan: Any) -> dict[str, Any]:
    return dict(
        id=rid,
        version=1,
        kind_of_power=KIND,
        severity=severity,
        title_zh=zh,
        title_en=en,
        scan=scan,
        scan_subtree=True,
    )


RULES = [
    _rule(
        "agriculture.shipped_without_certificate",
        "yellow",
        "农产品未开具承诺达标合格证即发货",
        "Produce shipped without a compliance certificate",
        shipped_without_certificate,
    ),
    _rule(
        "agriculture.shipped_after_failed_test",
        "red",
        "农产品检测不合格后仍发货",
        "Produce shipped after a failed test",
        shipped_after_failed_test,
    ),
    _rule(
        "agriculture.harvest_inside_interval",
        "red",
        "农药安全间隔期内采收",
        "Harvest inside a pesticide's pre-harvest interval",
        harvest_inside_interval,
    ),
    _rule(
        "agriculture.question_overdue",
        "yellow",
        "12316 问题超期未答复",
        "12316 question unanswered past its limit",
        questions_overdue,
    ),
    _rule(
        "agriculture.price_anomaly",
        "prompt",
        "农产品价格异常波动",
        "Produce price beyond the anomaly band",
        price_anomalies,
    ),
]
