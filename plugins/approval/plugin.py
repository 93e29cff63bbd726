"""Hook implementations of the approval plugin: thin wiring only."""

from __future__ import annotations

from typing import Any

from core.contracts import MenuEntry, PluginInfo
from core.hookspecs import hookimpl


@hookimpl
def govhall_plugin_info() -> PluginInfo:
    return PluginInfo(name="approval", title_zh="网上审批", title_en="Online approval", version="0.1.0",
                      default_enabled=True)


@hookimpl
def govhall_menu_entries(tenant: Any, actor: Any) -> list[MenuEntry]:
    return [MenuEntry("approval", "行政许可事项", "Administrative licences", "approval/items?type=licence",
                      plugin="approval")]
