"""Hook implementations of the supervision plugin: thin wiring only."""

from __future__ import annotations

from core.contracts import PluginInfo
from core.hookspecs import hookimpl


@hookimpl
def govhall_plugin_info() -> PluginInfo:
    return PluginInfo(name="supervision", title_zh="supervision", title_en="supervision", version="0.1.0")
