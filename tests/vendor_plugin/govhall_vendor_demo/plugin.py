"""Hook implementations of vendor_demo: thin wiring, the logic lives in services.py."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from core.api import MenuEntry, Permission, PluginInfo, RoleTemplate, SettingSpec, hookimpl
from govhall_vendor_demo import models  # noqa: F401  (puts the tables in the metadata at load)

HERE = Path(__file__).resolve().parent


@hookimpl
def govhall_plugin_info() -> PluginInfo:
    return PluginInfo(name="vendor_demo", title_zh="便民告示", title_en="Public notices", version="1.0.0",
                      description_zh="第三方厂商插件示例", description_en="A third-party plugin example")


@hookimpl
def govhall_routes() -> list[Any]:
    from govhall_vendor_demo import views

    return views.routes()


@hookimpl
def govhall_api_routes() -> list[Any]:
    from govhall_vendor_demo import api

    return api.routes()


@hookimpl
def govhall_template_dirs() -> list[Path]:
    return [HERE / "templates"]


@hookimpl
def govhall_migration_dirs() -> list[Path]:
    return [HERE / "migrations" / "versions"]


@hookimpl
def govhall_permissions() -> list[Permission]:
    from govhall_vendor_demo.permissions import PERMISSIONS

    return PERMISSIONS


@hookimpl
def govhall_roles() -> list[RoleTemplate]:
    from govhall_vendor_demo.permissions import ROLES

    return ROLES


@hookimpl
def govhall_settings() -> list[SettingSpec]:
    return [SettingSpec("vendor_demo.greeting", "欢迎查看便民告示", "Greeting above the notices.",
                        per_tenant=True, check=lambda v: None if len(v) <= 100 else "at most 100 characters")]


@hookimpl
def govhall_menu_entries(tenant: Any, actor: Any) -> list[MenuEntry]:
    return [MenuEntry("subsystem", "便民告示", "Public notices", "vendor_demo/", plugin="vendor_demo",
                      order=90, description_zh="本地便民信息", description_en="Local notices")]
