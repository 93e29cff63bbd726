"""Shared helpers of the exchange tests: the catalogue synced, a subsystem, a request answered."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from core.api import today
from plugins.exchange import services

PROVIDER = "360100"  # Nanchang
CONSUMER = "360102"  # Donghu
CREDIT = "credit.report"


def sync(platform: Any, code: str = PROVIDER) -> list[str]:
    tenant = platform.directory.get(code)
    with platform.db.transaction(tenant.scope) as s:
        return [r.code for r in services.sync_plugin_resources(s, platform, tenant)]


def system(
    platform: Any, code: str = CONSUMER, department: str = "xzspj", sub: str = "hall"
) -> tuple[Any, str]:
    tenant = platform.directory.get(code)
    with platform.db.transaction(tenant.scope) as s:
        row, secret = services.create_system(s, tenant, department, sub, "审批系统", actor="tests")
        s.expunge(row)
        return row, secret


def grant(
    platform: Any, fields: list[str], *, resource: str = CREDIT, days: int = 30, department: str = "xzspj"
) -> Any:
    """A request from the consumer's department, approved by the provider with ``fields``."""
    provider, consumer = platform.directory.get(PROVIDER), platform.directory.get(CONSUMER)
    with platform.db.transaction(provider.scope) as s:
        res = services.resource_by_code(s, provider, resource)
        req = services.request_access(
            s,
            platform,
            provider,
            consumer,
            resource_code=resource,
            department=department,
            purpose="并联审批核查信用",
            fields=[f["name"] for f in res.fields],
            actor="tests",
        )
        decision = "approve" if len(fields) == len(res.fields) else "narrow"
        req = services.answer(
            s,
            platform,
            provider,
            req.id,
            decision=decision,
            version=req.version,
            fields=fields,
            expires_on=today(platform) + timedelta(days=days),
            reason="" if decision == "approve" else "最小必要",
            actor="tests",
        )
        return services.load_grant(s, provider, req.grant_id)


def headers(client_id: str, secret: str) -> dict[str, str]:
    return {"X-Exchange-Client": client_id, "X-Exchange-Secret": secret}
