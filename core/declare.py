"""A plugin's constant declarations in one call, instead of a dozen one-line hook implementations.

``declare_plugin(__name__, info=..., permissions=..., routes="pkg.views:routes", ...)`` puts ordinary
pluggy hook implementations into the plugin's module, each named after its hook, so the registry
registers them exactly like hand-written ``@hookimpl`` functions (specs, subset callers, per-tenant gates
and ``check_pending`` all apply unchanged). Hooks that carry logic stay explicit ``@hookimpl`` functions
beside it. A ``"module:attr"`` string is imported at the hook's first call, never at load: start-up cost
stays where it was when each plugin imported its views inside the hook.

Mistakes fail at plugin load and name the plugin and the field: a wrong type, a malformed string or one
whose module does not exist (checked without importing it) when ``declare_plugin`` runs; a hook declared
here and implemented explicitly too when the registry registers the module (``core.registry``). What a
string's attribute turns out to be can only be checked once imported: at the first call, which for
routes, settings and permissions is start-up, with the same kind of message.
"""

from __future__ import annotations

import importlib
import importlib.util
import re
import reprlib
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from core import hookspecs as core_hookspecs
from core.contracts import Label, MenuEntry, PeriodicTask, Permission, PluginInfo, RoleTemplate
from core.hookspecs import hookimpl
from core.registry import DECLARED, PluginError
from core.settings import SettingSpec

if TYPE_CHECKING:
    import pluggy
    from starlette.routing import BaseRoute

_TARGET_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*:[A-Za-z_][A-Za-z0-9_]*$")
_MISSING = object()
_HOOK_RE = re.compile(r"^govhall_[a-z][a-z0-9_]*$")
_MODULE_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")


@dataclass(frozen=True)
class _Field:
    """One keyword of ``declare_plugin``: the hook it implements and what it accepts."""

    hook: str
    kind: str  # "list" (a sequence of ``item``), "paths", "factory" (a callable), "demo", "hookspecs"
    item: type | tuple[type, ...] | None = None


FIELDS: dict[str, _Field] = {
    "permissions": _Field("govhall_permissions", "list", Permission),
    "roles": _Field("govhall_roles", "list", RoleTemplate),
    "settings": _Field("govhall_settings", "list", SettingSpec),
    "labels": _Field("govhall_labels", "list", Label),
    "menu": _Field("govhall_menu_entries", "list", MenuEntry),
    "periodic_tasks": _Field("govhall_periodic_tasks", "list", PeriodicTask),
    "cli": _Field("govhall_cli_commands", "list", click.Command),
    "migrations": _Field("govhall_migration_dirs", "paths"),
    "templates": _Field("govhall_template_dirs", "paths"),
    "routes": _Field("govhall_routes", "factory"),
    "api_routes": _Field("govhall_api_routes", "factory"),
    "demo": _Field("govhall_demo_data", "demo"),
    "hookspecs": _Field("govhall_addhooks", "hookspecs"),
}


def declare_plugin(
    module: str,
    *,
    info: PluginInfo,
    permissions: Sequence[Permission] | str | None = None,
    roles: Sequence[RoleTemplate] | str | None = None,
    settings: Sequence[SettingSpec] | str | None = None,
    labels: Sequence[Label] | str | None = None,
    menu: Sequence[MenuEntry] | str | None = None,
    periodic_tasks: Sequence[PeriodicTask] | str | None = None,
    cli: click.Command | Sequence[click.Command] | str | None = None,
    migrations: Path | Sequence[Path] | None = None,
    templates: Path | Sequence[Path] | None = None,
    routes: Callable[[], Sequence[BaseRoute]] | str | None = None,
    api_routes: Callable[[], Sequence[BaseRoute]] | str | None = None,
    demo: Callable[..., None] | str | None = None,
    hookspecs: str | None = None,
    other_hooks: Mapping[str, Sequence[Any] | str] | None = None,
) -> None:
    """Implement the plugin's declaration hooks in ``module`` (pass ``__name__``) from constants.

    Each keyword implements one hook (docs/hooks.md); leave out what the plugin does not declare:

    * ``info`` -> ``govhall_plugin_info`` (required);
    * ``permissions``, ``roles``, ``settings``, ``labels``, ``periodic_tasks``, ``menu`` -> the hook of
      that name (``menu``: ``govhall_menu_entries``, the same entries at every tenant for every actor,
      filtered by their ``permission`` as usual; an entry with no ``plugin`` is this plugin's): a list,
      or a ``"module:attr"`` string naming one;
    * ``cli`` -> ``govhall_cli_commands``: a click command, a list of them, or a string naming either;
    * ``migrations``, ``templates`` -> ``govhall_migration_dirs``, ``govhall_template_dirs``: a path or
      a list of paths;
    * ``routes``, ``api_routes`` -> ``govhall_routes``, ``govhall_api_routes``: a function returning the
      routes, or a string naming it;
    * ``demo`` -> ``govhall_demo_data``: a function called as ``fn(session=..., directory=...)``, or a
      string naming it;
    * ``hookspecs`` -> ``govhall_addhooks``: the dotted name of the plugin's own hookspecs module;
    * ``other_hooks`` -> hooks that *other* plugins declare and that take no arguments, answered with a
      constant list (``{"govhall_supervision_rules": "pkg.rules:RULES"}``): marked ``optionalhook``, so
      the plugin loads where the declaring plugin is not installed (the hook is then never called).

    A string ``"package.module:attr"`` is imported when the hook is first called, not at load.
    Raises ``PluginError`` naming the plugin and the field on a wrong type, a malformed string, a
    module that does not exist, a hook ``module`` already implements, or a second call.
    """
    given = {"permissions": permissions, "roles": roles, "settings": settings, "labels": labels,
             "menu": menu, "periodic_tasks": periodic_tasks, "cli": cli, "migrations": migrations,
             "templates": templates, "routes": routes, "api_routes": api_routes, "demo": demo,
             "hookspecs": hookspecs}
    if not isinstance(info, PluginInfo):
        raise PluginError(f"declare_plugin in {module!r}: info must be a PluginInfo, "
                          f"not {type(info).__name__}")
    target = sys.modules.get(module)
    if target is None:
        raise PluginError(f"plugin {info.name!r}: declare_plugin(module={module!r}) names no module being "
                          "loaded (pass __name__)")
    if hasattr(target, DECLARED):
        raise PluginError(f"plugin {info.name!r}: declare_plugin is called twice in {module!r}")
    impls: dict[str, tuple[str, Callable[..., Any]]] = {
        "govhall_plugin_info": ("info", _constant(info))}
    for name, value in given.items():
        if value is not None:
            field = FIELDS[name]
            impls[field.hook] = (name, _implementation(info.name, name, field, value))
    optional = _other_hooks(info.name, other_hooks, impls)
    for hook, (name, fn) in impls.items():
        if hasattr(target, hook):
            raise PluginError(f"plugin {info.name!r} implements {hook} twice: declare_plugin({name}=...) "
                              "and an explicit @hookimpl; keep one")
        fn.__name__ = fn.__qualname__ = hook
        fn.__module__ = module
        fn.__doc__ = f"Declared with core.api.declare_plugin({name}=...)."
        setattr(target, hook, hookimpl(optionalhook=hook in optional)(fn))
    setattr(target, DECLARED, {hook: (name, fn) for hook, (name, fn) in impls.items()})


def _other_hooks(plugin: str, hooks: Mapping[str, Any] | None,
                 impls: dict[str, tuple[str, Callable[..., Any]]]) -> set[str]:
    """Add ``other_hooks`` to ``impls``; the names of the hooks added."""
    if hooks is None:
        return set()
    if not isinstance(hooks, Mapping):
        raise PluginError(f"plugin {plugin!r}: declare_plugin(other_hooks=...) takes a mapping of hook "
                          f"names to lists, not {type(hooks).__name__}")
    core_hooks = {n for n in dir(core_hookspecs) if n.startswith("govhall_")}
    for hook, value in hooks.items():
        name = f"other_hooks[{hook!r}]"
        if not isinstance(hook, str) or not _HOOK_RE.match(hook):
            raise PluginError(f"plugin {plugin!r}: declare_plugin({name}=...): a hook name looks like "
                              "'govhall_<words>'")
        if hook in core_hooks:
            raise PluginError(f"plugin {plugin!r}: declare_plugin({name}=...): {hook} is a core hook; "
                              "use its keyword or an explicit @hookimpl")
        impls[hook] = (name, _implementation(plugin, name, _Field(hook, "list"), value))
    return set(hooks)


# -- one implementation per kind of field ----------------------------------------------------------------

def _constant(value: Any) -> Callable[[], Any]:
    def impl() -> Any:
        return value

    return impl


def _implementation(plugin: str, name: str, field: _Field, value: Any) -> Callable[..., Any]:
    shown = repr(value) if isinstance(value, str) else reprlib.repr(value)  # a long list, shortened
    where = f"plugin {plugin!r}: declare_plugin({name}={shown})"
    if field.kind == "paths":
        paths = [value] if isinstance(value, Path) else value
        if not isinstance(paths, (list, tuple)) or not all(isinstance(p, Path) for p in paths):
            raise PluginError(f"{where}: give a Path or a list of Paths")
        frozen = [*paths]
        return lambda: list(frozen)
    if field.kind == "hookspecs":
        if not isinstance(value, str) or not _MODULE_RE.match(value):
            raise PluginError(f"{where}: give the dotted name of a module of hookspecs")
        _check_module(where, value)

        def addhooks(pluginmanager: pluggy.PluginManager) -> None:
            pluginmanager.add_hookspecs(importlib.import_module(value))

        return addhooks
    if field.kind == "list":
        def checked(found: Any) -> list[Any]:
            items = _as_list(where, field, found)
            if name == "menu":  # an entry that names no plugin is the declaring plugin's
                items = [e if e.plugin else replace(e, plugin=plugin) for e in items]
            return items

        get = _getter(where, value, checked)
        return lambda: list(get())
    get = _getter(where, value, lambda found: _callable(where, found))
    if field.kind == "factory":
        return lambda: _as_list(where, field, get()())

    def demo_data(session: Any, directory: Any) -> None:
        get()(session=session, directory=directory)

    return demo_data


def _getter(where: str, value: Any, check: Callable[[Any], Any]) -> Callable[[], Any]:
    """What the field stands for, passed through ``check`` once: the value itself, checked now, or the
    attribute a ``"module:attr"`` string names, imported and checked at the first call."""
    if not isinstance(value, str):
        done = check(value)
        return lambda: done
    if not _TARGET_RE.match(value):
        raise PluginError(f"{where}: a string must look like 'package.module:attr'")
    module_name, attr = value.split(":")
    _check_module(where, module_name)
    resolved: list[Any] = []

    def get() -> Any:
        if not resolved:
            found = getattr(importlib.import_module(module_name), attr, _MISSING)
            if found is _MISSING:
                raise PluginError(f"{where}: module {module_name!r} has no attribute {attr!r}")
            resolved.append(check(found))
        return resolved[0]

    return get


def _check_module(where: str, module_name: str) -> None:
    """The module exists (found on the path, not imported: its parent packages are, as import would)."""
    try:
        found = importlib.util.find_spec(module_name) is not None
    except (ImportError, ValueError):
        found = False
    if not found:
        raise PluginError(f"{where}: there is no module {module_name!r}")


def _callable(where: str, value: Any) -> Callable[..., Any]:
    if not callable(value):
        raise PluginError(f"{where}: give a function or a 'module:attr' string naming one, "
                          f"not {type(value).__name__}")
    return value  # type: ignore[no-any-return]


def _as_list(where: str, field: _Field, value: Any) -> list[Any]:
    item = field.item
    if isinstance(value, click.Command):  # ``cli=group``: one command needs no list around it
        value = [value]
    if isinstance(value, (str, bytes)) or not isinstance(value, (list, tuple)):
        raise PluginError(f"{where}: expected a list, got {type(value).__name__}")
    wrong = [type(v).__name__ for v in value if item is not None and not isinstance(v, item)]
    if wrong:
        expected = item.__name__ if isinstance(item, type) else "the declared type"
        raise PluginError(f"{where}: expected a list of {expected}, got {', '.join(sorted(set(wrong)))}")
    return list(value)
