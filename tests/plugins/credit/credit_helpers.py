"""Shared helpers of the credit tests: codes, penalties and list entries written through the services."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from core.db import Scope
from plugins.credit.lists import ListInput, add_entry
from plugins.credit.rules import rules_from_platform
from plugins.credit.services import PenaltyInput, record_penalty
from plugins.credit.subjects import make_uscc

TODAY = date(2026, 11, 28)
ACME = make_uscc("91360102MA3512345")
BETA = make_uscc("91360103MA3512346")


def penalty(platform: Any, code: str, tenant_code: str = "360102", *, days_ago: int = 10,
            severity: str = "general", number: str | None = None, name: str = "江西测试企业有限公司",
            today: date = TODAY) -> Any:
    tenant = platform.directory.get(tenant_code)
    with platform.db.transaction(tenant.scope) as s:
        return record_penalty(s, tenant, rules_from_platform(platform, tenant), PenaltyInput(
            subject_kind="legal", subject_code=code, subject_name=name, title="违法经营",
            decision_number=number or f"罚字{code[-6:]}-{days_ago}-{severity}", severity=severity,
            source_department="市场监督管理局", decision_date=today - timedelta(days=days_ago)),
            actor="tests", today=today)


def listed(platform: Any, code: str, list_type: str, tenant_code: str = "360102", *, days_ago: int = 5,
           name: str = "江西测试企业有限公司", today: date = TODAY) -> Any:
    tenant = platform.directory.get(tenant_code)
    with platform.db.transaction(tenant.scope) as s:
        return add_entry(s, tenant, ListInput(list_type=list_type, subject_kind="legal", subject_code=code,
                                              subject_name=name, basis="依据",
                                              issuing_department="发展改革委",
                                              entered_on=today - timedelta(days=days_ago)), actor="tests")


def set_setting(platform: Any, tenant_code: str, key: str, value: Any) -> None:
    from core.tenancy.service import set_tenant_setting

    tenant = platform.directory.get(tenant_code)
    with platform.db.transaction(Scope.system()) as s:
        set_tenant_setting(s, tenant, key, value, actor="tests")
    platform.refresh(force=True)


def switch(platform: Any, tenant_code: str, plugin: str, state: str) -> None:
    from core.tenancy.service import set_plugin_state

    tenant = platform.directory.get(tenant_code)
    with platform.db.transaction(Scope.system()) as s:
        set_plugin_state(s, platform.directory, tenant, plugin, state, actor="tests")
    platform.refresh(force=True)
