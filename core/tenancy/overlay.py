"""Effective settings at a tenant read on a session, for hooks that get a session but no platform."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.settings import SettingSpec, load_settings
from core.tenancy.models import Tenant, TenantSetting


class _Placed(Protocol):
    @property
    def path(self) -> str: ...


_PROCESS: dict[tuple[str, ...], dict[str, Any]] = {}


def _process_values(specs: tuple[SettingSpec, ...]) -> dict[str, Any]:
    """Process-wide values (declared default -> file -> environment), read once per set of specs."""
    keys = tuple(s.key for s in specs)
    values = _PROCESS.get(keys)
    if values is None:
        settings = load_settings(extra_specs=specs)
        values = _PROCESS[keys] = {k: settings[k] for k in keys}
    return values


def tenant_settings(session: Session, tenant: _Placed, specs: Iterable[SettingSpec]) -> dict[str, Any]:
    """Effective values of ``specs`` at ``tenant``: the nearest overlay up the tree (tenant settings),
    else the process-wide value — what ``Platform.tenant_setting`` answers, from a session."""
    specs = tuple(specs)
    by_key = {s.key: s for s in specs}
    codes = tenant.path.split("/")
    rows = session.execute(
        select(Tenant.code, TenantSetting.key, TenantSetting.value)
        .join(Tenant, Tenant.id == TenantSetting.tenant_id)
        .where(Tenant.code.in_(codes), TenantSetting.key.in_(list(by_key)))
    ).all()
    depth = {c: i for i, c in enumerate(codes)}
    values = dict(_process_values(specs))
    best: dict[str, int] = {}
    for code, key, value in rows:
        if depth[code] >= best.get(key, -1):
            best[key] = depth[code]
            values[key] = by_key[key].coerce(value, f"tenant {code}")
    return values
