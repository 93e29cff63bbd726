"""Hook implementations of vendor_demo: thin wiring, the logic lives in services.py.

Its declarations are one ``core.api.declare_plugin`` call (docs/plugins.md, section 3); a hook with logic
would be an explicit ``@hookimpl`` function beside it.
"""

from __future__ import annotations

from pathlib import Path

from core.api import MenuEntry, PluginInfo, SettingSpec, declare_plugin
from govhall_vendor_demo import models  # noqa: F401  (puts the tables in the metadata at load)

HERE = Path(__file__).resolve().parent

declare_plugin(
    __name__,
    info=PluginInfo(name="vendor_demo", title_zh="便民告示", title_en="Public notices", version="1.0.0",
                    description_zh="第三方厂商插件示例", description_en="A third-party plugin example"),
    permissions="govhall_vendor_demo.permissions:PERMISSIONS",
    roles="govhall_vendor_demo.permissions:ROLES",
    settings=[SettingSpec("vendor_demo.greeting", "欢迎查看便民告示", "Greeting above the notices.",
                          per_tenant=True,
                          check=lambda v: None if len(v) <= 100 else "at most 100 characters")],
    migrations=HERE / "migrations" / "versions",
    templates=HERE / "templates",
    routes="govhall_vendor_demo.views:routes",
    api_routes="govhall_vendor_demo.api:routes",
    menu=[MenuEntry("subsystem", "便民告示", "Public notices", "vendor_demo/", order=90,
                    description_zh="本地便民信息", description_en="Local notices")],
)
