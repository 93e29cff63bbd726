"""``core.api.declare_plugin``: a plugin's constant declarations in one call.

Each case writes a small plugin package to a temporary directory and loads it through a real entry point
with ``Registry.load``, as a vendor's would be: what it declares reaches the registry like hand-written
hook implementations, its strings stay unimported until the hook is called, and every kind of mistake stops
the load with a message naming the plugin and the field (or the hook).
"""

from __future__ import annotations

import importlib
import importlib.metadata
import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from core.registry import DECLARED, ENTRY_POINT_GROUP, PluginError, Registry

HEAD = """
from pathlib import Path
from core.api import MenuEntry, Permission, PluginInfo, RoleTemplate, SettingSpec, declare_plugin, hookimpl

HERE = Path(__file__).resolve().parent
VIEW = Permission("{name}:page:view", "查看", "View", read_only=True)
INFO = PluginInfo(name="{name}", title_zh="示例", title_en="Example", version="1.2.3")
"""

VIEWS = """
from starlette.responses import PlainTextResponse
from starlette.routing import Route

async def index(request):
    return PlainTextResponse("ok")

def routes():
    return [Route("/", index)]

NOT_A_FUNCTION = 42
"""

DEMO = """
CALLS = []

def load(session, directory):
    CALLS.append((session, directory))
"""

SETTINGS = """
from core.api import SettingSpec

SPECS = [SettingSpec("{name}.greeting", "你好", "Greeting.", per_tenant=True)]
NOT_A_LIST = {{"{name}.greeting": 1}}
"""


@pytest.fixture
def package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., Registry]]:
    """``package(name, plugin_body)`` writes package ``name`` (plugin.py, views.py, demo.py, settings.py)
    and returns ``Registry.load`` of it through an entry point ``name = "name.plugin"``."""
    made: list[str] = []

    def make(name: str, body: str) -> Registry:
        root = tmp_path / name
        root.mkdir()
        (root / "__init__.py").write_text("", encoding="utf-8")
        (root / "plugin.py").write_text(HEAD.format(name=name) + textwrap.dedent(body), encoding="utf-8")
        (root / "views.py").write_text(VIEWS, encoding="utf-8")
        (root / "demo.py").write_text(DEMO, encoding="utf-8")
        (root / "settings.py").write_text(SETTINGS.format(name=name), encoding="utf-8")
        made.append(name)
        ep = importlib.metadata.EntryPoint(name=name, value=f"{name}.plugin", group=ENTRY_POINT_GROUP)
        monkeypatch.setattr(importlib.metadata, "entry_points", lambda group: [ep])
        return Registry.load(only=[name])

    sys.path.insert(0, str(tmp_path))
    importlib.invalidate_caches()
    yield make
    sys.path.remove(str(tmp_path))
    for mod in [m for m in sys.modules if m.split(".")[0] in made]:
        del sys.modules[mod]


FULL = """
declare_plugin(
    __name__,
    info=INFO,
    permissions=[VIEW],
    roles=[RoleTemplate("guest", "", "", (VIEW.name,))],
    settings="{name}.settings:SPECS",
    migrations=HERE / "migrations" / "versions",
    templates=[HERE / "templates"],
    routes="{name}.views:routes",
    demo="{name}.demo:load",
    menu=[MenuEntry("subsystem", "示例", "Example", "{name}/", plugin="{name}", permission=VIEW.name)],
)


@hookimpl
def govhall_checks(check, subject, tenant, session):
    return []  # an explicit hook with logic beside the declared ones
"""


def test_declared_hooks_reach_the_registry_like_hand_written_ones(package):
    registry = package("decl_full", FULL.format(name="decl_full"))
    module = sys.modules["decl_full.plugin"]
    assert registry.plugins["decl_full"].info.version == "1.2.3"
    assert list(registry.permissions) == ["decl_full:page:view"]
    assert registry.roles["guest"].permissions == ("decl_full:page:view",)
    here = Path(module.__file__).resolve().parent
    assert registry.migration_dirs() == [here / "migrations" / "versions"]
    assert registry.template_dirs() == [here / "templates"]
    hooks = registry.hook_for(frozenset({"decl_full"}))
    assert [e.href for batch in hooks.govhall_menu_entries(tenant=None, actor=None) for e in batch] \
        == ["decl_full/"]
    assert hooks.govhall_checks(check="x", subject={}, tenant=None, session=None) == [[]]
    # the module's functions are ordinary hook implementations, named after their hooks
    assert module.govhall_plugin_info().name == "decl_full"
    assert set(getattr(module, DECLARED)) >= {"govhall_plugin_info", "govhall_routes", "govhall_demo_data"}
    # a hook the plugin did not declare is absent, as if never written
    assert hooks.govhall_api_routes() == []


def test_strings_are_imported_at_the_first_call_not_at_load(package):
    registry = package("decl_lazy", FULL.format(name="decl_lazy"))
    assert "decl_lazy.views" not in sys.modules and "decl_lazy.demo" not in sys.modules
    hooks = registry.hook_for(frozenset({"decl_lazy"}))
    [routes] = hooks.govhall_routes()
    assert [r.path for r in routes] == ["/"]
    assert "decl_lazy.views" in sys.modules
    assert [s.key for s in registry.setting_specs] == ["decl_lazy.greeting"]
    hooks.govhall_demo_data(session="S", directory="D")
    assert sys.modules["decl_lazy.demo"].CALLS == [("S", "D")]


def test_an_explicit_hookimpl_after_the_declaration_is_refused_at_load(package):
    body = """
    declare_plugin(__name__, info=INFO, routes="decl_after.views:routes")

    @hookimpl
    def govhall_routes():
        return []
    """
    with pytest.raises(PluginError, match=r"plugin 'decl_after' implements govhall_routes twice: "
                                          r"declare_plugin\(routes=\.\.\.\)"):
        package("decl_after", body)


def test_an_explicit_hookimpl_under_another_name_is_refused_at_load(package):
    body = """
    declare_plugin(__name__, info=INFO, permissions=[VIEW])

    @hookimpl(specname="govhall_permissions")
    def more_permissions():
        return []
    """
    with pytest.raises(PluginError, match="plugin 'decl_spec' implements govhall_permissions twice"):
        package("decl_spec", body)


def test_an_explicit_hookimpl_before_the_declaration_is_refused_at_load(package):
    body = """
    @hookimpl
    def govhall_permissions():
        return [VIEW]

    declare_plugin(__name__, info=INFO, permissions=[VIEW])
    """
    with pytest.raises(PluginError, match=r"plugin 'decl_before'.*implements govhall_permissions twice"):
        package("decl_before", body)


@pytest.mark.parametrize(("declaration", "message"), [
    ("rotues='x.views:routes'", r"unexpected keyword argument 'rotues'"),
    ("permissions=VIEW", r"declare_plugin\(permissions=.*expected a list, got Permission"),
    ("roles=[VIEW]", r"declare_plugin\(roles=.*expected a list of RoleTemplate, got Permission"),
    ("migrations='migrations/versions'", r"declare_plugin\(migrations=.*give a Path or a list of Paths"),
    ("templates=[HERE, 'templates']", r"declare_plugin\(templates=.*give a Path or a list of Paths"),
    ("routes=42", r"declare_plugin\(routes=42\): give a function or a .module:attr. string.*not int"),
    ("routes='{name}.views.routes'", r"declare_plugin\(routes=.*must look like 'package.module:attr'"),
    ("routes='{name}.vews:routes'", r"declare_plugin\(routes=.*there is no module '{name}.vews'"),
    ("demo='nowhere.at_all:load'", r"declare_plugin\(demo=.*there is no module 'nowhere.at_all'"),
    ("hookspecs='{name}.hookspecs'", r"declare_plugin\(hookspecs=.*there is no module '{name}.hookspecs'"),
    ("info=None", r"info must be a PluginInfo"),
])
def test_a_bad_declaration_stops_the_load_naming_plugin_and_field(package, declaration, message):
    name = "decl_bad"
    body = f"declare_plugin(__name__, {declaration.format(name=name)}" + \
        (")" if declaration.startswith("info=") else ", info=INFO)")
    with pytest.raises(PluginError, match=r"plugin 'decl_bad'") as caught:
        package(name, body)
    assert caught.match(message.format(name=name))


@pytest.mark.parametrize(("declaration", "hook", "message"), [
    ("routes='{name}.views:nowhere'", "govhall_routes", r"module 'decl_late.views' has no attribute"),
    ("routes='{name}.views:NOT_A_FUNCTION'", "govhall_routes", r"not int"),
    ("settings='{name}.settings:NOT_A_LIST'", "govhall_settings", r"expected a list, got dict"),
])
def test_what_a_string_names_is_checked_when_it_is_imported(package, declaration, hook, message):
    """Found at the first call (start-up, for routes and settings), with the plugin and the field."""
    name = "decl_late"
    registry = package(name, f"declare_plugin(__name__, info=INFO, {declaration.format(name=name)})")
    field = declaration.split("=")[0]
    with pytest.raises(PluginError, match=rf"plugin 'decl_late': declare_plugin\({field}=.*{message}"):
        getattr(registry.hook_for(frozenset({name})), hook)()


def test_declare_plugin_once_per_module(package):
    body = """
    declare_plugin(__name__, info=INFO)
    declare_plugin(__name__, info=INFO, permissions=[VIEW])
    """
    with pytest.raises(PluginError, match="plugin 'decl_twice': declare_plugin is called twice"):
        package("decl_twice", body)


def test_a_module_with_declarations_added_in_process(package: Any) -> None:
    """``Registry.add`` (tests' in-process plugins) applies the same duplicate check and unregisters."""
    registry = package("decl_host", "declare_plugin(__name__, info=INFO)")
    import types

    from core.api import PluginInfo, declare_plugin, hookimpl

    mod = types.ModuleType("decl_added")
    sys.modules["decl_added"] = mod
    try:
        declare_plugin("decl_added", info=PluginInfo(name="decl_added", title_zh="加", title_en="Added",
                                                     version="1"), permissions=[])

        @hookimpl(specname="govhall_permissions")
        def extra() -> list[Any]:
            return []

        mod.extra = extra  # type: ignore[attr-defined]
        with pytest.raises(PluginError, match="plugin 'decl_added' implements govhall_permissions twice"):
            registry.add(mod)
        assert registry.pm.get_plugin("decl_added") is None
    finally:
        del sys.modules["decl_added"]


def test_other_plugins_hooks_are_answered_lazily_and_optional(package):
    """``other_hooks``: answers to another plugin's no-argument hooks, marked ``optionalhook``."""
    body = """
    declare_plugin(__name__, info=INFO, other_hooks={
        "govhall_decl_other_things": "decl_other.settings:SPECS",   # a hook no installed plugin declares
        "govhall_decl_missing": [1, 2],
    })
    """
    registry = package("decl_other", body)  # loads: check_pending leaves optional hooks alone
    module = sys.modules["decl_other.plugin"]
    assert "decl_other.settings" not in sys.modules
    import pluggy

    spec = pluggy.HookspecMarker("govhall")

    class Specs:
        @spec
        def govhall_decl_other_things(self) -> list[Any]:  # type: ignore[empty-body]
            """A hook another plugin would declare."""

    registry.pm.add_hookspecs(Specs)
    [specs] = registry.pm.hook.govhall_decl_other_things()
    assert [s.key for s in specs] == ["decl_other.greeting"]
    assert module.govhall_decl_missing() == [1, 2]


@pytest.mark.parametrize(("declaration", "message"), [
    ("{'govhall_routes': []}", r"other_hooks\['govhall_routes'\]=\.\.\.\): govhall_routes is a core hook"),
    ("{'supervision_rules': []}", r"other_hooks\['supervision_rules'\]=\.\.\.\): a hook name looks like"),
    ("{'govhall_x_rules': 'not a target'}", r"other_hooks\['govhall_x_rules'\]=.*must look like"),
    ("{'govhall_x_rules': {'a': 1}}", r"other_hooks\['govhall_x_rules'\]=.*expected a list, got dict"),
    ("[('govhall_x_rules', [])]", r"other_hooks=\.\.\.\) takes a mapping"),
])
def test_bad_other_hooks_stop_the_load(package, declaration, message):
    with pytest.raises(PluginError, match=r"plugin 'decl_obad'") as caught:
        package("decl_obad", f"declare_plugin(__name__, info=INFO, other_hooks={declaration})")
    assert caught.match(message)
