"""Per-tenant plugin enablement: inherit/on/off, locks, dependencies, origins, the CLI, gates, hooks.

The rules are tested over the real database with a synthetic plugin set (the built-in plugins' own
declarations change as they grow); the CLI and HTTP behaviour with a probe plugin registered beside
the installed ones, exactly as an entry point would register it.
"""

from __future__ import annotations

import json
import sys
import time
import types
from typing import Any

import pytest
from sqlalchemy import inspect
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from core.access import require
from core.contracts import Finding, MenuEntry, Permission, PluginInfo, RoleTemplate
from core.db import Scope
from core.hookspecs import hookimpl
from core.platform import Platform
from core.registry import LoadedPlugin, Registry
from core.settings import load_settings
from core.tenancy.directory import load_directory
from core.tenancy.service import TenancyError, set_plugin_state

# -- the probe plugin ----------------------------------------------------------------------------------

PROBE_VIEW = Permission("probe:page:view", "查看探针", "View the probe", read_only=True)
CALLS: list[tuple[str, str]] = []


async def probe_page(request: Any) -> PlainTextResponse:
    return PlainTextResponse(f"probe at {request.state.ctx.tenant.code}")


def _probe_module() -> types.ModuleType:
    mod = types.ModuleType("govhall_test_probe")

    @hookimpl
    def govhall_plugin_info() -> PluginInfo:
        return PluginInfo(name="probe", title_zh="探针", title_en="Probe", version="9.9.9")

    @hookimpl
    def govhall_permissions() -> list[Permission]:
        return [PROBE_VIEW]

    @hookimpl
    def govhall_roles() -> list[RoleTemplate]:
        return [RoleTemplate("guest", "", "", (PROBE_VIEW.name,))]

    @hookimpl
    def govhall_routes() -> list[Route]:
        return [Route("/", require(PROBE_VIEW)(probe_page))]

    @hookimpl
    def govhall_menu_entries(tenant: Any, actor: Any) -> list[MenuEntry]:
        return [MenuEntry("subsystem", "探针系统", "Probe system", "probe/", plugin="probe")]

    @hookimpl
    def govhall_checks(check: str, subject: dict[str, Any], tenant: Any, session: Any) -> list[Finding]:
        return [Finding("probe", "probe.seen", "info", "探针", "probe")]

    @hookimpl
    def govhall_tenant_enabled(tenant: Any, session: Any) -> None:
        CALLS.append(("enabled", tenant.code))

    @hookimpl
    def govhall_tenant_disabled(tenant: Any, session: Any) -> None:
        CALLS.append(("disabled", tenant.code))

    for name, value in list(locals().items()):
        if name.startswith("govhall_"):
            setattr(mod, name, value)
    return mod


PROBE = _probe_module()
_original_load = Registry.load.__func__  # type: ignore[attr-defined]


def _load_with_probe(cls: type[Registry], only: Any = None) -> Registry:
    registry = _original_load(cls, only)
    registry.pm.register(PROBE, name="probe")
    registry.plugins["probe"] = LoadedPlugin(PROBE.govhall_plugin_info(), PROBE, "govhall-tests")
    return registry


@pytest.fixture
def probe(monkeypatch: pytest.MonkeyPatch) -> None:
    """Register the probe plugin in every Registry loaded during the test (CLI and app alike)."""
    monkeypatch.setattr(Registry, "load", classmethod(_load_with_probe))
    monkeypatch.setitem(sys.modules, "govhall_test_probe", PROBE)
    CALLS.clear()


@pytest.fixture
def probe_platform(probe: None, db_url: str, tmp_path: Any) -> Any:
    p = Platform.start(load_settings(overrides={"database_url": db_url, "data_dir": str(tmp_path),
                                                "env": "test", "watch_interval": 0.2}))
    yield p
    p.close()


# -- the rules, with a synthetic plugin set ------------------------------------------------------------

PLUGINS = {
    "base": PluginInfo(name="base", title_zh="基础", title_en="Base", version="1", default_enabled=True),
    "addon": PluginInfo(name="addon", title_zh="附加", title_en="Addon", version="1", depends=("base",)),
    "solo": PluginInfo(name="solo", title_zh="独立", title_en="Solo", version="1"),
}


def _switch(platform: Platform, code: str, plugin: str, state: str, lock: bool = False) -> str:
    with platform.db.transaction(Scope.system()) as s:
        directory = load_directory(s, PLUGINS)
        return set_plugin_state(s, directory, directory.get(code), plugin, state,  # type: ignore[arg-type]
                                lock=lock, actor="test")


def _effective(platform: Platform, code: str) -> dict[str, Any]:
    with platform.db.session(Scope.system()) as s:
        directory = load_directory(s, PLUGINS)
    return {n: e.as_json() for n, e in directory.effective(directory.get(code)).items()}


def test_plugin_default_then_nearest_explicit_value(platform):
    eff = _effective(platform, "360102")
    assert eff["base"] == {**eff["base"], "enabled": True, "origin": "default", "locked": False}
    assert (eff["solo"]["enabled"], eff["solo"]["origin"]) == (False, "default")
    _switch(platform, "360000", "solo", "on")
    _switch(platform, "360100", "solo", "off")
    e = _effective(platform, "360102")["solo"]
    assert (e["enabled"], e["origin"]) == (False, "360100")
    _switch(platform, "360102", "solo", "on")
    e = _effective(platform, "360102")["solo"]
    assert (e["enabled"], e["origin"], e["locked"]) == (True, "360102", False)
    assert _effective(platform, "360200")["solo"]["origin"] == "360000"
    _switch(platform, "360102", "solo", "inherit")
    assert _effective(platform, "360102")["solo"]["origin"] == "360100"


def test_highest_lock_wins_and_refuses_changes_below(platform):
    _switch(platform, "360100", "solo", "off", lock=True)
    _switch(platform, "360000", "solo", "on", lock=True)  # a higher lock overrides the city's lock
    e = _effective(platform, "360102")["solo"]
    assert (e["enabled"], e["origin"], e["locked"]) == (True, "360000", True)
    with pytest.raises(TenancyError, match="locked by 360000"):
        _switch(platform, "360102", "solo", "off")
    with pytest.raises(TenancyError, match="locked by 360000"):
        _switch(platform, "360100", "solo", "inherit")
    with pytest.raises(TenancyError, match="only 'on' or 'off' can be locked"):
        _switch(platform, "360000", "base", "inherit", lock=True)


def test_dependency_rules(platform):
    _switch(platform, "360100", "base", "off")
    eff = _effective(platform, "360102")
    assert eff["addon"]["enabled"] is False
    with pytest.raises(TenancyError, match="needs base, which is off at 360102"):
        _switch(platform, "360102", "addon", "on")
    _switch(platform, "360000", "addon", "on")  # base is on at the province: allowed
    eff = _effective(platform, "360102")
    # below the city, base is off, so addon is forced off and says why
    assert eff["addon"]["enabled"] is False and "dependency base is off" in eff["addon"]["reason"]
    assert _effective(platform, "360200")["addon"]["enabled"] is True
    with pytest.raises(TenancyError, match="addon depends on 'base' and is on at 360200"):
        _switch(platform, "360200", "base", "off")


def test_unknown_plugin_refused(platform):
    with pytest.raises(TenancyError, match="unknown plugin 'nope'"):
        _switch(platform, "360102", "nope", "on")


# -- the CLI -------------------------------------------------------------------------------------------

def _status(cli: Any, code: str) -> dict[str, dict[str, Any]]:
    r = cli("plugins", "status", "--tenant", code, "--json")
    assert r.exit_code == 0, r.output
    rows = json.loads(r.output)
    for row in rows:
        assert set(row) == {"plugin", "enabled", "origin", "locked"}
        assert isinstance(row["enabled"], bool) and isinstance(row["locked"], bool)
    return {row["plugin"]: row for row in rows}


def test_cli_list_shows_version_and_dependencies(cli, probe):
    r = cli("plugins", "list", "--json")
    rows = {row["plugin"]: row for row in json.loads(r.output)}
    assert rows["probe"]["version"] == "9.9.9" and rows["probe"]["depends"] == []
    assert rows["hall"]["required"] is True
    text = cli("plugins", "list").output
    assert "probe" in text and "9.9.9" in text and "depends: -" in text


def test_cli_enable_disable_inherit_with_origins(cli, probe):
    assert _status(cli, "360102")["probe"] == {"plugin": "probe", "enabled": False, "origin": "default",
                                               "locked": False}
    r = cli("plugins", "enable", "probe", "--tenant", "360100", "--lock")
    assert r.exit_code == 0 and "inherit -> on locked" in r.output
    assert _status(cli, "360102")["probe"] == {"plugin": "probe", "enabled": True, "origin": "360100",
                                               "locked": True}
    refused = cli("plugins", "disable", "probe", "--tenant", "360102")
    assert refused.exit_code == 1 and "locked by 360100" in refused.output
    assert _status(cli, "360102")["probe"]["enabled"] is True
    assert cli("plugins", "disable", "probe", "--tenant", "360100").exit_code == 0
    assert _status(cli, "360102")["probe"] == {"plugin": "probe", "enabled": False, "origin": "360100",
                                               "locked": False}
    assert cli("plugins", "inherit", "probe", "--tenant", "360100").exit_code == 0
    assert _status(cli, "360102")["probe"]["origin"] == "default"
    assert ("enabled", "360100") in CALLS and ("disabled", "360100") in CALLS
    human = cli("plugins", "status", "--tenant", "360102").output
    assert "probe" in human and "default" in human


def test_cli_locked_by_the_tree_file(cli):
    # tenants/jiangxi.toml locks supervision on for the whole province
    s = _status(cli, "360102")["supervision"]
    assert s == {"plugin": "supervision", "enabled": True, "origin": "360000", "locked": True}
    r = cli("plugins", "disable", "supervision", "--tenant", "360102")
    assert r.exit_code == 1 and "locked by 360000" in r.output


@pytest.mark.parametrize(("args", "code", "needle"), [
    (("enable", "nope", "--tenant", "360102"), 1, "unknown plugin 'nope'"),
    (("enable", "credit", "--tenant", "999999"), 2, "999999"),
    (("enable", "credit"), 2, "--tenant"),
    (("disable", "hall", "--tenant", "360102"), 1, "cannot be switched off"),
    (("status", "--tenant", "999999", "--json"), 2, "999999"),
])
def test_cli_refusals_exit_non_zero_with_the_reason(cli, args, code, needle):
    r = cli("plugins", *args)
    assert r.exit_code == code, r.output
    assert needle in r.output


def test_enabling_runs_no_ddl(cli, probe, platform):
    def tables() -> list[str]:
        return sorted(inspect(platform.db.engine).get_table_names())

    before = tables()
    assert cli("plugins", "enable", "probe", "--tenant", "360102").exit_code == 0
    assert cli("plugins", "enable", "credit", "--tenant", "360103").exit_code == 0
    assert cli("plugins", "disable", "probe", "--tenant", "360102").exit_code == 0
    assert tables() == before


# -- gates, menus and hooks, through the app -----------------------------------------------------------

def test_disabled_plugin_hides_route_menu_and_hooks(probe_platform):
    from starlette.testclient import TestClient

    from core.app import create_app

    p = probe_platform
    with p.db.transaction(Scope.system()) as s:
        set_plugin_state(s, p.directory, p.directory.get("360102"), "probe", "on", actor="test")
    p.refresh()
    app = create_app(platform=p)
    with TestClient(app, follow_redirects=False) as c:
        assert c.get("/t/360102/probe/").text == "probe at 360102"
        assert c.get("/t/360103/probe/").status_code == 404
        assert 'data-plugin="probe"' in c.get("/t/360102/").text
        assert 'data-plugin="probe"' not in c.get("/t/360103/").text
        donghu, xihu = p.directory.get("360102"), p.directory.get("360103")
        def codes(t: Any) -> list[str]:
            found = p.hooks(t).govhall_checks(check="x", subject={}, tenant=t, session=None)
            return [f.code for batch in found for f in batch or []]

        assert "probe.seen" in codes(donghu)
        assert "probe.seen" not in codes(xihu)
        with p.db.transaction(Scope.system()) as s:
            set_plugin_state(s, p.directory, donghu, "probe", "off", actor="test")
        p.refresh()
        assert c.get("/t/360102/probe/").status_code == 404
        assert 'data-plugin="probe"' not in c.get("/t/360102/").text


def test_subset_callers_are_cached_per_enabled_set(probe_platform):
    p = probe_platform
    d = p.directory
    a, b = d.get("360102"), d.get("360103")
    assert p.enabled(a) == p.enabled(b)
    assert p.hooks(a) is p.hooks(b)
    assert p.hooks(a).govhall_checks is p.hooks(b).govhall_checks
    with_probe = p.registry.hook_for(p.enabled(a) | {"probe"})
    assert with_probe is not p.hooks(a)
    assert with_probe is p.registry.hook_for(frozenset(p.enabled(a) | {"probe"}))
    # the caller without probe never calls it
    assert not any(f for batch in p.hooks(a).govhall_checks(check="x", subject={}, tenant=a, session=None)
                   for f in batch if f.source == "probe")
    assert p.directory.enabled(a) is p.directory.enabled(a)  # cached per snapshot


def test_changes_reach_another_process_within_a_second(probe_platform, db_url, tmp_path):
    writer = probe_platform
    reader = Platform.start(load_settings(overrides={"database_url": db_url, "data_dir": str(tmp_path),
                                                     "env": "test", "watch_interval": 0.2}))
    try:
        donghu = reader.directory.get("360102")
        assert "probe" not in reader.enabled(donghu)
        with writer.db.transaction(Scope.system()) as s:
            set_plugin_state(s, writer.directory, writer.directory.get("360102"), "probe", "on", actor="t")
        started = time.monotonic()
        while "probe" not in reader.enabled(reader.directory.get("360102")):
            assert time.monotonic() - started < 1.0, "the other platform did not notice within a second"
            time.sleep(0.05)
            reader.maybe_refresh()
        assert reader.refresh() is False  # nothing new since
    finally:
        reader.close()
