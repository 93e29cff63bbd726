"""Evaluating rules: the periodic scan over a whole tree, and events as they are delivered.

A rule declared ``scan_subtree`` is called once per root of the tree with a session scoped to the root's
subtree: one set-based query for a province rather than one per tenant (20,000 villages would otherwise
mean 20,000 queries per rule). Other rules are called tenant by tenant, in one transaction per tenant for
all of its rules. Which tenants a rule applies to is worked out from the enabled sets (supervision and
the rule's plugin both on there), one distinct set at a time; findings for other tenants are dropped.
"""

from __future__ import annotations

import inspect
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

import structlog
from sqlalchemy import text

from core.api import Event, nested_connections_allowed
from core.api import today as clock_today
from plugins.supervision import services
from plugins.supervision.contracts import SupervisionRule

if TYPE_CHECKING:
    from core.api import Platform, TenantRef

log = structlog.get_logger(__name__)
PLUGIN = "supervision"
_SCAN_LOCK = 0x5C4A11  # advisory lock: one scan at a time even when called outside the job runner


@dataclass
class ScanResult:
    rules: int = 0
    findings: int = 0
    issued: int = 0
    escalated: int = 0
    by_rule: dict[str, int] = field(default_factory=dict)
    # Seconds spent in each rule's own scan, and in turning its findings into cards.
    scan_seconds: dict[str, float] = field(default_factory=dict)
    issue_seconds: dict[str, float] = field(default_factory=dict)


def rules_at(platform: Platform, tenant: TenantRef) -> list[SupervisionRule]:
    """Rules of the plugins enabled at ``tenant`` (none where supervision itself is off)."""
    if PLUGIN not in platform.enabled(tenant):
        return []
    return _rules_for(platform, platform.enabled(tenant))


def _rules_for(platform: Platform, enabled: frozenset[str]) -> list[SupervisionRule]:
    batches = platform.registry.hook_for(enabled).govhall_supervision_rules()
    seen: dict[str, SupervisionRule] = {}
    for batch in batches:
        for declared in batch or []:
            rule = SupervisionRule.of(declared)
            seen.setdefault(rule.id, rule)
    return list(seen.values())


def applicable(platform: Platform, root: TenantRef) -> dict[str, tuple[SupervisionRule, set[int], int]]:
    """{rule id: (rule, tenant ids where it applies, size of the subtree)} under ``root``."""
    directory = platform.directory
    tenants = [root, *directory.descendants(root)]
    by_set: dict[frozenset[str], list[SupervisionRule]] = {}
    out: dict[str, tuple[SupervisionRule, set[int], int]] = {}
    for t in tenants:
        enabled = platform.enabled(t)
        if PLUGIN not in enabled:
            continue
        rules = by_set.get(enabled)
        if rules is None:
            rules = by_set[enabled] = _rules_for(platform, enabled)
        for rule in rules:
            if rule.scan is None:
                continue
            entry = out.get(rule.id)
            if entry is None:
                entry = out[rule.id] = (rule, set(), len(tenants))
            entry[1].add(t.id)
    return out


def run_scan(platform: Platform, *, today: date | None = None) -> ScanResult:
    """Evaluate every scan rule over every tree, issue cards, then escalate overdue ones."""
    today = today or clock_today(platform)
    result = ScanResult()
    with _run_lock(platform) as got:
        if not got:
            log.info("supervision.scan.busy")
            return result
        for root in platform.directory.roots():
            plan = applicable(platform, root)
            per_tenant: dict[int, list[SupervisionRule]] = {}
            for rule, ids, size in plan.values():
                result.by_rule.setdefault(rule.id, 0)
                if rule.scan_subtree:
                    with platform.db.transaction(root.subtree_scope) as s:
                        _evaluate(platform, s, rule, root, None if len(ids) == size else ids, today, result)
                else:
                    for tid in ids:
                        per_tenant.setdefault(tid, []).append(rule)
            for tid, rules in per_tenant.items():
                tenant = platform.directory.by_id[tid]
                with platform.db.transaction(tenant.scope) as s:
                    for rule in rules:
                        _evaluate(platform, s, rule, tenant, {tid}, today, result)
            with platform.db.transaction(root.subtree_scope) as s:
                result.escalated += len(services.escalate_overdue(platform, s, today=today))
    log.info("supervision.scan", rules=result.rules, findings=result.findings, issued=result.issued,
             escalated=result.escalated)
    return result


def _evaluate(platform: Platform, session: Any, rule: SupervisionRule, tenant: TenantRef,
              allowed: set[int] | None, today: date, result: ScanResult) -> None:
    assert rule.scan is not None
    kwargs: dict[str, Any] = {"platform": platform, "session": session, "tenant": tenant}
    if _takes(rule.scan, "today"):
        kwargs["today"] = today
    started = time.perf_counter()
    findings = list(rule.scan(**kwargs) or [])
    scanned = time.perf_counter()
    issued = services.issue(platform, session, rule, findings, default_tenant=tenant, allowed=allowed,
                            today=today)
    done = time.perf_counter()
    result.scan_seconds[rule.id] = result.scan_seconds.get(rule.id, 0.0) + scanned - started
    result.issue_seconds[rule.id] = result.issue_seconds.get(rule.id, 0.0) + done - scanned
    result.rules += 1
    result.findings += len(findings)
    result.issued += len(issued)
    result.by_rule[rule.id] = result.by_rule.get(rule.id, 0) + len(issued)


def _takes(fn: Any, name: str) -> bool:
    """Whether a rule's function accepts the optional keyword ``name`` (``today``, ``platform``)."""
    params = inspect.signature(fn).parameters.values()
    return any(p.name == name or p.kind is inspect.Parameter.VAR_KEYWORD for p in params)


@contextmanager
def _run_lock(platform: Platform) -> Iterator[bool]:
    """One scan at a time across processes, even when called outside the job runner (CLI, bench)."""
    if not platform.db.is_postgres:
        yield True  # SQLite has one writer at a time already
        return
    # The lock's connection stays checked out while the scan's transactions take their own: declared, so
    # the one-connection-per-thread guard (core.db.engine) lets this bounded pair through.
    with nested_connections_allowed(), platform.db.engine.connect() as conn:
        got = bool(conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": _SCAN_LOCK}).scalar())
        conn.commit()
        try:
            yield got
        finally:
            if got:
                conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": _SCAN_LOCK})
                conn.commit()


def handle_event(platform: Platform, event: Event, session: Any) -> list[int]:
    """Evaluate the rules that listen to ``event.type`` at the event's tenant; issue cards for what they
    find there. Idempotent: a redelivered event finds the same occurrences and inserts nothing."""
    if event.type.startswith(PLUGIN + "."):
        return []
    tenant = platform.directory.by_id.get(event.tenant_id)
    if tenant is None:
        return []
    issued: list[int] = []
    for rule in rules_at(platform, tenant):
        if event.type not in rule.on_events or rule.evaluate_event is None:
            continue
        kwargs: dict[str, Any] = {"event": event, "session": session}
        if _takes(rule.evaluate_event, "platform"):
            kwargs["platform"] = platform
        findings = list(rule.evaluate_event(**kwargs) or [])
        # The session is scoped to the event's tenant: a finding about another tenant is not ours to issue.
        mine = [f for f in findings if f.tenant_id in (None, tenant.id)]
        if len(mine) != len(findings):
            log.warning("supervision.event.foreign_findings", rule=rule.id, event_id=event.id)
        issued += services.issue(platform, session, rule, mine, default_tenant=tenant, event_id=event.id)
    return issued
