"""Hook implementations of the credit plugin: thin wiring only."""

from __future__ import annotations

from core.contracts import PluginInfo
from core.hookspecs import hookimpl


@hookimpl
def govhall_plugin_info() -> PluginInfo:
    return PluginInfo(name="credit", title_zh="credit", title_en="credit", version="0.1.0")
