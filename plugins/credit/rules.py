"""Per-tenant rule settings: publication periods, repair minimums and the warning rule set.

Publication periods follow NDRC Order No. 58 (2023), 《失信行为纠正后的信用信息修复管理办法（试行）》,
art. 10-11: minor penalties (warning, circulated criticism, small fines) are not published; other
penalties are published for at least 3 months and at most 1 year; penalties for serious dishonesty at
least 1 year and at most 3 years. Licences are published for 3 years. Decisions are published within 7
working days of the decision (the 双公示 rule) — a legal constant, not a setting. Each period is a
per-tenant setting so a locality may publish longer, never silently shorter than it chose.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from core.api import SettingSpec, tenant_settings

PUBLISH_WORKDAYS = 7
LEVELS = ("none", "attention", "warning", "serious")


def _check_list_levels(value: Any) -> str | None:
    for key, level in dict(value).items():
        if key not in ("red", "black", "abnormal"):
            return f"unknown list {key!r} (use black, abnormal)"
        if level not in LEVELS:
            return f"level {level!r} of list {key!r} must be one of {', '.join(LEVELS)}"
    return None


SPECS: list[SettingSpec] = [
    SettingSpec("credit.publish_months_licence", 36, "Months a licence decision stays published.",
                type=int, min=1, max=120, per_tenant=True),
    SettingSpec("credit.publish_months_penalty_minor", 0,
                "Months a minor penalty is published (Order 58: 0).",
                type=int, min=0, max=36, per_tenant=True),
    SettingSpec("credit.publish_months_penalty_general", 12,
                "Months a general penalty is published (max 12).",
                type=int, min=3, max=36, per_tenant=True),
    SettingSpec("credit.publish_months_penalty_serious", 36,
                "Months a serious penalty is published (max 36).",
                type=int, min=12, max=60, per_tenant=True),
    SettingSpec("credit.repair_min_months_general", 3, "Months before a general penalty may be repaired.",
                type=int, min=0, max=36, per_tenant=True),
    SettingSpec("credit.repair_min_months_serious", 12, "Months before a serious penalty may be repaired.",
                type=int, min=0, max=60, per_tenant=True),
    SettingSpec("credit.warning_window_months", 12, "Window in months over which penalties are counted.",
                type=int, min=1, max=120, per_tenant=True),
    SettingSpec("credit.warning_attention_count", 1, "Penalties in the window for level 'attention'.",
                type=int, min=1, max=100, per_tenant=True),
    SettingSpec("credit.warning_warning_count", 2, "Penalties in the window for level 'warning'.",
                type=int, min=1, max=100, per_tenant=True),
    SettingSpec("credit.warning_serious_count", 4, "Penalties in the window for level 'serious'.",
                type=int, min=1, max=100, per_tenant=True),
    SettingSpec("credit.warning_serious_penalty_level", "warning",
                "Level a single serious-severity penalty in the window raises the subject to.",
                choices=LEVELS, per_tenant=True),
    SettingSpec("credit.warning_list_levels", {"black": "serious", "abnormal": "warning"},
                "Level implied by being on a list (black, abnormal) now.", type=dict, per_tenant=True,
                check=_check_list_levels),
]
_BY_KEY = {s.key: s for s in SPECS}


@dataclass(frozen=True)
class Rules:
    values: dict[str, Any]

    def __getitem__(self, key: str) -> Any:
        return self.values["credit." + key]

    def publish_months(self, kind: str, severity: str | None) -> int:
        if kind == "licence":
            return int(self["publish_months_licence"])
        return int(self[f"publish_months_penalty_{severity or 'general'}"])

    def repair_min_months(self, severity: str | None) -> int:
        if severity == "minor":
            return 0
        return int(self[f"repair_min_months_{'serious' if severity == 'serious' else 'general'}"])


def rules_from_platform(platform: Any, tenant: Any) -> Rules:
    return Rules({k: platform.tenant_setting(tenant, k) for k in _BY_KEY})


def rules_from_db(session: Session, tenant: Any) -> Rules:
    """The same effective values for hook calls, which get a session but no platform: the nearest
    overlay up the tree (tenant_settings), else the process-wide value."""
    return Rules(tenant_settings(session, tenant, SPECS))
