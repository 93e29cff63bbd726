"""Changes to the tree and to what each tenant has switched on: every rule lives here, CLI and console
call the same functions, and every change bumps the directory version so all processes reload."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from core import audit
from core.contracts import PluginInfo
from core.tenancy.directory import Directory, StateRow, TenantRef, bump_version
from core.tenancy.models import LEVEL_ORDER, PluginState, Tenant, TenantSetting
from core.tenancy.paths import PathColumn, repath

SwitchState = Literal["on", "off", "inherit"]


class TenancyError(ValueError):
    """A refused change; the message says why in English, ``message_zh`` in Chinese."""

    def __init__(self, message: str, message_zh: str = "") -> None:
        super().__init__(message)
        self.message_zh = message_zh or message


def require_tenant(directory: Directory, code: str) -> TenantRef:
    tenant = directory.get(code)
    if tenant is None:
        raise TenancyError(f"unknown tenant {code!r}", f"未知的行政区划代码 {code}")
    return tenant


def set_plugin_state(
    session: Session,
    directory: Directory,
    tenant: TenantRef,
    plugin: str,
    state: SwitchState,
    *,
    lock: bool = False,
    actor: str,
    hooks: Any = None,
) -> str:
    """Switch ``plugin`` at ``tenant`` to on/off/inherit, optionally locking it for the subtree.

    Refused (TenancyError, see ``switch_refusal``) or done and audited (``record_switch``): the CLI, the
    console and ``tenants apply`` all decide and record a switch through these two functions. Returns a
    one-line description of what changed. ``hooks`` is ``Registry.hook_for({plugin})`` for the lifecycle
    call, or None.
    """
    own = dict(directory.states.get(tenant.id, {}))
    if state == "inherit":
        own.pop(plugin, None)
    else:
        own[plugin] = StateRow(state == "on", lock)
    refusal = switch_refusal(directory.plugins, tenant, plugin, state, lock,
                             locked_by=directory.lock_above(tenant, plugin),
                             decided=directory.decided(tenant, own))
    if refusal is not None:
        raise refusal
    row = session.scalar(select(PluginState).where(PluginState.tenant_id == tenant.id,
                                                   PluginState.plugin == plugin))
    before = switch_text(row.enabled, row.locked) if row is not None else "inherit"
    after = state + (" locked" if lock else "")
    if before == after:
        return f"{plugin} at {tenant.code}: already {after}"
    if state == "inherit":
        if row is not None:
            session.delete(row)
    elif row is None:
        session.add(PluginState(tenant_id=tenant.id, plugin=plugin, enabled=state == "on", locked=lock,
                                updated_by=actor))
    else:
        row.enabled, row.locked, row.updated_by = state == "on", lock, actor
    bump_version(session)
    record_switch(session, tenant, plugin, before, after, actor=actor)
    if hooks is not None:
        was_on = directory.effective(tenant)[plugin].enabled
        if state == "on" and not was_on:
            hooks.govhall_tenant_enabled(tenant=tenant, session=session)
        elif state == "off" and was_on:
            hooks.govhall_tenant_disabled(tenant=tenant, session=session)
    return f"{plugin} at {tenant.code}: {before} -> {after}"


def switch_text(enabled: bool, locked: bool) -> str:
    return ("on" if enabled else "off") + (" locked" if locked else "")


def switch_refusal(plugins: Mapping[str, PluginInfo], tenant: TenantRef, plugin: str, state: str,
                   lock: bool, *, locked_by: TenantRef | None,
                   decided: Mapping[str, bool]) -> TenancyError | None:
    """THE rule for a plugin switch, whichever way it arrives (CLI, console, ``tenants apply``).

    ``locked_by`` is the highest strict ancestor locking ``plugin``; ``decided`` each plugin's own value
    at ``tenant`` once the change is made (Directory.decided). Refused when: the plugin is unknown or
    required and not 'on'; 'inherit' is locked; an ancestor locks it; it is switched on while a
    dependency is off here; it is switched off while a plugin depending on it is switched on here.
    """
    if plugin not in plugins:
        known = ", ".join(sorted(plugins))
        return TenancyError(f"unknown plugin {plugin!r} (installed: {known})", f"未安装的插件 {plugin}")
    info = plugins[plugin]
    if info.required and state != "on":
        return TenancyError(f"plugin {plugin!r} is part of the hall and cannot be switched off",
                            f"插件 {plugin} 是办事大厅的组成部分，不能关闭")
    if lock and state == "inherit":
        return TenancyError("only 'on' or 'off' can be locked", "只有“开启”或“关闭”可以锁定")
    if locked_by is not None:
        return TenancyError(
            f"plugin {plugin!r} is locked by {locked_by.code} ({locked_by.name_en or locked_by.name}) "
            "for its whole subtree",
            f"插件 {plugin} 已被上级 {locked_by.name}（{locked_by.code}）锁定",
        )
    effective = _after_dependencies(plugins, decided)
    if state == "on":
        off = [d for d in info.depends if not effective[d]]
        if off:
            return TenancyError(f"plugin {plugin!r} needs {', '.join(off)}, which is off at {tenant.code}",
                                f"插件 {plugin} 依赖的 {', '.join(off)} 在此处未开启")
    if state == "off":
        dependants = sorted(n for n, p in plugins.items() if plugin in p.depends and decided.get(n))
        if dependants:
            return TenancyError(f"plugin {', '.join(dependants)} depends on {plugin!r} and is on at "
                                f"{tenant.code}",
                                f"插件 {', '.join(dependants)} 依赖 {plugin}，请先关闭")
    return None


def _after_dependencies(plugins: Mapping[str, PluginInfo], decided: Mapping[str, bool]) -> dict[str, bool]:
    """Decided values with every plugin whose dependency is off switched off (as Directory.effective)."""
    on = dict(decided)
    changed = True
    while changed:
        changed = False
        for name, enabled in on.items():
            if enabled and any(not on.get(d, False) for d in plugins[name].depends):
                on[name], changed = False, True
    return on


def record_switch(session: Session, tenant: TenantRef, plugin: str, before: str, after: str, *,
                  actor: str) -> None:
    """The audit entry of a switch, the same whichever way it arrived."""
    audit.record(session, actor=actor, action="plugin.switch", tenant=tenant, target=f"plugin:{plugin}",
                 details={"before": before, "after": after})


def set_tenant_setting(session: Session, tenant: TenantRef, key: str, value: Any, *, actor: str) -> bool:
    """Overlay a (validated) per-tenant setting; returns True when it changed."""
    row = session.scalar(select(TenantSetting).where(TenantSetting.tenant_id == tenant.id,
                                                     TenantSetting.key == key))
    if row is not None and row.value == value:
        return False
    if row is None:
        session.add(TenantSetting(tenant_id=tenant.id, key=key, value=value))
    else:
        row.value = value
    bump_version(session)
    audit.record(session, actor=actor, action="setting.set", tenant=tenant, target=f"setting:{key}",
                 details={"value": value})
    return True


def move_subtree(session: Session, directory: Directory, code: str, new_parent_code: str, *,
                 actor: str) -> int:
    """Re-parent a tenant with its whole subtree, its data and its grants. Returns tenants re-pathed.

    Every column holding a tenant path (core.tenancy.paths: tenant-owned data, grants, card owners, any
    plugin's path columns) is rewritten in the same transaction, one set-based UPDATE per column.
    """
    tenant = require_tenant(directory, code)
    parent = require_tenant(directory, new_parent_code)
    if tenant.parent_id is None:
        raise TenancyError("the root of the tree cannot be moved", "根节点不能移动")
    if parent.path == tenant.path or parent.path.startswith(tenant.path + "/"):
        raise TenancyError(f"cannot move {code} below itself ({new_parent_code} is in its subtree)",
                           f"不能把 {code} 移到它自己的下级 {new_parent_code} 之下")
    if tenant.parent_id == parent.id:
        return 0
    if LEVEL_ORDER.index(parent.level) >= LEVEL_ORDER.index(tenant.level):  # type: ignore[arg-type]
        raise TenancyError(f"a {tenant.level} cannot be placed under a {parent.level}",
                           "目标上级的层级不高于被移动的节点")
    old, new = tenant.path, f"{parent.path}/{tenant.code}"
    changed = repath(session, old, new)
    session.execute(text("UPDATE tenants SET parent_id = :p WHERE id = :t"), {"p": parent.id, "t": tenant.id})
    bump_version(session)
    bump_version(session, "policy")
    audit.record(session, actor=actor, action="tenant.move", tenant=tenant, target=f"tenant:{code}",
                 details={"from": old, "to": new})
    return changed.get(PathColumn("tenants", "path"), 0)


def tenant_row(session: Session, code: str) -> Tenant | None:
    return session.scalar(select(Tenant).where(Tenant.code == code))
