"""Electronic supervision rules over the feed tables (consumed by the supervision plugin), in four packs:
fiscal (rules_fiscal.py), cadre personnel and livelihood funds (rules_people.py), judicial enforcement
(rules_judicial.py). Each pack is one kind of power on the supervision dashboard.

Every ``scan`` is ``scan_subtree`` and set-based like approval's: one ``SELECT`` per rule for the whole
subtree of the session's scope, returning only what a finding needs. A pack runs only at the tenants whose
setting ``feeds.packs`` names it; findings name the record by its natural key, so a scan repeated over
re-sent records finds the same occurrences and supervision issues no card twice.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from sqlalchemy import false, select
from sqlalchemy.orm import Session

from core.api import Department, Finding, Scope
from core.api import today as clock_today
from plugins.feeds.streams import PACKS

LEVEL = {"prompt": "info", "yellow": "warning", "red": "serious"}


def scope_of(session: Session) -> Scope:
    scope = session.info.get("scope")
    assert isinstance(scope, Scope), "feeds rules need a scoped session"
    return scope


def today_of(kw: dict[str, Any]) -> date:
    return kw.get("today") or clock_today(kw.get("platform"))


def packs_at(platform: Any, tenant: Any) -> set[str]:
    return {p.strip() for p in str(platform.tenant_setting(tenant, "feeds.packs")).split(",") if p.strip()}


def where(platform: Any, session: Session, pack: str, table: Any) -> list[Any]:
    """The session's subtree as a path range, narrowed to the tenants where ``pack`` is switched on."""
    scope = scope_of(session)
    out = [scope.predicate(table.c.tenant_path)]
    tenants = [t for t in platform.directory.by_id.values() if scope.covers(t.path)]
    on = [t.id for t in tenants if pack in packs_at(platform, t)]
    if len(on) < len(tenants):
        out.append(table.c.tenant_id.in_(on) if on else false())
    return out


class Names:
    """Department names (one query per scan), so findings show names rather than codes."""

    def __init__(self, session: Session) -> None:
        rows = session.execute(select(Department.tenant_id, Department.code, Department.name))
        self.by_code: dict[tuple[int, str], str] = {(tid, code): name for tid, code, name in rows}

    def __call__(self, tenant_id: int, code: str) -> str:
        return self.by_code.get((tenant_id, code), code)


def finding(
    rule: str,
    severity: str,
    tenant_id: int,
    object_type: str,
    key: str,
    zh: str,
    en: str,
    stream: str,
    **facts: Any,
) -> Finding:
    """One finding about the record ``key`` of ``stream``; ``href`` is its page relative to its tenant."""
    facts = {k: (v.isoformat() if isinstance(v, date) else v) for k, v in facts.items()}
    return Finding(
        source="feeds",
        code=rule,
        level=LEVEL[severity],  # type: ignore[arg-type]
        message_zh=zh,
        message_en=en,
        object_type=object_type,
        object_id=key,
        tenant_id=tenant_id,
        facts={**facts, "href": f"feeds/records/{stream}?key={key}"},
    )


def yuan(cents: int | None) -> str:
    return f"{(cents or 0) / 100:,.2f}"


def rule(
    pack: str, rid: str, severity: str, zh: str, en: str, scan: Callable[..., list[Finding]]
) -> dict[str, Any]:
    return dict(
        id=rid,
        version=1,
        kind_of_power=PACKS[pack][0],
        severity=severity,
        title_zh=zh,
        title_en=en,
        scan=scan,
        scan_subtree=True,
    )


def _all() -> list[dict[str, Any]]:
    from plugins.feeds import rules_fiscal, rules_judicial, rules_people

    return [*rules_fiscal.RULES, *rules_people.RULES, *rules_judicial.RULES]


RULES = _all()
