"""Shared helpers of the agriculture tests: a confirmed producer, lots and events through the services."""

from __future__ import annotations

from datetime import date
from typing import Any

from plugins.agriculture import producers, trace
from plugins.agriculture.schemas import DecisionIn, EventIn, LotIn, ProducerIn

DAY = date(2026, 10, 12)  # a Monday


def producer(
    platform: Any,
    account_id: int | None = None,
    tenant_code: str = "360102",
    name: str = "东湖绿源蔬菜专业合作社",
    confirm: bool = True,
) -> Any:
    tenant = platform.directory.get(tenant_code)
    with platform.db.transaction(tenant.scope) as s:
        p = producers.register(
            s,
            tenant,
            ProducerIn(name=name, kind="cooperative", phone="13900000001"),
            account_id=account_id,
            actor="tests",
        )
        if confirm:
            producers.decide(s, tenant, p.id, DecisionIn(confirm=True, version=p.version), actor="officer")
        s.expunge(p)
        return p


def lot(platform: Any, producer_id: int, tenant_code: str = "360102", **fields: Any) -> Any:
    tenant = platform.directory.get(tenant_code)
    with platform.db.transaction(tenant.scope) as s:
        p = producers.get(s, tenant, producer_id)
        row = trace.create_lot(
            s, tenant, p, LotIn(**{"product": "芹菜", "quantity": "500", **fields}), actor="tests"
        )
        s.expunge(row)
        return row


def event(platform: Any, lot_id: int, tenant_code: str = "360102", **fields: Any) -> Any:
    tenant = platform.directory.get(tenant_code)
    with platform.db.transaction(tenant.scope) as s:
        row = trace.record(
            s,
            platform,
            tenant,
            trace.lot_here(s, tenant, lot_id),
            EventIn.model_validate({"occurred_on": DAY, **fields}),
            actor="tests",
        )
        s.expunge(row)
        return row


def certificate(platform: Any, lot_id: int, tenant_code: str = "360102") -> Any:
    tenant = platform.directory.get(tenant_code)
    with platform.db.transaction(tenant.scope) as s:
        c = trace.issue_certificate(
            s, platform, tenant, trace.lot_here(s, tenant, lot_id), promise="", actor="tests"
        )
        s.expunge(c)
        return c


def lookup(platform: Any, code: str, tenant_code: str = "360102") -> Any:
    tenant = platform.directory.get(tenant_code)
    with platform.db.session(tenant.subtree_scope) as s:
        a = trace.lookup(s, code)
        s.expunge_all()
        return a


def scan(platform: Any, rule: Any, tenant_code: str = "360102", today: date | None = None) -> list[Any]:
    tenant = platform.directory.get(tenant_code)
    with platform.db.session(tenant.subtree_scope) as s:
        return list(rule(session=s, platform=platform, tenant=tenant, today=today))
