"""Hook implementations of sunshine medicine (阳光医药): thin wiring only."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from core.api import MenuEntry, PluginInfo, declare_plugin, hookimpl
from plugins.medicine import permissions as P

HERE = Path(__file__).resolve().parent

declare_plugin(
    __name__,
    info=PluginInfo(
        name="medicine",
        title_zh="阳光医药",
        title_en="Sunshine medicine",
        version="0.1.0",
        description_zh="药品挂网价格、医疗机构网上采购、两票制、带量采购与按时回款",
        description_en="Listed drug prices, hospitals' online orders, the two-invoice rule, volume-based "
        "procurement and payment on time",
    ),
    permissions=P.PERMISSIONS,
    roles=P.ROLES,
    settings="plugins.medicine.settings:SPECS",
    migrations=HERE / "migrations" / "versions",
    templates=HERE / "templates",
    api_routes="plugins.medicine.api:routes",
    routes="plugins.medicine.views:routes",
    demo="plugins.medicine.demo:load",
    cli="plugins.medicine.cli:medicine",
    menu=[
        MenuEntry(
            "subsystem",
            "阳光医药",
            "Sunshine medicine",
            "medicine/",
            plugin="medicine",
            order=25,
            permission=P.PUBLIC.name,
            description_zh="药品挂网价格查询、医院订单与回款",
            description_en="Listed drug prices, hospital orders and payments",
        ),
        MenuEntry(
            "workbench",
            "挂网目录与价格",
            "Catalogue and listed prices",
            "medicine/manage",
            plugin="medicine",
            order=60,
            permission=P.CATALOGUE.name,
        ),
        MenuEntry(
            "workbench",
            "带量采购批次",
            "Volume procurement rounds",
            "medicine/manage/rounds",
            plugin="medicine",
            order=61,
            permission=P.CATALOGUE.name,
        ),
        MenuEntry(
            "sunshine",
            "药品挂网价格",
            "Listed drug prices",
            "medicine/",
            plugin="medicine",
            order=40,
            permission=P.PUBLIC.name,
        ),
    ],
    other_hooks={"govhall_supervision_rules": "plugins.medicine.rules:RULES"},  # supervision's hook
)


@hookimpl
def govhall_data_resources(tenant: Any) -> list[Any]:
    """Prescription summaries are a resource of the exchange catalogue that *receives* deliveries."""
    from plugins.medicine.exchange import resources

    return resources()


@hookimpl(optionalhook=True)  # exchange's hook (plugins/exchange/hookspecs.py)
def govhall_exchange_receive(
    platform: Any, session: Any, tenant: Any, resource: str, sender: str, body: Any
) -> dict[str, Any] | None:
    from plugins.medicine.exchange import receive

    return receive(platform, session, tenant, resource, sender, body)
