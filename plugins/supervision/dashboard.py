"""Dashboard figures for a tenant or a subtree, each a small JSON document behind one chart.

Card figures are GROUP BY queries over the cards table; completion figures come from the plugins
enabled at the tenant through ``govhall_supervision_metrics`` and are rolled up to the tenant's direct
subordinates here (a dict per child, not a row per application).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.api import add_calendar_days, days_before
from core.api import today as clock_today
from plugins.supervision.contracts import KINDS_OF_POWER
from plugins.supervision.models import OPEN_STATES, SEVERITIES, STATES, Card
from plugins.supervision.scan import rules_at

if TYPE_CHECKING:
    from core.api import Platform, Scope, TenantRef

TREND_WEEKS = 12


def _scoped(scope: Scope) -> Any:
    return scope.predicate(Card.__table__.c.tenant_path)


def cards_by_severity_state(session: Session, scope: Scope) -> dict[str, Any]:
    """Live (open) cards counted by severity and state."""
    c = Card.__table__.c
    rows = session.execute(select(c.severity, c.state, func.count()).where(_scoped(scope),
                                                                          c.state.in_(OPEN_STATES))
                           .group_by(c.severity, c.state)).all()
    counts = {(r[0], r[1]): int(r[2]) for r in rows}
    items = [{"severity": sv, "state": st, "count": counts.get((sv, st), 0)}
             for sv in SEVERITIES for st in OPEN_STATES]
    return {"items": items, "total": sum(counts.values()),
            "by_severity": {sv: sum(counts.get((sv, st), 0) for st in STATES) for sv in SEVERITIES}}


def _subordinates(platform: Platform, tenant: TenantRef, subtree: bool) -> list[TenantRef]:
    return [tenant, *platform.directory.kids(tenant)] if subtree else [tenant]


def rates_by_subordinate(platform: Platform, session: Session, tenant: TenantRef,
                         scope: Scope) -> dict[str, Any]:
    """On-time completion rate and completion rate per direct subordinate (and the tier itself), worst
    first, from the metrics other plugins contribute."""
    rows = [r for batch in platform.hooks(tenant).govhall_supervision_metrics(scope=scope, session=session)
            for r in _totals(batch or [])]
    units = _subordinates(platform, tenant, scope.subtree)
    sums: dict[int, dict[str, int]] = {u.id: defaultdict(int) for u in units}
    for r in rows:
        path = str(r.get("tenant_path", ""))
        unit = _unit_of(units, tenant, path)
        if unit is None:
            continue
        for key in ("received", "concluded", "on_time", "overdue"):
            sums[unit.id][key] += int(r.get(key) or 0)
    items = []
    for u in units:
        s = sums[u.id]
        items.append({"tenant_code": u.code, "tenant_name": u.name, "tenant_name_en": u.name_en or u.name,
                      "own_tier": u.id == tenant.id, "received": s["received"], "concluded": s["concluded"],
                      "on_time": s["on_time"], "overdue": s["overdue"],
                      "completion_rate": _rate(s["concluded"], s["received"]),
                      "on_time_rate": _rate(s["on_time"], s["concluded"])})
    # Worst first: units with nothing to measure go last rather than pretending to be worst.
    items.sort(key=_worst_first)
    return {"items": items}


def _worst_first(i: dict[str, Any]) -> tuple[Any, ...]:
    missing = 2.0  # sorts after every real rate
    return (i["received"] == 0, missing if i["on_time_rate"] is None else i["on_time_rate"],
            missing if i["completion_rate"] is None else i["completion_rate"], i["tenant_code"])


def _totals(batch: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A plugin's rows without a week are its totals; a plugin that only reports by week partitions its
    totals into weeks, so those rows add up to them."""
    plain = [r for r in batch if not r.get("week")]
    return plain or batch


def _unit_of(units: list[TenantRef], tenant: TenantRef, path: str) -> TenantRef | None:
    if path == tenant.path:
        return tenant
    for u in units:
        if u.id != tenant.id and (path == u.path or path.startswith(u.path + "/")):
            return u
    return None


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _monday(d: date) -> date:
    return days_before(d, d.weekday())


def trend_by_week(platform: Platform, session: Session, tenant: TenantRef, scope: Scope, *,
                  today: date | None = None) -> dict[str, Any]:
    """Cards issued per ISO week and severity for the last weeks, with completion figures by week when
    the metrics carry a week."""
    today = today or clock_today(platform)
    start = days_before(_monday(today), 7 * (TREND_WEEKS - 1))
    c = Card.__table__.c
    rows = session.execute(select(c.issued_on, c.severity, func.count())
                           .where(_scoped(scope), c.issued_on >= start)
                           .group_by(c.issued_on, c.severity)).all()
    weeks = [add_calendar_days(start, 7 * i) for i in range(TREND_WEEKS)]
    labels = [f"{w.isocalendar().year}-W{w.isocalendar().week:02d}" for w in weeks]
    cards = {sv: [0] * TREND_WEEKS for sv in SEVERITIES}
    for day, severity, n in rows:
        day = day if isinstance(day, date) else date.fromisoformat(str(day))
        idx = (_monday(day) - start).days // 7
        if 0 <= idx < TREND_WEEKS and severity in cards:
            cards[severity][idx] += int(n)
    received = [0] * TREND_WEEKS
    concluded = [0] * TREND_WEEKS
    for batch in platform.hooks(tenant).govhall_supervision_metrics(scope=scope, session=session):
        for r in batch or []:
            if r.get("week") in labels:
                i = labels.index(r["week"])
                received[i] += int(r.get("received") or 0)
                concluded[i] += int(r.get("concluded") or 0)
    return {"weeks": labels, "cards": cards, "received": received, "concluded": concluded}


def kinds_of_power(platform: Platform, session: Session, tenant: TenantRef, scope: Scope) -> dict[str, Any]:
    """The seven kinds of power: cards (open and all) per kind, and whether a plugin covers it here."""
    c = Card.__table__.c
    rows = session.execute(select(c.kind_of_power, c.state, func.count())
                           .where(_scoped(scope)).group_by(c.kind_of_power, c.state)).all()
    open_: defaultdict[str, int] = defaultdict(int)
    total: defaultdict[str, int] = defaultdict(int)
    for kind, state, n in rows:
        total[kind] += int(n)
        if state in OPEN_STATES:
            open_[kind] += int(n)
    covered = {r.kind_of_power for r in rules_at(platform, tenant)}
    items = [{"kind": k, "title_zh": zh, "title_en": en, "covered": k in covered,
              "open_cards": open_[k], "cards": total[k]} for k, zh, en in KINDS_OF_POWER]
    return {"items": items}


def everything(platform: Platform, session: Session, tenant: TenantRef, scope: Scope) -> dict[str, Any]:
    return {
        "tenant": tenant.code, "subtree": scope.subtree,
        "cards": cards_by_severity_state(session, scope),
        "rates": rates_by_subordinate(platform, session, tenant, scope),
        "trend": trend_by_week(platform, session, tenant, scope),
        "kinds": kinds_of_power(platform, session, tenant, scope),
    }
