"""Thresholds of sunshine medicine as tenant settings (docs/settings.md), with today's rules as defaults.

Each is per tenant: a province sets its own and a city or county may overlay it (inherited down the
tree). The payment term is read when a hospital accepts a delivery (the due day is stored on the order);
the prescription limits, the peer factor and the completion-lag tolerance are read by the supervision
rules, per tenant of the subtree they scan.
"""

from __future__ import annotations

from typing import Any

from core.api import Scope, SettingSpec

PAYMENT_DAYS = "medicine.payment_days"
OUTPATIENT_DAYS = "medicine.outpatient_supply_days"
EMERGENCY_DAYS = "medicine.emergency_supply_days"
PEER_FACTOR = "medicine.peer_volume_factor"
LAG_PERCENT = "medicine.vbp_lag_percent"

SPECS = [
    SettingSpec(
        PAYMENT_DAYS,
        30,
        "Calendar days a hospital has to pay after it accepts a delivery (30 by the national "
        "pricing opinion); an order unpaid after its due day is a red card.",
        type=int,
        min=1,
        max=180,
        per_tenant=True,
    ),
    SettingSpec(
        OUTPATIENT_DAYS,
        7,
        "Days of supply an outpatient prescription may give without a stated reason "
        "(处方管理办法 article 19: 7).",
        type=int,
        min=1,
        max=90,
        per_tenant=True,
    ),
    SettingSpec(
        EMERGENCY_DAYS,
        3,
        "Days of supply an emergency prescription may give without a stated reason "
        "(处方管理办法 article 19: 3).",
        type=int,
        min=1,
        max=30,
        per_tenant=True,
    ),
    SettingSpec(
        PEER_FACTOR,
        3,
        "A doctor prescribing more than this many times the average of the same hospital's other "
        "doctors of a drug in 30 days is flagged.",
        type=int,
        min=2,
        max=100,
        per_tenant=True,
    ),
    SettingSpec(
        LAG_PERCENT,
        80,
        "A volume-procurement commitment whose completion is below this percentage of the share of the year "
        "elapsed is behind schedule.",
        type=int,
        min=1,
        max=100,
        per_tenant=True,
    ),
]
DEFAULTS: dict[str, int] = {s.key: int(s.default) for s in SPECS}


def value(platform: Any, tenant: Any, key: str) -> int:
    """The effective value at ``tenant`` (the default without a platform, as in unit tests)."""
    if platform is None or tenant is None:
        return DEFAULTS[key]
    return int(platform.tenant_setting(tenant, key))


def per_tenant(platform: Any, session: Any, key: str) -> dict[int, int]:
    """The value for every tenant the session's scope covers ({} without a platform: the default)."""
    scope = session.info.get("scope")
    if platform is None or not isinstance(scope, Scope):
        return {}
    return {
        t.id: int(platform.tenant_setting(t, key))
        for t in platform.directory.by_id.values()
        if scope.covers(t.path)
    }
