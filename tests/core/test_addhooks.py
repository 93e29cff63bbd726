"""Plugins own their contracts: hookspecs added by a plugin (``govhall_addhooks``), implementations of
another plugin's hooks marked optional, and declarations read through pluggy (specname, order)."""

from __future__ import annotations

import types
from typing import Any

import pytest

import core.hookspecs
from core.api import Permission, PluginInfo, hookimpl, hookspec
from core.registry import PluginError, Registry


def _module(name: str, **hooks: Any) -> types.ModuleType:
    mod = types.ModuleType(f"govhall_test_{name}")

    @hookimpl
    def govhall_plugin_info() -> PluginInfo:
        return PluginInfo(name=name, title_zh=name, title_en=name, version="1")

    mod.govhall_plugin_info = govhall_plugin_info  # type: ignore[attr-defined]
    for key, fn in hooks.items():
        setattr(mod, key, fn)
    return mod


def test_supervision_declares_its_hooks_and_others_implement_them_optionally():
    with_sv = Registry.load(only=["hall", "approval", "supervision"])
    assert with_sv.pm.hook.govhall_supervision_rules.spec is not None
    assert not hasattr(core.hookspecs, "govhall_supervision_rules")  # the core names no plugin domain
    rules = [r for batch in with_sv.hook_for(frozenset({"approval"})).govhall_supervision_rules()
             for r in batch]
    assert rules and all(isinstance(r, dict) for r in rules)  # plain data: no import of supervision
    without = Registry.load(only=["hall", "approval"])  # approval loads unchanged without supervision
    assert without.pm.hook.govhall_supervision_rules.spec is None


def test_a_plugin_adds_hookspecs_of_its_own_and_another_implements_them():
    specs = types.ModuleType("govhall_test_specs")

    @hookspec(firstresult=True)
    def govhall_test_price(item: str) -> int:  # type: ignore[empty-body]
        """A hook the 'offer' plugin declares."""

    specs.govhall_test_price = govhall_test_price  # type: ignore[attr-defined]

    @hookimpl
    def govhall_addhooks(pluginmanager: Any) -> None:
        pluginmanager.add_hookspecs(specs)

    registry = Registry.load(only=["hall"])
    registry.add(_module("taker", govhall_test_price=hookimpl(optionalhook=True)(
        lambda item: len(item))))  # registered before the spec exists: historic addhooks validates later
    registry.add(_module("offer", govhall_addhooks=govhall_addhooks))
    assert registry.pm.hook.govhall_test_price(item="four") == 4


def test_an_unknown_hook_not_marked_optional_is_refused():
    @hookimpl
    def govhall_no_such_hook() -> None:
        return None

    registry = Registry.load(only=["hall"])
    with pytest.raises(PluginError, match="unknown hook"):
        registry.add(_module("typo", govhall_no_such_hook=govhall_no_such_hook))
    assert "typo" not in registry.plugins


def test_declarations_go_through_pluggy_specname_works():
    perm = Permission("renamed:thing:view", "看", "View", read_only=True)

    @hookimpl(specname="govhall_permissions")
    def permissions_of_mine() -> list[Permission]:
        return [perm]

    registry = Registry.load(only=["hall"])
    registry.add(_module("renamed", permissions_of_mine=permissions_of_mine))
    assert registry.permissions["renamed:thing:view"] is perm
    assert set(registry.declared("govhall_permissions")) == {"hall", "renamed"}
