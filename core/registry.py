"""The plugin registry: pluggy manager, entry-point loading, declarations per plugin, subset callers.

Plugins are found through the entry-point group ``govhall.plugins`` — built-in and vendor alike.
``Registry.hook_for(enabled)`` returns a caller that sees only the plugins in ``enabled``; callers are
cached per distinct enabled set (a province has few distinct sets even with 20,000 villages).
"""

from __future__ import annotations

import importlib
import importlib.metadata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from types import ModuleType
from typing import Any

import pluggy
import structlog

from core import hookspecs
from core.contracts import MenuEntry, PeriodicTask, Permission, PluginInfo, RoleTemplate
from core.labels import Labels
from core.settings import SettingSpec

log = structlog.get_logger(__name__)
ENTRY_POINT_GROUP = "govhall.plugins"
# Where core.api.declare_plugin leaves {hook: (keyword, function)} in the plugin's module.
DECLARED = "__govhall_declared__"


class PluginError(RuntimeError):
    """A plugin is broken or inconsistent; start-up stops with this message."""


@dataclass(frozen=True)
class LoadedPlugin:
    info: PluginInfo
    module: ModuleType
    distribution: str


class SubsetHooks:
    """Attribute access to hook callers restricted to one set of enabled plugins."""

    def __init__(self, registry: Registry, enabled: frozenset[str]) -> None:
        self._registry = registry
        self._enabled = enabled
        self._callers: dict[str, Any] = {}

    def __getattr__(self, name: str) -> Any:
        try:
            return self._callers[name]
        except KeyError:
            pass
        pm = self._registry.pm
        excluded = [pm.get_plugin(n) for n in self._registry.plugins if n not in self._enabled]
        caller = pm.subset_hook_caller(name, remove_plugins=[p for p in excluded if p is not None])
        self._callers[name] = caller
        return caller


class Registry:
    def __init__(self, pm: pluggy.PluginManager, plugins: dict[str, LoadedPlugin]) -> None:
        self.pm = pm
        self.plugins = plugins
        self._subsets: dict[frozenset[str], SubsetHooks] = {}

    # -- loading ---------------------------------------------------------------------------------------

    @classmethod
    def load(cls, only: Iterable[str] | None = None) -> Registry:
        """Load every installed plugin (or only the named ones, for tests) and check the contract."""
        pm = pluggy.PluginManager(hookspecs.PROJECT)
        pm.add_hookspecs(hookspecs)
        # Historic: each plugin registered below may add hook specifications of its own at once.
        pm.hook.govhall_addhooks.call_historic(kwargs={"pluginmanager": pm})
        wanted = set(only) if only is not None else None
        plugins: dict[str, LoadedPlugin] = {}
        for ep in sorted(importlib.metadata.entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
            if wanted is not None and ep.name not in wanted:
                continue
            if ep.name in plugins:
                continue  # the same distribution seen twice on sys.path
            try:
                module = ep.load()
            except Exception as exc:  # a broken vendor package must name itself
                raise PluginError(f"plugin {ep.name!r} ({ep.value}) failed to import: {exc}") from exc
            pm.register(module, name=ep.name)
            _check_declared(pm, module, ep.name)
            info = _plugin_info(pm, module, ep.name)
            dist = ep.dist.name if ep.dist else "?"
            plugins[ep.name] = LoadedPlugin(info=info, module=module, distribution=dist)
        try:
            pm.check_pending()
        except pluggy.PluginValidationError as exc:
            raise PluginError(f"unknown hook: {exc}") from exc
        for name, p in plugins.items():
            missing = [d for d in p.info.depends if d not in plugins]
            if missing:
                raise PluginError(f"plugin {name!r} depends on {', '.join(missing)}, which is not installed")
        return cls(pm, plugins)

    def add(self, module: ModuleType, distribution: str = "tests") -> LoadedPlugin:
        """Register one more plugin module in-process (tests of events and jobs). Clears the cached
        declarations and subset callers; call ``platform.refresh(force=True)`` afterwards so the
        directory knows the plugin."""
        probe = pluggy.PluginManager(hookspecs.PROJECT)  # its info, through pluggy, before it joins
        probe.add_hookspecs(hookspecs)
        probe.register(module)
        info = probe.hook.govhall_plugin_info()
        if info is None:
            raise PluginError(f"plugin module {module.__name__!r} does not implement govhall_plugin_info")
        if info.name in self.plugins:
            raise PluginError(f"plugin {info.name!r} is already registered")
        self.pm.register(module, name=info.name)
        try:
            _check_declared(self.pm, module, info.name)
            self.pm.check_pending()
        except PluginError:
            self.pm.unregister(module)
            raise
        except pluggy.PluginValidationError as exc:
            self.pm.unregister(module)
            raise PluginError(f"unknown hook: {exc}") from exc
        loaded = self.plugins[info.name] = LoadedPlugin(info=info, module=module, distribution=distribution)
        for cached in ("permissions", "roles", "setting_specs", "periodic_tasks", "labels"):
            self.__dict__.pop(cached, None)
        self._subsets.clear()
        return loaded

    # -- declarations, per plugin ----------------------------------------------------------------------

    def declared(self, hook: str) -> dict[str, list[Any]]:
        """Call a declaration hook plugin by plugin, through pluggy (``specname``, ``tryfirst``/
        ``trylast`` and wrappers apply): {plugin name: flattened results}, in pluggy's call order."""
        caller = getattr(self.pm.hook, hook, None)
        if caller is None:
            return {}
        names = [self.pm.get_name(impl.plugin) for impl in reversed(caller.get_hookimpls())
                 if not (impl.hookwrapper or impl.wrapper)]
        out: dict[str, list[Any]] = {}
        for name in dict.fromkeys(n for n in names if n in self.plugins):
            batches = getattr(self.hook_for(frozenset({name})), hook)()
            out[name] = [item for batch in batches for item in (batch or [])]
        return out

    @cached_property
    def permissions(self) -> dict[str, Permission]:
        perms: dict[str, Permission] = {}
        for plugin, items in self.declared("govhall_permissions").items():
            for perm in items:
                if perm.plugin != plugin:
                    raise PluginError(f"plugin {plugin!r} declares {perm.name!r} outside its namespace")
                if perm.name in perms:
                    raise PluginError(f"permission {perm.name!r} declared twice")
                perms[perm.name] = perm
        return perms

    @cached_property
    def roles(self) -> dict[str, RoleTemplate]:
        """Role templates merged across plugins: a plugin may extend a role another declared."""
        merged: dict[str, RoleTemplate] = {}
        for _plugin, items in self.declared("govhall_roles").items():
            for role in items:
                prev = merged.get(role.name)
                if prev is None:
                    merged[role.name] = role
                else:
                    merged[role.name] = RoleTemplate(
                        prev.name, prev.title_zh or role.title_zh, prev.title_en or role.title_en,
                        tuple(dict.fromkeys(prev.permissions + role.permissions)),
                    )
        for role in merged.values():
            unknown = [p for p in role.permissions if p not in self.permissions]
            if unknown:
                raise PluginError(f"role {role.name!r} names undeclared permissions {unknown}")
        return merged

    @cached_property
    def setting_specs(self) -> list[SettingSpec]:
        specs: list[SettingSpec] = []
        for plugin, items in self.declared("govhall_settings").items():
            for spec in items:
                if not spec.key.startswith(plugin + "."):
                    raise PluginError(f"plugin {plugin!r} declares setting {spec.key!r} outside its prefix")
                specs.append(spec)
        return specs

    @cached_property
    def labels(self) -> Labels:
        """Names for the codes plugins write (``govhall_labels``) with every plugin's title."""
        titles = {name: (p.info.title_zh, p.info.title_en) for name, p in self.plugins.items()}
        return Labels.build(self.declared("govhall_labels"), titles)

    @cached_property
    def periodic_tasks(self) -> dict[str, list[PeriodicTask]]:
        return self.declared("govhall_periodic_tasks")

    def migration_dirs(self) -> list[Path]:
        return [Path(d) for dirs in self.declared("govhall_migration_dirs").values() for d in dirs]

    def template_dirs(self) -> list[Path]:
        return [Path(d) for dirs in self.declared("govhall_template_dirs").values() for d in dirs]

    # -- per-tenant calls ------------------------------------------------------------------------------

    def hook_for(self, enabled: frozenset[str]) -> SubsetHooks:
        """Hook callers that see only ``enabled`` plugins; cached per distinct set."""
        hooks = self._subsets.get(enabled)
        if hooks is None:
            hooks = self._subsets[enabled] = SubsetHooks(self, enabled)
        return hooks

    def menu(self, enabled: frozenset[str], tenant: Any, actor: Any) -> list[MenuEntry]:
        entries = [e for batch in self.hook_for(enabled).govhall_menu_entries(tenant=tenant, actor=actor)
                   for e in (batch or [])]
        return sorted(entries, key=lambda e: (e.section, e.order, e.title_zh))


def _plugin_info(pm: pluggy.PluginManager, module: ModuleType, name: str) -> PluginInfo:
    """``govhall_plugin_info`` of the one plugin just registered, called through pluggy."""
    others = [p for p in pm.get_plugins() if p is not module]
    info = pm.subset_hook_caller("govhall_plugin_info", remove_plugins=others)()
    if info is None:
        pm.unregister(module)
        raise PluginError(f"plugin {name!r} does not implement govhall_plugin_info")
    if info.name != name:
        pm.unregister(module)
        raise PluginError(f"plugin entry point {name!r} reports name {info.name!r}")
    return info


def _check_declared(pm: pluggy.PluginManager, module: object, name: str) -> None:
    """Each hook ``core.api.declare_plugin`` implemented has no second implementation in the plugin: an
    explicit ``@hookimpl`` defined after the call replaces the declared function in the module, one with
    ``specname`` sits beside it; either way one declaration would silently win. Refused, naming both."""
    declared: dict[str, tuple[str, Any]] = getattr(module, DECLARED, {})
    for hook, (field, fn) in declared.items():
        caller = getattr(pm.hook, hook, None)
        mine = [i.function for i in (caller.get_hookimpls() if caller else []) if i.plugin is module]
        if mine != [fn]:
            raise PluginError(f"plugin {name!r} implements {hook} twice: declare_plugin({field}=...) and an "
                              "explicit @hookimpl; keep one")
